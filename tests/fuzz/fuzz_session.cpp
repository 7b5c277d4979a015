// libFuzzer target over src/chat: the input drives one connection's
// LineFramer + Session, hosted by a fake SessionHost that answers the
// asynchronous calls (nickname claims, password checks, room creations,
// joins, account requests, nickname changes) at once or later, with the
// outcome the input says, and keeps the shard's rules: lines wait in a
// stash while the session awaits an answer, input after /quit is ignored,
// an idle partial line is flushed by a fake clock (flush_partial()), and the
// connection ends with EOF (last partial line, then on_disconnect) or with an
// abrupt disconnect.
//
// Invariants checked (abort() = a finding):
//   * every event sent, rendered by both line dialects (line-en, line-pt),
//     is non-empty, valid UTF-8 without C0 controls (except TAB and LF), DEL
//     or C1 controls, and ends in LF (the prompt excepted, which does not);
//   * every text published to a room, nickname claimed and room name sent to
//     the host is non-empty, valid UTF-8 without any control character but
//     TAB, has no blank at either end and respects the length limits;
//   * at most one asynchronous call is outstanding, and awaiting() says so;
//   * leave_room/publish only for the room the session is in, release_nick
//     only for a held nickname, nothing at all after finish() or once closed;
//   * after a disconnect the nickname is released and no room is held;
//   * sanitize() is idempotent; framed lines hold no LF and fit max-line;
//   * the room calls (history, members, topic) only for the session's room;
//     names and texts handed to the host (private messages, whois, status,
//     topic, /nick) clean and within their limits; passwords 1..128 bytes,
//     only while a nickname is held; logging_in() exactly before the
//     welcome; identified() only when registered;
//   * no password ever reaches a client: every input runs twice, the second
//     time with the bytes of each password the first run handed to
//     check_password/register_account/identify/change_password replaced
//     (same length, every byte different); both runs must render the very
//     same bytes, and the second must hand the host exactly the
//     replacements (passwords go over as typed, unsanitised). A plain
//     search for the password in the replies would flag a nickname equal
//     to it, or one that is a piece of a fixed text (libFuzzer's memcmp
//     hooks find those fast); the rerun can only differ by a real leak.
//
// Input layout: byte 0 = configuration (bit 0: the server's language, pt/en,
// for the default nickname; bits 1..7: max-line
// = 32 + 8 * value); then operations, one byte each (value % 8) with their
// operands, see run() below; an answer's operand picks its outcome, see
// Driver::answer().  tests/fuzz/make_corpus.py writes the seeds.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <iterator>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "chat/dialect.hpp"
#include "chat/line_framer.hpp"
#include "chat/sanitize.hpp"
#include "chat/session.hpp"

namespace {

using chatd::chat::AccountStatus;
using chatd::chat::CreateStatus;
using chatd::chat::DialectId;
using chatd::chat::Event;
using chatd::chat::EventKind;
using chatd::chat::FrameStatus;
using chatd::chat::Lang;
using chatd::chat::LeaveKind;
using chatd::chat::LineFramer;
using chatd::chat::NickStatus;
using chatd::chat::Session;
using chatd::chat::SessionHost;

constexpr std::uint64_t kIdleFlushMs = 150;

[[noreturn]] void violated(const char* what, std::string_view detail) {
  std::fprintf(stderr, "fuzz_session: invariant violated: %s: \"", what);
  for (unsigned char c : detail.substr(0, 400)) {
    if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\')
      std::fputc(c, stderr);
    else
      std::fprintf(stderr, "\\x%02x", c);
  }
  std::fprintf(stderr, "\"\n");
  std::abort();
}

void check(bool ok, const char* what, std::string_view detail = {}) {
  if (!ok) violated(what, detail);
}

// Decodes one UTF-8 code point at s[i] (advancing i); -1 when ill-formed
// (overlongs, surrogates and values above U+10FFFF included).
long next_code_point(std::string_view s, std::size_t& i) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  if (b0 < 0x80) {
    ++i;
    return b0;
  }
  int need = 0;
  long cp = 0;
  long min = 0;
  if (b0 >= 0xC0 && b0 <= 0xDF) {
    need = 1;
    cp = b0 & 0x1F;
    min = 0x80;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    need = 2;
    cp = b0 & 0x0F;
    min = 0x800;
  } else if (b0 >= 0xF0 && b0 <= 0xF7) {
    need = 3;
    cp = b0 & 0x07;
    min = 0x10000;
  } else {
    return -1;
  }
  if (i + static_cast<std::size_t>(need) >= s.size()) return -1;  // truncated
  for (int k = 1; k <= need; ++k) {
    const auto c = static_cast<unsigned char>(s[i + static_cast<std::size_t>(k)]);
    if ((c & 0xC0) != 0x80) return -1;
    cp = (cp << 6) | (c & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return -1;
  i += static_cast<std::size_t>(need) + 1;
  return cp;
}

// Valid UTF-8, no C0 control but TAB (and LF when allow_lf), no DEL, no C1.
void check_clean(std::string_view s, bool allow_lf, const char* what) {
  std::size_t i = 0;
  while (i < s.size()) {
    const long cp = next_code_point(s, i);
    if (cp < 0) violated(what, s);  // invalid UTF-8
    const bool control = cp < 0x20 || (cp >= 0x7F && cp <= 0x9F);
    if (control && cp != '\t' && !(allow_lf && cp == '\n')) violated(what, s);
  }
}

bool is_blank(char c) { return c == ' ' || c == '\t'; }

// A nickname or room name as the session hands it to the host.
void check_name(std::string_view name, std::size_t max_chars, const char* what) {
  check(!name.empty(), what, name);
  check_clean(name, false, what);
  check(!is_blank(name.front()) && !is_blank(name.back()), what, name);
  check(chatd::chat::utf8_length(name) <= max_chars, what, name);
}

enum class Pending : std::uint8_t { None, Nick, Password, Create, Join, Account, NickChange };

// Where a password handed to the host lies in the line the session got:
// the on_line() call (counted from 0) and the bytes in it.
struct PasswordSpan {
  std::size_t line;
  std::size_t offset;
  std::string bytes;
};

// What one run of an input leaves behind, for the rerun to compare.
struct Trace {
  std::string rendered;                // every reply, both dialects, in order
  std::vector<PasswordSpan> passwords;  // in the order handed over
};

// The byte that replaces a password byte in the rerun: never the same one.
char replacement(char c) { return c == 'Z' ? 'Y' : 'Z'; }

class FakeHost final : public SessionHost {
 public:
  void send(const Event& e) override {
    alive("send");
    for (DialectId id : {DialectId::LineEn, DialectId::LinePt, DialectId::Json}) {
      text_.clear();
      chatd::chat::dialect(id).render(e, text_);
      check(!text_.empty(), "empty reply");
      check_clean(text_, true, "reply not clean UTF-8");
      if (id == DialectId::Json)  // one object per WebSocket frame, no line end
        check(text_.front() == '{' && text_.back() == '}', "JSON reply not one object", text_);
      else if (e.kind == EventKind::Prompt || e.kind == EventKind::PasswordPrompt)
        check(text_.back() != '\n', "prompt with a final LF", text_);
      else
        check(text_.back() == '\n', "reply without final LF", text_);
      trace.rendered += text_;
    }
  }
  void claim_nick(std::string_view nick) override {
    alive("claim_nick");
    check(pending == Pending::None, "claim_nick while another call is outstanding", nick);
    check(!nick_held, "claim_nick while holding a nickname", nick);
    check_nick(nick, "bad nickname claimed");
    pending = Pending::Nick;
    nick_held = true;  // held from the claim on (the session releases it)
    held_nick = std::string(nick);
  }
  void create_room(std::string_view room) override {
    alive("create_room");
    check(pending == Pending::None, "create_room while another call is outstanding", room);
    check_name(room, chatd::chat::kMaxRoomChars, "bad room name created");
    pending = Pending::Create;
  }
  void join_room(std::string_view room) override {
    alive("join_room");
    check(pending == Pending::None, "join_room while another call is outstanding", room);
    check_name(room, chatd::chat::kMaxRoomChars, "bad room name joined");
    check(!member || room != member_room_name, "join_room for the room it is in", room);
    pending = Pending::Join;
    pending_name = std::string(room);
  }
  void leave_room(std::uint32_t room_id, std::string_view room, LeaveKind) override {
    alive("leave_room");
    check(member, "leave_room outside a room", room);
    check(room_id == member_room && room == member_room_name, "leave_room for another room", room);
    member = false;
  }
  void publish(std::uint32_t room_id, std::string_view text) override {
    alive("publish");
    check(member && room_id == member_room, "publish outside its room", text);
    check(!text.empty(), "empty message published");
    check_clean(text, false, "published text not clean UTF-8");
    check(!is_blank(text.front()) && !is_blank(text.back()), "published text not trimmed", text);
    check(text.front() != '/', "a command published as text", text);
  }
  void list_rooms(std::string_view filter, std::size_t) override {
    alive("list_rooms");
    check_clean(filter, false, "room filter not clean UTF-8");
  }
  void release_nick() override {
    alive("release_nick");
    check(nick_held, "release_nick without a nickname");
    nick_held = false;
  }
  void finish() override {
    alive("finish");
    finished = true;
  }

  void check_password(std::string_view password) override {
    password_call("check_password", password);
    pending = Pending::Password;
  }
  void register_account(std::string_view password) override {
    password_call("register_account", password);
    pending = Pending::Account;
  }
  void identify(std::string_view password) override {
    password_call("identify", password);
    pending = Pending::Account;
  }
  void change_password(std::string_view old_password, std::string_view new_password) override {
    password_call("change_password (old)", old_password);
    password_call("change_password (new)", new_password);
    pending = Pending::Account;
  }
  void change_nick(std::string_view nick) override {
    alive("change_nick");
    check(pending == Pending::None, "change_nick while another call is outstanding", nick);
    check(nick_held, "change_nick without a nickname", nick);
    check_nick(nick, "bad nickname for /nick");
    check(nick != held_nick, "change_nick to the same nickname", nick);
    pending = Pending::NickChange;
    pending_name = std::string(nick);
  }
  void request_history(std::uint32_t room_id, std::string_view room, std::size_t) override {
    alive("request_history");
    in_room_call(room_id, room, "request_history");
  }
  void private_message(std::string_view to_nick, std::string_view text) override {
    alive("private_message");
    idle_call("private_message", to_nick);
    check_nick(to_nick, "bad nickname for a private message");
    check_text(text, "bad private message text");
  }
  void list_members(std::uint32_t room_id, std::string_view room) override {
    alive("list_members");
    in_room_call(room_id, room, "list_members");
  }
  void topic(std::uint32_t room_id, std::string_view room, const std::string_view* text) override {
    alive("topic");
    in_room_call(room_id, room, "topic");
    if (text && !text->empty()) {
      check_text(*text, "bad topic");
      check(chatd::chat::utf8_length(*text) <= chatd::chat::kMaxTopicChars, "topic too long", *text);
    }
  }
  void set_status(std::string_view text) override {
    alive("set_status");
    idle_call("set_status", text);
    if (!text.empty()) {
      check_text(text, "bad status");
      check(chatd::chat::utf8_length(text) <= chatd::chat::kMaxStatusChars, "status too long", text);
    }
  }
  void whois(std::string_view nick) override {
    alive("whois");
    idle_call("whois", nick);
    check_nick(nick, "bad nickname for whois");
  }

  // The line the session is reading (on_line), for locating passwords.
  void reading(std::string_view line, std::size_t index) {
    line_ = line;
    line_index_ = index;
  }
  // The rerun: the password spans in the order the first run saw them.
  void expect_replaced(const std::vector<PasswordSpan>* spans) { replaced_ = spans; }

  Pending pending = Pending::None;
  std::string pending_name;
  bool nick_held = false;
  std::string held_nick;
  bool member = false;
  std::uint32_t member_room = 0;
  std::string member_room_name;
  bool finished = false;
  bool gone = false;  // on_disconnect ran: no call may follow
  Trace trace;

 private:
  void alive(const char* call) const {
    check(!finished, "host call after finish()", call);
    check(!gone, "host call after the disconnect", call);
  }
  // A call that is not awaited: never while another call is outstanding
  // (the host holds lines back meanwhile).
  void idle_call(const char* call, std::string_view detail) const {
    check(pending == Pending::None, call, detail);
    check(nick_held, "a command without a nickname", call);
  }
  void in_room_call(std::uint32_t room_id, std::string_view room, const char* call) const {
    idle_call(call, room);
    check(member && room_id == member_room && room == member_room_name, "a room call for another room", room);
  }
  static void check_nick(std::string_view nick, const char* what) {
    check_name(nick, chatd::chat::kMaxNickChars, what);
    check(nick.front() != '/', what, nick);
  }
  static void check_text(std::string_view text, const char* what) {
    check(!text.empty(), what);
    check_clean(text, false, what);
    check(!is_blank(text.front()) && !is_blank(text.back()), what, text);
  }
  // Every password: 1..128 bytes, while a nickname is held, borrowed from
  // the line being read; recorded (first run) or checked against the
  // replacement (rerun).
  void password_call(const char* call, std::string_view password) {
    alive(call);
    check(pending == Pending::None, "a password call while another call is outstanding", call);
    check(nick_held, "a password call without a nickname", call);
    check(!password.empty() && password.size() <= chatd::chat::kMaxPasswordBytes, "bad password size", call);
    const char* begin = line_.data();
    const bool inside = password.data() >= begin && password.data() + password.size() <= begin + line_.size();
    check(inside, "a password that is not bytes of the line read", password);
    const PasswordSpan span{line_index_, static_cast<std::size_t>(password.data() - begin), std::string(password)};
    const std::size_t n = trace.passwords.size();
    trace.passwords.push_back(span);
    if (replaced_ == nullptr) return;
    check(n < replaced_->size(), "the rerun handed over more passwords", call);
    const PasswordSpan& want = (*replaced_)[n];
    check(want.line == span.line && want.offset == span.offset && want.bytes.size() == password.size(),
          "the rerun handed over another span as password", call);
    for (std::size_t i = 0; i < password.size(); ++i)
      check(password[i] == replacement(want.bytes[i]), "the rerun's password is not the replacement", password);
  }

  std::string text_;  // one rendering, reused
  std::string_view line_;
  std::size_t line_index_ = 0;
  const std::vector<PasswordSpan>* replaced_ = nullptr;
};

// Interesting fragments the input can pick by index (operation 2).
constexpr std::string_view kTokens[] = {
    "/salas\n", "/rooms\n", "/criar ", "/create ", "/entrar ", "/join ", "/sair\n", "/leave\n",
    "/sair_chat\n", "/QUIT\n", "/ajuda\n", "/help\n", "/xyz\n", "\n", "\r\n", "\r",
    "\xff\xfb\x01", "\xff\xfd\x03", "\xff\xff", "\xff\xfa\x18\x01\xff\xf0", "\xff\xf1", "\xff",
    "\x1b[31m", "\x1b]0;t\x07", "\xc2\x9b", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xc0\xaf",
    "\xe2\x82", "caf\xc3\xa9", "\xf0\x9f\x98\x80", " \t ", "Sala", "Ana", "/", "\x7f",
    // issue 10
    "/registrar ", "/identify ", "/senha ", "/historico ", "/history\n", "/msg ", "/quem\n", "/who\n",
    "/topico ", "/topic -\n", "/apelido ", "/nick ", "/status ", "/status\n", "/perfil ", "/whois ",
    "s3nh4", "\xff\xffpw", " 5\n", "0\n",
};

class Driver {
 public:
  // replace: nullptr for the first run; for the rerun, the first run's
  // passwords, whose bytes are replaced in the lines the session reads.
  Driver(Lang lang, std::size_t max_line, const std::vector<PasswordSpan>* replace)
      : session_(lang, 4242), framer_(max_line), max_line_(max_line), replace_(replace) {
    host_.expect_replaced(replace);
  }

  const Trace& trace() const { return host_.trace; }

  void start() {
    session_.start(host_);
    consistent();
  }

  // Bytes from the socket.
  void receive(std::span<const char> bytes) {
    last_rx_ms_ = now_ms_;
    if (host_.finished || host_.gone) return;  // after /quit the rest is ignored
    if (session_.awaiting() || !stash_.empty()) {
      stash_.append(bytes.data(), bytes.size());
      return;
    }
    pump(bytes);
  }

  void answer(std::uint8_t how) {
    if (host_.gone) return;
    const Pending p = host_.pending;
    host_.pending = Pending::None;
    switch (p) {
      case Pending::None:
        return;
      case Pending::Nick: {
        // Bit 0: Ok (as before issue 10, so the old seeds mean the same);
        // otherwise Taken, NeedsPassword or Registered.
        const NickStatus st = (how & 1) != 0 ? NickStatus::Ok : nick_refusal(how >> 1);
        // Taken or Registered: not held, nothing to release.
        if (st == NickStatus::Taken || st == NickStatus::Registered) host_.nick_held = false;
        session_.nick_result(host_, st);
        if (st == NickStatus::Ok) check(session_.registered() && !session_.nick().empty(), "not registered after ok");
        if (st == NickStatus::NeedsPassword)
          check(session_.phase() == Session::Phase::Password, "no password prompt for an account's nickname");
        break;
      }
      case Pending::Password: {
        const auto st = static_cast<AccountStatus>(how % 6);
        session_.password_result(host_, st);
        if (st == AccountStatus::Ok) check(session_.registered() && session_.identified(), "not logged in after ok");
        if (st != AccountStatus::Ok && st != AccountStatus::WrongPassword)
          check(session_.closed() && host_.finished, "a refused login not closed");
        if (st == AccountStatus::WrongPassword && !session_.closed())
          check(session_.phase() == Session::Phase::Password, "no prompt after a wrong password");
        break;
      }
      case Pending::Account: {
        const bool was = session_.identified();
        const auto st = static_cast<AccountStatus>(how % 6);
        session_.account_result(host_, st);
        if (st != AccountStatus::Ok) check(session_.identified() == was, "a refused account request changed the login");
        break;
      }
      case Pending::NickChange: {
        const NickStatus st = (how & 1) != 0 ? NickStatus::Ok : nick_refusal(how >> 1);
        const std::string old = session_.nick();
        session_.nick_change_result(host_, st);
        if (st == NickStatus::Ok) {
          host_.held_nick = host_.pending_name;
          check(session_.nick() == host_.pending_name && !session_.identified(), "/nick ok not applied");
        } else {
          check(session_.nick() == old, "a refused /nick changed the nickname");
        }
        break;
      }
      case Pending::Create:
        session_.create_result(host_, static_cast<CreateStatus>(how % 4));
        break;
      case Pending::Join: {
        const bool ok = (how & 1) != 0;
        // Each room name maps to one id, as on the server.
        const auto id = static_cast<std::uint32_t>(std::hash<std::string>{}(host_.pending_name) % 1000);
        session_.join_result(host_, ok, id);
        if (ok) {
          check(!host_.member, "old room not left on a join");
          host_.member = true;
          host_.member_room = id;
          host_.member_room_name = host_.pending_name;
        }
        break;
      }
    }
    consistent();
    resume();
  }

  void tick(std::uint64_t ms) {
    now_ms_ += ms;
    if (host_.finished || host_.gone || session_.awaiting() || !stash_.empty()) return;
    if (now_ms_ - last_rx_ms_ < kIdleFlushMs || !framer_.idle_pending()) return;
    if (auto line = framer_.flush_partial()) line_in(*line);
    consistent();
    auto_answer();
  }

  void set_auto(std::uint8_t mode) { auto_ = mode; }

  // An error or reset: no last line, straight to the departure.
  void drop() {
    if (host_.gone) return;
    if (!host_.finished) session_.on_disconnect(host_);
    gone();
  }

  // EOF: the last partial line counts, answers still come, then the departure.
  void eof() {
    if (host_.gone) return;
    for (int guard = 0; guard < 1000 && !host_.finished; ++guard) {
      if (session_.awaiting()) {
        answer(static_cast<std::uint8_t>(guard));
        continue;
      }
      if (!stash_.empty()) {
        resume();
        continue;
      }
      if (auto line = framer_.flush_partial()) {
        line_in(*line);
        consistent();
        continue;
      }
      break;
    }
    if (!host_.finished) session_.on_disconnect(host_);
    gone();
  }

 private:
  void pump(std::span<const char> input) {
    while (!input.empty()) {
      const FrameStatus st = framer_.next(input);
      if (st == FrameStatus::NeedMore) break;
      if (st == FrameStatus::TooLong) {
        session_.on_line_too_long(host_, framer_.max_line());
        consistent();
        continue;
      }
      const std::string_view line = framer_.line();
      check(line.size() <= max_line_, "framed line longer than max-line", line);
      check(line.find('\n') == std::string_view::npos, "LF inside a framed line", line);
      line_in(line);
      consistent();
      if (host_.finished) return;
      if (session_.awaiting()) {
        stash_.append(input.data(), input.size());
        auto_answer();
        return;
      }
    }
  }

  void line_in(std::string_view line) {
    const std::string once = chatd::chat::sanitize(line);
    check(chatd::chat::sanitize(once) == once, "sanitize() not idempotent", line);
    const std::size_t index = lines_read_++;
    if (replace_ != nullptr) {
      bool any = false;
      for (const PasswordSpan& p : *replace_) {
        if (p.line != index) continue;
        if (!any) replaced_line_.assign(line);
        any = true;
        for (std::size_t i = 0; i < p.bytes.size(); ++i)
          replaced_line_[p.offset + i] = replacement(replaced_line_[p.offset + i]);
      }
      if (any) line = replaced_line_;
    }
    host_.reading(line, index);
    session_.on_line(host_, line);
  }

  static NickStatus nick_refusal(std::uint8_t v) {
    constexpr NickStatus kRefusals[] = {NickStatus::Taken, NickStatus::NeedsPassword, NickStatus::Registered};
    return kRefusals[v % 3];
  }

  void resume() {
    if (session_.awaiting() || host_.finished || host_.gone || stash_.empty()) return;
    std::string held;
    held.swap(stash_);
    pump(held);
  }

  void auto_answer() {
    // Mode bit 0: answer every call as soon as it is made, with the rest of
    // the mode byte deciding the outcome; otherwise wait for an 'answer' op.
    if ((auto_ & 1) != 0 && session_.awaiting()) answer(static_cast<std::uint8_t>(auto_ >> 1));
  }

  void gone() {
    host_.gone = true;
    check(!host_.nick_held, "nickname still held after the disconnect");
    check(!host_.member, "still in a room after the disconnect");
    check(session_.closed(), "session not closed after the disconnect");
  }

  void consistent() {
    check(session_.awaiting() == (host_.pending != Pending::None), "awaiting() disagrees with the host");
    check(session_.logging_in() == (!session_.registered() && !session_.closed()), "logging_in() is not 'before the welcome'");
    if (session_.identified()) check(session_.registered(), "identified() without registered()");
    if (session_.registered()) check(session_.nick() == host_.held_nick, "nick() is not the nickname held");
    if (session_.phase() == Session::Phase::Password) check(host_.nick_held, "a password prompt for a nickname not held");
    check(session_.in_room() == host_.member, "in_room() disagrees with the host");
    if (session_.in_room()) check(session_.room_id() == host_.member_room, "room_id() disagrees");
    if (session_.registered()) check(host_.nick_held && !session_.nick().empty(), "registered without a nickname");
    if (session_.closed()) check(!host_.nick_held && !host_.member, "closed but still holding");
  }

  FakeHost host_;
  Session session_;
  LineFramer framer_;
  std::size_t max_line_;
  std::string stash_;
  std::uint64_t now_ms_ = 1000;
  std::uint64_t last_rx_ms_ = 1000;
  std::uint8_t auto_ = 0;
  const std::vector<PasswordSpan>* replace_;
  std::size_t lines_read_ = 0;
  std::string replaced_line_;  // the line with its password bytes replaced (rerun)
};

class Input {
 public:
  Input(const std::uint8_t* p, std::size_t n) : p_(p), n_(n) {}
  bool empty() const { return i_ >= n_; }
  std::uint8_t byte() { return i_ < n_ ? p_[i_++] : 0; }
  std::span<const char> take(std::size_t k) {
    k = std::min(k, n_ - i_);
    std::span<const char> s(reinterpret_cast<const char*>(p_ + i_), k);
    i_ += k;
    return s;
  }

 private:
  const std::uint8_t* p_;
  std::size_t n_;
  std::size_t i_ = 0;
};

// One run of the input; `replace` as for Driver.
Trace run(const std::uint8_t* data, std::size_t size, const std::vector<PasswordSpan>* replace) {
  Input in(data, size);
  const std::uint8_t config = in.byte();
  const Lang lang = (config & 1) != 0 ? Lang::Pt : Lang::En;
  const std::size_t max_line = 32 + 8u * (config >> 1);
  Driver d(lang, max_line, replace);
  d.start();
  bool dropped = false;
  while (!in.empty() && !dropped) {
    switch (in.byte() % 8) {
      case 0:
      case 1:  // raw bytes: length, then the bytes
        d.receive(in.take(std::size_t{in.byte()} + 1));
        break;
      case 2: {  // a fragment from the token table
        const std::string_view t = kTokens[in.byte() % std::size(kTokens)];
        d.receive(std::span<const char>(t.data(), t.size()));
        break;
      }
      case 3:  // answer the outstanding call now; the operand picks the outcome
        d.answer(in.byte());
        break;
      case 4:  // the clock moves on (idle flush)
        d.tick(std::uint64_t{in.byte()} * 4);
        break;
      case 5:  // connection reset
        d.drop();
        dropped = true;
        break;
      case 6:  // answer mode: immediately (bit 0) with outcome bits, or on demand
        d.set_auto(in.byte());
        break;
      case 7: {  // a line: length, the bytes, then LF
        d.receive(in.take(std::size_t{in.byte()} + 1));
        constexpr char lf = '\n';
        d.receive(std::span<const char>(&lf, 1));
        break;
      }
    }
  }
  if (!dropped) d.eof();
  return d.trace();
}

// The first run, then the rerun with the passwords replaced: the replies
// must not change by a byte.
void run_twice(const std::uint8_t* data, std::size_t size) {
  const Trace first = run(data, size, nullptr);
  if (first.passwords.empty()) return;
  const Trace second = run(data, size, &first.passwords);
  check(second.passwords.size() == first.passwords.size(), "the rerun handed over fewer passwords");
  if (second.rendered != first.rendered) {
    std::size_t at = 0;
    while (at < first.rendered.size() && at < second.rendered.size() && first.rendered[at] == second.rendered[at]) ++at;
    const std::size_t from = at > 80 ? at - 80 : 0;
    violated("a password changed what the client was sent (around)", std::string_view(first.rendered).substr(from, 200));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  run_twice(data, size);
  return 0;
}
