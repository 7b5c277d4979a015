// Session: the protocol state machine driven through a recording host.
#include <doctest/doctest.h>
#include <fmt/format.h>

#include <algorithm>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "chat/dialect.hpp"
#include "chat/replies.hpp"
#include "chat/session.hpp"

using chatd::chat::CreateStatus;
using chatd::chat::DialectId;
using chatd::chat::Event;
using chatd::chat::Lang;
using chatd::chat::LeaveKind;
using chatd::chat::NickStatus;
using chatd::chat::Replies;
using chatd::chat::Session;
using chatd::chat::SessionHost;

namespace {

using Calls = std::vector<std::string>;

// Records every request as one readable string, events rendered in line-pt
// (the original's bytes); take() hands over and forgets them, so each step
// checks only its own effects.
class FakeHost final : public SessionHost {
 public:
  void send(const Event& e) override {
    calls_.push_back("send:" + chatd::chat::dialect(DialectId::LinePt).render(e));
    // Everything ever sent, in both dialects: no password may be in it.
    everything_sent += calls_.back();
    chatd::chat::dialect(DialectId::LineEn).render(e, everything_sent);
  }
  void claim_nick(std::string_view nick) override { calls_.push_back("claim:" + std::string(nick)); }
  void create_room(std::string_view room) override { calls_.push_back("create:" + std::string(room)); }
  void join_room(std::string_view room) override { calls_.push_back("join:" + std::string(room)); }
  void leave_room(std::uint32_t room_id, std::string_view room, LeaveKind kind) override {
    calls_.push_back(fmt::format("leave:{}:{}:{}", room_id, room, kind == LeaveKind::Quit ? "quit" : "leave"));
  }
  void publish(std::uint32_t room_id, std::string_view text) override {
    calls_.push_back(fmt::format("publish:{}:{}", room_id, text));
  }
  void list_rooms(std::string_view filter, std::size_t page) override {
    calls_.push_back(filter.empty() && page == 0 ? std::string("list") : fmt::format("list:{}:{}", filter, page));
  }
  void release_nick() override { calls_.push_back("release"); }
  void finish() override { calls_.push_back("finish"); }
  void check_password(std::string_view pw) override { calls_.push_back("check_password:" + std::string(pw)); }
  void register_account(std::string_view pw) override { calls_.push_back("register:" + std::string(pw)); }
  void identify(std::string_view pw) override { calls_.push_back("identify:" + std::string(pw)); }
  void change_password(std::string_view old_pw, std::string_view new_pw) override {
    calls_.push_back(fmt::format("change_password:{}:{}", old_pw, new_pw));
  }
  void change_nick(std::string_view nick) override { calls_.push_back("change_nick:" + std::string(nick)); }
  void request_history(std::uint32_t room_id, std::string_view room, std::size_t count) override {
    calls_.push_back(fmt::format("history:{}:{}:{}", room_id, room, count));
  }
  void private_message(std::string_view to_nick, std::string_view text) override {
    calls_.push_back(fmt::format("msg:{}:{}", to_nick, text));
  }
  void list_members(std::uint32_t room_id, std::string_view room) override {
    calls_.push_back(fmt::format("who:{}:{}", room_id, room));
  }
  void topic(std::uint32_t room_id, std::string_view room, const std::string_view* text) override {
    calls_.push_back(text ? fmt::format("topic:{}:{}:set:{}", room_id, room, *text)
                          : fmt::format("topic:{}:{}:show", room_id, room));
  }
  void set_status(std::string_view text) override { calls_.push_back("status:" + std::string(text)); }
  void whois(std::string_view nick) override { calls_.push_back("whois:" + std::string(nick)); }

  std::string everything_sent;

  Calls take() {
    Calls out;
    out.swap(calls_);
    return out;
  }

 private:
  Calls calls_;
};

const Replies pt(Lang::Pt);

std::string sent(const std::string& text) { return "send:" + text; }

// A session past the nickname step, named `nick`.
Session registered_session(FakeHost& host, std::string_view nick = "Lari") {
  Session s(Lang::Pt, 58334);
  s.start(host);
  s.on_line(host, nick);
  s.nick_result(host, NickStatus::Ok);
  host.take();
  return s;
}

// A registered session that has joined `room` with id `id`.
Session session_in_room(FakeHost& host, std::string_view room = "REDES", std::uint32_t id = 3) {
  Session s = registered_session(host);
  s.on_line(host, "/entrar " + std::string(room));
  s.join_result(host, true, id);
  host.take();
  return s;
}

}  // namespace

TEST_CASE("session: prompt, nickname, welcome") {
  FakeHost host;
  Session s(Lang::Pt, 58334);
  CHECK(s.phase() == Session::Phase::Nickname);
  s.start(host);
  CHECK(host.take() == Calls{sent("Digite seu apelido: ")});

  s.on_line(host, "  Fox Mulder \r");
  CHECK(host.take() == Calls{"claim:Fox Mulder"});
  CHECK(s.phase() == Session::Phase::ClaimingNick);
  CHECK(s.awaiting());
  CHECK_FALSE(s.registered());

  s.nick_result(host, NickStatus::Ok);
  CHECK(host.take() == Calls{sent(pt.welcome("Fox Mulder"))});
  CHECK(s.registered());
  CHECK(s.phase() == Session::Phase::Chat);
  CHECK_FALSE(s.awaiting());
  CHECK(s.nick() == "Fox Mulder");
  CHECK_FALSE(s.in_room());
}

TEST_CASE("session: an empty or blank nickname asks for the default nick") {
  for (const char* line : {"", "   ", "\t \t", "\x1b\x07"}) {
    CAPTURE(line);
    FakeHost host;
    Session s(Lang::Pt, 58334);
    s.on_line(host, line);
    CHECK(host.take() == Calls{"claim:Usuário-58334"});
    s.nick_result(host, NickStatus::Ok);
    CHECK(s.nick() == "Usuário-58334");
  }
  FakeHost host;
  Session e(Lang::En, 1234);
  e.on_line(host, "");
  CHECK(host.take() == Calls{"claim:User-1234"});
}

TEST_CASE("session: invalid nicknames get an error and the prompt again") {
  FakeHost host;
  Session s(Lang::Pt, 1);
  const Calls again{sent(pt.nick_invalid()), sent(pt.prompt())};
  s.on_line(host, "/salas");
  CHECK(host.take() == again);
  CHECK(s.phase() == Session::Phase::Nickname);
  s.on_line(host, std::string(33, 'x'));
  CHECK(host.take() == again);
  CHECK(s.phase() == Session::Phase::Nickname);

  // 32 characters are fine, counted as code points, not bytes.
  std::string accents;
  for (int i = 0; i < 32; ++i) accents += "é";
  s.on_line(host, accents);
  CHECK(host.take() == Calls{"claim:" + accents});
}

TEST_CASE("session: 32 ASCII characters is the longest nickname") {
  FakeHost host;
  Session s(Lang::Pt, 1);
  s.on_line(host, std::string(32, 'x'));
  CHECK(host.take() == Calls{"claim:" + std::string(32, 'x')});
}

TEST_CASE("session: a taken nickname gets an error and the prompt again") {
  FakeHost host;
  Session s(Lang::Pt, 1);
  s.on_line(host, "Lari");
  host.take();
  s.nick_result(host, NickStatus::Taken);
  CHECK(host.take() == Calls{sent(pt.nick_taken("Lari")), sent(pt.prompt())});
  CHECK(s.phase() == Session::Phase::Nickname);
  CHECK_FALSE(s.registered());
  s.on_line(host, "Lari2");
  CHECK(host.take() == Calls{"claim:Lari2"});
  s.nick_result(host, NickStatus::Ok);
  CHECK(s.nick() == "Lari2");
}

TEST_CASE("session: lines while awaiting an answer are ignored") {
  FakeHost host;
  Session s(Lang::Pt, 1);
  s.on_line(host, "Lari");
  host.take();
  s.on_line(host, "/salas");
  CHECK(host.take().empty());
  // A stray answer of the wrong kind changes nothing.
  s.join_result(host, true, 9);
  CHECK(host.take().empty());
  CHECK(s.phase() == Session::Phase::ClaimingNick);
}

TEST_CASE("session: commands are routed to the host") {
  FakeHost host;
  Session s = registered_session(host);

  s.on_line(host, "/salas");
  CHECK(host.take() == Calls{"list"});
  s.on_line(host, "/ROOMS");
  CHECK(host.take() == Calls{"list"});

  // /rooms [filter] [page]: a last word that is a positive number is the page.
  s.on_line(host, "/salas 2");
  CHECK(host.take() == Calls{"list::2"});
  s.on_line(host, "/rooms abc");
  CHECK(host.take() == Calls{"list:abc:0"});
  s.on_line(host, "/rooms  redes  de  casa   3 ");
  CHECK(host.take() == Calls{"list:redes  de  casa:3"});
  s.on_line(host, "/rooms 7 1");  // a numeric filter needs its page
  CHECK(host.take() == Calls{"list:7:1"});
  s.on_line(host, "/rooms abc 0");  // not a page: part of the filter
  CHECK(host.take() == Calls{"list:abc 0:0"});
  s.on_line(host, "/rooms x 99999999999999999999999");  // saturated; the host clamps
  CHECK(host.take() == Calls{fmt::format("list:x:{}", std::numeric_limits<std::size_t>::max())});

  s.on_line(host, "/criar REDES");
  CHECK(host.take() == Calls{"create:REDES"});
  CHECK(s.awaiting());
  s.create_result(host, CreateStatus::Created);
  CHECK(host.take() == Calls{sent("✅ Sala 'REDES' criada com sucesso!\n")});
  CHECK_FALSE(s.awaiting());
  CHECK_FALSE(s.in_room());  // creating does not join

  s.on_line(host, "/create REDES");
  CHECK(host.take() == Calls{"create:REDES"});
  s.create_result(host, CreateStatus::Exists);
  CHECK(host.take() == Calls{sent(pt.room_exists())});

  s.on_line(host, "/criar X");
  host.take();
  s.create_result(host, CreateStatus::Limit);
  CHECK(host.take() == Calls{sent(pt.room_limit())});

  s.on_line(host, "/criar Y");
  host.take();
  s.create_result(host, CreateStatus::RateLimited);
  CHECK(host.take() == Calls{sent(pt.room_rate_limited())});
  CHECK_FALSE(s.awaiting());

  s.on_line(host, "/ajuda");
  CHECK(host.take() == Calls{sent(pt.help())});
  s.on_line(host, "/HELP");
  CHECK(host.take() == Calls{sent(pt.help())});
}

TEST_CASE("session: usage errors instead of broadcasting") {
  FakeHost host;
  Session s = session_in_room(host);
  s.on_line(host, "/criar");
  CHECK(host.take() == Calls{sent(pt.usage_create())});
  s.on_line(host, "/criar   ");
  CHECK(host.take() == Calls{sent(pt.usage_create())});
  s.on_line(host, "/entrar");
  CHECK(host.take() == Calls{sent(pt.usage_join())});
  s.on_line(host, "/x");
  CHECK(host.take() == Calls{sent(pt.unknown_command("/x"))});
  s.on_line(host, "/");
  CHECK(host.take() == Calls{sent(pt.unknown_command("/"))});
  // (This used "/Nick Lari" until /nick became a command, issue 10.)
  s.on_line(host, "/Me Lari");
  CHECK(host.take() == Calls{sent(pt.unknown_command("/Me"))});
  CHECK_FALSE(s.awaiting());
}

TEST_CASE("session: over-long room names are refused") {
  FakeHost host;
  Session s = registered_session(host);
  s.on_line(host, "/criar " + std::string(65, 'r'));
  CHECK(host.take() == Calls{sent(pt.room_invalid())});
  s.on_line(host, "/criar " + std::string(64, 'r'));
  CHECK(host.take() == Calls{"create:" + std::string(64, 'r')});
}

TEST_CASE("session: a /join of the room being created may go out before the create's answer") {
  FakeHost host;
  Session s = registered_session(host);
  s.on_line(host, "/criar REDES");
  CHECK(host.take() == Calls{"create:REDES"});
  CHECK_FALSE(s.joins_pending_room("/entrar redes"));  // another room
  CHECK_FALSE(s.joins_pending_room("/criar REDES"));
  CHECK(s.joins_pending_room("/entrar REDES"));
  CHECK(s.joins_pending_room("/join  REDES "));
  s.pipeline_join(host);
  CHECK(host.take() == Calls{"join:REDES"});
  CHECK_FALSE(s.joins_pending_room("/entrar REDES"));  // one is enough
  // A join answer cannot overtake the create's (same owner, FIFO): ignored.
  s.join_result(host, true, 3);
  CHECK(host.take().empty());
  s.create_result(host, CreateStatus::Exists);
  CHECK(host.take() == Calls{sent(pt.room_exists())});
  CHECK(s.awaiting());  // the join's answer is next
  s.join_result(host, true, 3);
  CHECK(host.take() == Calls{sent(pt.joined_self("REDES"))});
  CHECK_FALSE(s.awaiting());
  CHECK(s.room() == "REDES");

  // Not for the room one is in (that /join is an error the session gives itself).
  s.on_line(host, "/criar REDES");
  host.take();
  CHECK_FALSE(s.joins_pending_room("/entrar REDES"));
  s.create_result(host, CreateStatus::Exists);
  host.take();
  CHECK_FALSE(s.awaiting());
  // Nor while joining.
  s.on_line(host, "/entrar X");
  host.take();
  CHECK_FALSE(s.joins_pending_room("/entrar X"));
}

TEST_CASE("session: join, talk, switch, leave") {
  FakeHost host;
  Session s = registered_session(host);

  s.on_line(host, "oi");
  CHECK(host.take() == Calls{sent(pt.message_outside_room())});

  s.on_line(host, "/entrar REDES");
  CHECK(host.take() == Calls{"join:REDES"});
  CHECK(s.awaiting());
  s.join_result(host, true, 3);
  CHECK(host.take() == Calls{sent("✅ Você entrou na sala 'REDES'.\n")});
  CHECK(s.in_room());
  CHECK(s.room() == "REDES");
  CHECK(s.room_id() == 3);

  // Messages go to the room, never echoed to the sender, sanitised.
  s.on_line(host, "  A aula vai ser no labgrad?\x1b[2J ");
  CHECK(host.take() == Calls{"publish:3:A aula vai ser no labgrad?[2J"});
  // Blank lines are ignored after the nickname step.
  s.on_line(host, "   ");
  CHECK(host.take().empty());

  // Joining the room you are in is an error, not a second membership.
  s.on_line(host, "/entrar REDES");
  CHECK(host.take() == Calls{sent(pt.already_in_room("REDES"))});
  CHECK_FALSE(s.awaiting());

  // Room names are case-sensitive: a different room.
  s.on_line(host, "/entrar redes");
  CHECK(host.take() == Calls{"join:redes"});
  s.join_result(host, false, 0);
  CHECK(host.take() == Calls{sent(pt.no_such_room())});
  CHECK(s.room() == "REDES");  // a failed join keeps the old room
  CHECK(s.room_id() == 3);

  // Switching leaves the old room.
  s.on_line(host, "/join REDES2");
  CHECK(host.take() == Calls{"join:REDES2"});
  s.join_result(host, true, 4);
  CHECK(host.take() == Calls{"leave:3:REDES:leave", sent(pt.joined_self("REDES2"))});
  CHECK(s.room() == "REDES2");
  CHECK(s.room_id() == 4);

  s.on_line(host, "/sair");
  CHECK(host.take() == Calls{"leave:4:REDES2:leave", sent("🔹 Você saiu da sala.\n")});
  CHECK_FALSE(s.in_room());

  s.on_line(host, "/LEAVE");
  CHECK(host.take() == Calls{sent("⚠️ Você não está em nenhuma sala.\n")});
  s.on_line(host, "hello?");
  CHECK(host.take() == Calls{sent(pt.message_outside_room())});
}

TEST_CASE("session: /sair_chat quits, in any case, and is not /sair") {
  for (const char* quit : {"/sair_chat", "/SAIR_CHAT", "/Sair_Chat", "/quit", "/sair_chat bye"}) {
    CAPTURE(quit);
    FakeHost host;
    Session s = session_in_room(host);
    s.on_line(host, quit);
    CHECK(host.take() ==
          Calls{"leave:3:REDES:quit", "release", sent("👋 Você saiu do chat.\n"), "finish"});
    CHECK(s.closed());
    CHECK_FALSE(s.in_room());
    // Nothing more happens on a closed session.
    s.on_line(host, "still here?");
    s.on_disconnect(host);
    CHECK(host.take().empty());
  }
  FakeHost host;
  Session s = registered_session(host);
  s.on_line(host, "/sair_chat");
  CHECK(host.take() == Calls{"release", sent(pt.quit_self()), "finish"});
}

TEST_CASE("session: a dropped connection is announced like a quit") {
  SUBCASE("in a room") {
    FakeHost host;
    Session s = session_in_room(host);
    s.on_disconnect(host);
    CHECK(host.take() == Calls{"leave:3:REDES:quit", "release"});
    CHECK(s.closed());
  }
  SUBCASE("registered, no room") {
    FakeHost host;
    Session s = registered_session(host);
    s.on_disconnect(host);
    CHECK(host.take() == Calls{"release"});
  }
  SUBCASE("before any nickname") {
    FakeHost host;
    Session s(Lang::Pt, 1);
    s.start(host);
    host.take();
    s.on_disconnect(host);
    CHECK(host.take().empty());
    CHECK(s.closed());
  }
  SUBCASE("while the nickname claim is on its way") {
    FakeHost host;
    Session s(Lang::Pt, 1);
    s.on_line(host, "Lari");
    host.take();
    s.on_disconnect(host);
    CHECK(host.take() == Calls{"release"});
    // The late answer is ignored.
    s.nick_result(host, NickStatus::Ok);
    CHECK(host.take().empty());
  }
}

TEST_CASE("session: over-long lines") {
  FakeHost host;
  Session s(Lang::Pt, 1);
  s.on_line_too_long(host, 4096);
  CHECK(host.take() == Calls{sent(pt.line_too_long(4096)), sent(pt.prompt())});
  s.on_line(host, "Lari");
  s.nick_result(host, NickStatus::Ok);
  host.take();
  s.on_line_too_long(host, 4096);
  CHECK(host.take() == Calls{sent(pt.line_too_long(4096))});
  CHECK(s.phase() == Session::Phase::Chat);
}

// ------------------------------------------------ identity and memory (issue 10)

using chatd::chat::AccountStatus;
using chatd::chat::ErrorCode;
using chatd::chat::EventKind;
using chatd::chat::kMaxPasswordAttempts;
using chatd::chat::kMaxPasswordBytes;

namespace {

// The line-pt rendering of `e`, as FakeHost records it.
std::string sent(const Event& e) { return "send:" + chatd::chat::dialect(DialectId::LinePt).render(e); }
std::string sent_error(ErrorCode code) { return sent(Event::error_of(code)); }
std::string sent_error(ErrorCode code, std::string_view nick) {
  return sent({.kind = EventKind::Error, .error = code, .nick = nick});
}
std::string password_prompt(std::string_view nick) {
  return sent({.kind = EventKind::PasswordPrompt, .nick = nick});
}

// A session at the password prompt of the account nickname `nick`.
Session at_password_prompt(FakeHost& host, std::string_view nick = "Lari") {
  Session s(Lang::Pt, 58334);
  s.start(host);
  s.on_line(host, nick);
  s.nick_result(host, NickStatus::NeedsPassword);
  host.take();
  return s;
}

// A registered session logged in to its account (through /identify).
Session identified_session(FakeHost& host, std::string_view nick = "Lari") {
  Session s = registered_session(host, nick);
  s.on_line(host, "/identificar s3nha");
  s.account_result(host, AccountStatus::Ok);
  host.take();
  return s;
}

}  // namespace

TEST_CASE("login: a nickname with an account asks for its password; the right one logs in") {
  FakeHost host;
  Session s(Lang::Pt, 58334);
  s.start(host);
  host.take();
  CHECK(s.logging_in());
  s.on_line(host, "Lari");
  CHECK(host.take() == Calls{"claim:Lari"});
  CHECK(s.logging_in());

  s.nick_result(host, NickStatus::NeedsPassword);
  CHECK(host.take() == Calls{"send:Senha para Lari: "});  // no newline, like the nickname prompt
  CHECK(s.phase() == Session::Phase::Password);
  CHECK_FALSE(s.awaiting());
  CHECK(s.logging_in());
  CHECK_FALSE(s.registered());
  CHECK_FALSE(s.identified());

  s.on_line(host, "correct horse");
  CHECK(host.take() == Calls{"check_password:correct horse"});
  CHECK(s.phase() == Session::Phase::CheckingPassword);
  CHECK(s.awaiting());
  CHECK(s.logging_in());

  s.password_result(host, AccountStatus::Ok);
  CHECK(host.take() == Calls{sent({.kind = EventKind::Identified, .nick = "Lari"}), sent(pt.welcome("Lari"))});
  CHECK(host.take().empty());
  CHECK(s.phase() == Session::Phase::Chat);
  CHECK(s.registered());
  CHECK(s.identified());
  CHECK_FALSE(s.awaiting());
  CHECK_FALSE(s.logging_in());
  CHECK(s.nick() == "Lari");
}

TEST_CASE("login: logging_in() covers the nickname and password phases only") {
  FakeHost host;
  Session s = registered_session(host);
  CHECK_FALSE(s.logging_in());
  s.on_line(host, "/criar R");
  CHECK(s.awaiting());
  CHECK_FALSE(s.logging_in());
  s.on_disconnect(host);
  CHECK_FALSE(s.logging_in());
}

TEST_CASE("login: the password line is raw bytes, only the line ending stripped") {
  for (std::string_view line : {std::string_view(" pw with blanks\t"), std::string_view("\x1b[31m\xff\xfe\x01"),
                                std::string_view("/salas"), std::string_view("caf\xc3\xa9")}) {
    CAPTURE(line);
    FakeHost host;
    Session s = at_password_prompt(host);
    s.on_line(host, line);
    CHECK(host.take() == Calls{"check_password:" + std::string(line)});
  }
  FakeHost host;
  Session s = at_password_prompt(host);
  s.on_line(host, "pw\r");
  CHECK(host.take() == Calls{"check_password:pw"});
}

TEST_CASE("login: an empty or over-long password is refused unchecked and does not count") {
  FakeHost host;
  Session s = at_password_prompt(host);
  const Calls again{sent_error(ErrorCode::PasswordInvalid), password_prompt("Lari")};
  for (int i = 0; i < 5; ++i) {
    s.on_line(host, "");
    CHECK(host.take() == again);
    s.on_line(host, "\r");
    CHECK(host.take() == again);
    s.on_line(host, std::string(kMaxPasswordBytes + 1, 'x'));
    CHECK(host.take() == again);
  }
  CHECK(s.phase() == Session::Phase::Password);
  // 128 bytes is the longest accepted.
  s.on_line(host, std::string(kMaxPasswordBytes, 'x'));
  CHECK(host.take() == Calls{"check_password:" + std::string(kMaxPasswordBytes, 'x')});
  // Still three attempts: the refused lines did not count.
  for (unsigned i = 1; i < kMaxPasswordAttempts; ++i) {
    s.password_result(host, AccountStatus::WrongPassword);
    CHECK(host.take() == Calls{sent_error(ErrorCode::WrongPassword), password_prompt("Lari")});
    s.on_line(host, "again");
    host.take();
  }
  s.password_result(host, AccountStatus::WrongPassword);
  CHECK(host.take() == Calls{sent_error(ErrorCode::TooManyAttempts), "release", "finish"});
}

TEST_CASE("login: three wrong passwords close the connection and free the nickname") {
  FakeHost host;
  Session s = at_password_prompt(host);
  for (unsigned i = 1; i < kMaxPasswordAttempts; ++i) {
    s.on_line(host, "wrong");
    CHECK(host.take() == Calls{"check_password:wrong"});
    s.password_result(host, AccountStatus::WrongPassword);
    CHECK(host.take() == Calls{sent_error(ErrorCode::WrongPassword), password_prompt("Lari")});
    CHECK(s.phase() == Session::Phase::Password);
  }
  s.on_line(host, "wrong");
  host.take();
  s.password_result(host, AccountStatus::WrongPassword);
  CHECK(host.take() == Calls{sent("❌ Senha incorreta vezes demais: desconectado.\n"), "release", "finish"});
  CHECK(s.closed());
  CHECK_FALSE(s.registered());
  CHECK_FALSE(s.identified());
  // Nothing more happens.
  s.on_line(host, "right");
  s.password_result(host, AccountStatus::Ok);
  s.on_disconnect(host);
  CHECK(host.take().empty());
}

TEST_CASE("login: a right password after wrong ones logs in") {
  FakeHost host;
  Session s = at_password_prompt(host);
  s.on_line(host, "wrong");
  s.password_result(host, AccountStatus::WrongPassword);
  s.on_line(host, "right");
  host.take();
  s.password_result(host, AccountStatus::Ok);
  CHECK(host.take() == Calls{sent({.kind = EventKind::Identified, .nick = "Lari"}), sent(pt.welcome("Lari"))});
  CHECK(s.identified());
}

TEST_CASE("login: throttled or unverifiable logins are closed the same way") {
  SUBCASE("throttled") {
    FakeHost host;
    Session s = at_password_prompt(host);
    s.on_line(host, "pw");
    host.take();
    s.password_result(host, AccountStatus::Throttled);
    CHECK(host.take() == Calls{sent_error(ErrorCode::LoginThrottled), "release", "finish"});
    CHECK(s.closed());
  }
  SUBCASE("storage unavailable") {
    FakeHost host;
    Session s = at_password_prompt(host);
    s.on_line(host, "pw");
    host.take();
    s.password_result(host, AccountStatus::Unavailable);
    CHECK(host.take() == Calls{sent_error(ErrorCode::StorageUnavailable), "release", "finish"});
    CHECK(s.closed());
  }
}

TEST_CASE("login: a disconnect at the password step frees the held nickname") {
  SUBCASE("at the prompt") {
    FakeHost host;
    Session s = at_password_prompt(host);
    s.on_disconnect(host);
    CHECK(host.take() == Calls{"release"});
    CHECK(s.closed());
  }
  SUBCASE("while the password is checked") {
    FakeHost host;
    Session s = at_password_prompt(host);
    s.on_line(host, "pw");
    host.take();
    s.on_disconnect(host);
    CHECK(host.take() == Calls{"release"});
    s.password_result(host, AccountStatus::Ok);  // late: ignored
    CHECK(host.take().empty());
    CHECK_FALSE(s.identified());
  }
}

TEST_CASE("login: lines while the password is checked are the host's to hold; stray answers are ignored") {
  FakeHost host;
  Session s = at_password_prompt(host);
  s.on_line(host, "pw");
  host.take();
  s.on_line(host, "/salas");
  s.nick_result(host, NickStatus::Ok);
  s.account_result(host, AccountStatus::Ok);
  s.nick_change_result(host, NickStatus::Ok);
  s.join_result(host, true, 1);
  CHECK(host.take().empty());
  CHECK(s.phase() == Session::Phase::CheckingPassword);
  // And a password answer outside the login changes nothing.
  Session r = registered_session(host);
  r.password_result(host, AccountStatus::Ok);
  CHECK(host.take().empty());
  CHECK_FALSE(r.identified());
}

TEST_CASE("login: an over-long line at the password prompt gets the prompt again") {
  FakeHost host;
  Session s = at_password_prompt(host);
  s.on_line_too_long(host, 4096);
  CHECK(host.take() == Calls{sent(pt.line_too_long(4096)), password_prompt("Lari")});
  CHECK(s.phase() == Session::Phase::Password);
}

TEST_CASE("login: 'Registered' at the nickname step counts as taken") {
  FakeHost host;
  Session s(Lang::Pt, 1);
  s.on_line(host, "Lari");
  host.take();
  s.nick_result(host, NickStatus::Registered);
  CHECK(host.take() == Calls{sent(pt.nick_taken("Lari")), sent(pt.prompt())});
  CHECK(s.phase() == Session::Phase::Nickname);
}

TEST_CASE("/register: usage, invalid passwords, success, and the host's refusals") {
  FakeHost host;
  Session s = registered_session(host);
  s.on_line(host, "/registrar");
  CHECK(host.take() == Calls{sent_error(ErrorCode::UsageRegister)});
  s.on_line(host, "/register   \t");
  CHECK(host.take() == Calls{sent_error(ErrorCode::UsageRegister)});
  s.on_line(host, "/registrar " + std::string(kMaxPasswordBytes + 1, 'p'));
  CHECK(host.take() == Calls{sent_error(ErrorCode::PasswordInvalid)});
  CHECK_FALSE(s.awaiting());

  for (AccountStatus refusal : {AccountStatus::AlreadyRegistered, AccountStatus::Unavailable, AccountStatus::Throttled}) {
    s.on_line(host, "/registrar minha senha");
    CHECK(host.take() == Calls{"register:minha senha"});
    CHECK(s.awaiting());
    CHECK(s.phase() == Session::Phase::AwaitingAccount);
    s.account_result(host, refusal);
    const ErrorCode want = refusal == AccountStatus::AlreadyRegistered ? ErrorCode::AlreadyRegistered
                           : refusal == AccountStatus::Unavailable    ? ErrorCode::StorageUnavailable
                                                                      : ErrorCode::LoginThrottled;
    CHECK(host.take() == Calls{sent_error(want, "Lari")});
    CHECK_FALSE(s.identified());
    CHECK_FALSE(s.awaiting());
  }

  s.on_line(host, "/REGISTER " + std::string(kMaxPasswordBytes, 'p'));
  CHECK(host.take() == Calls{"register:" + std::string(kMaxPasswordBytes, 'p')});
  s.account_result(host, AccountStatus::Ok);
  CHECK(host.take() == Calls{sent({.kind = EventKind::AccountRegistered, .nick = "Lari"})});
  CHECK(s.identified());
  CHECK(s.phase() == Session::Phase::Chat);

  s.on_line(host, "/registrar outra");
  CHECK(host.take() == Calls{sent_error(ErrorCode::AlreadyIdentified, "Lari")});
  CHECK(sent_error(ErrorCode::AlreadyRegistered, "Lari") ==
        "send:⚠️ O apelido 'Lari' já tem conta. Use /identificar <senha> para entrar nela.\n");
}

TEST_CASE("/register and /identify take the password as typed, not sanitised") {
  FakeHost host;
  Session s = registered_session(host);
  // Invalid UTF-8 and controls stay: the login prompt would get these bytes.
  s.on_line(host, "/registrar  caf\xc3\xa9\xff\x1b[1m  \r");
  CHECK(host.take() == Calls{"register:caf\xc3\xa9\xff\x1b[1m"});
  s.account_result(host, AccountStatus::Unavailable);
  host.take();
  s.on_line(host, "/identify \x01\x02");
  CHECK(host.take() == Calls{"identify:\x01\x02"});
  s.account_result(host, AccountStatus::WrongPassword);
  host.take();
  // Control characters before the word: which bytes are the password? None.
  s.on_line(host, "\x01/registrar pw");
  CHECK(host.take() == Calls{sent_error(ErrorCode::PasswordInvalid)});
  s.on_line(host, "/identify\x1b pw");
  CHECK(host.take() == Calls{sent_error(ErrorCode::PasswordInvalid)});
}

TEST_CASE("/identify: every answer") {
  FakeHost host;
  Session s = registered_session(host);
  s.on_line(host, "/identificar");
  CHECK(host.take() == Calls{sent_error(ErrorCode::UsageIdentify)});
  s.on_line(host, "/identify " + std::string(kMaxPasswordBytes + 1, 'p'));
  CHECK(host.take() == Calls{sent_error(ErrorCode::PasswordInvalid)});

  const struct {
    AccountStatus status;
    ErrorCode error;
  } refusals[] = {
      {AccountStatus::WrongPassword, ErrorCode::WrongPassword},
      {AccountStatus::NotRegistered, ErrorCode::NotRegistered},
      {AccountStatus::Throttled, ErrorCode::LoginThrottled},
      {AccountStatus::Unavailable, ErrorCode::StorageUnavailable},
  };
  for (const auto& r : refusals) {
    s.on_line(host, "/identificar pw");
    CHECK(host.take() == Calls{"identify:pw"});
    CHECK(s.awaiting());
    s.account_result(host, r.status);
    CHECK(host.take() == Calls{sent_error(r.error, "Lari")});
    CHECK_FALSE(s.identified());
    CHECK_FALSE(s.closed());  // no disconnect outside the login
  }
  s.on_line(host, "/IDENTIFY pw");
  host.take();
  s.account_result(host, AccountStatus::Ok);
  CHECK(host.take() == Calls{sent({.kind = EventKind::Identified, .nick = "Lari"})});
  CHECK(s.identified());
  s.on_line(host, "/identificar pw");
  CHECK(host.take() == Calls{sent_error(ErrorCode::AlreadyIdentified, "Lari")});
  // A stray answer now changes nothing.
  s.account_result(host, AccountStatus::Ok);
  CHECK(host.take().empty());
}

TEST_CASE("/password: needs the login, two arguments, valid passwords") {
  FakeHost host;
  Session anon = registered_session(host);
  anon.on_line(host, "/senha velha nova");
  CHECK(host.take() == Calls{sent_error(ErrorCode::NotIdentified)});

  Session s = identified_session(host);
  for (const char* line : {"/senha", "/senha velha", "/password velha   ", "/SENHA \t"}) {
    CAPTURE(line);
    s.on_line(host, line);
    CHECK(host.take() == Calls{sent_error(ErrorCode::UsagePassword)});
  }
  s.on_line(host, "/senha velha " + std::string(kMaxPasswordBytes + 1, 'n'));
  CHECK(host.take() == Calls{sent_error(ErrorCode::PasswordInvalid)});
  s.on_line(host, "/senha " + std::string(kMaxPasswordBytes + 1, 'o') + " nova");
  CHECK(host.take() == Calls{sent_error(ErrorCode::PasswordInvalid)});

  // The new password is the rest of the line, blanks inside kept.
  s.on_line(host, "/senha  velha \t nova senha boa ");
  CHECK(host.take() == Calls{"change_password:velha:nova senha boa"});
  CHECK(s.awaiting());
  s.account_result(host, AccountStatus::Ok);
  CHECK(host.take() == Calls{sent("✅ Senha alterada.\n")});
  CHECK(s.identified());

  const struct {
    AccountStatus status;
    ErrorCode error;
  } refusals[] = {
      {AccountStatus::WrongPassword, ErrorCode::WrongPassword},
      {AccountStatus::Unavailable, ErrorCode::StorageUnavailable},
      {AccountStatus::Throttled, ErrorCode::LoginThrottled},
  };
  for (const auto& r : refusals) {
    s.on_line(host, "/password a b");
    CHECK(host.take() == Calls{"change_password:a:b"});
    s.account_result(host, r.status);
    CHECK(host.take() == Calls{sent_error(r.error, "Lari")});
    CHECK(s.identified());
    CHECK_FALSE(s.closed());
  }
}

TEST_CASE("passwords never appear in anything sent") {
  const std::string secret = "Tr0ub4dor&3-unique";
  FakeHost host;
  // The login: invalid, wrong, right.
  Session s = at_password_prompt(host);
  s.on_line(host, secret + std::string(kMaxPasswordBytes, 'x'));
  s.on_line(host, secret);
  s.password_result(host, AccountStatus::WrongPassword);
  s.on_line(host, secret);
  s.password_result(host, AccountStatus::Ok);
  // Every account command, every answer.
  for (AccountStatus st : {AccountStatus::WrongPassword, AccountStatus::Throttled, AccountStatus::NotRegistered,
                           AccountStatus::AlreadyRegistered, AccountStatus::Unavailable, AccountStatus::Ok}) {
    s.on_line(host, "/senha " + secret + " " + secret + "2");
    s.account_result(host, st);
    s.on_line(host, "/senha " + secret);
    s.on_line(host, "/registrar " + secret);
    s.on_line(host, "/identificar " + secret);
  }
  // The host did get them.
  const Calls first = host.take();
  CHECK(std::count(first.begin(), first.end(), "check_password:" + secret) == 2);
  CHECK(std::count(first.begin(), first.end(), "change_password:" + secret + ":" + secret + "2") == 6);
  Session r = registered_session(host, "Math");
  for (AccountStatus st : {AccountStatus::WrongPassword, AccountStatus::Throttled, AccountStatus::NotRegistered,
                           AccountStatus::AlreadyRegistered, AccountStatus::Unavailable}) {
    r.on_line(host, "/registrar " + secret);
    r.account_result(host, st);
    r.on_line(host, "/identify " + secret);
    r.account_result(host, st);
    r.on_line(host, "/password " + secret + " x");
    r.on_line(host, "/registrar " + secret + std::string(kMaxPasswordBytes, 'x'));
  }
  const Calls calls = host.take();
  CHECK(std::count(calls.begin(), calls.end(), "register:" + secret) == 5);
  CHECK(std::count(calls.begin(), calls.end(), "identify:" + secret) == 5);
  CHECK(host.everything_sent.find("Tr0ub4dor") == std::string::npos);
  CHECK(host.everything_sent.find("unique") == std::string::npos);
}

TEST_CASE("/nick: usage, invalid, unchanged, and the three answers") {
  FakeHost host;
  Session s = identified_session(host);
  s.on_line(host, "/apelido");
  CHECK(host.take() == Calls{sent_error(ErrorCode::UsageNick)});
  s.on_line(host, "/nick /salas");
  CHECK(host.take() == Calls{sent(pt.nick_invalid())});
  s.on_line(host, "/nick " + std::string(33, 'x'));
  CHECK(host.take() == Calls{sent(pt.nick_invalid())});
  // The same nickname, byte for byte: confirmed without asking, the login stays.
  s.on_line(host, "/nick Lari");
  CHECK(host.take() == Calls{sent({.kind = EventKind::NickChangedSelf, .nick = "Lari"})});
  CHECK(s.identified());
  CHECK_FALSE(s.awaiting());

  s.on_line(host, "/apelido Math");
  CHECK(host.take() == Calls{"change_nick:Math"});
  CHECK(s.awaiting());
  CHECK(s.phase() == Session::Phase::ChangingNick);
  s.nick_change_result(host, NickStatus::Taken);
  CHECK(host.take() == Calls{sent(pt.nick_taken("Math"))});
  CHECK(s.nick() == "Lari");
  CHECK(s.identified());

  s.on_line(host, "/nick Fox Mulder");
  CHECK(host.take() == Calls{"change_nick:Fox Mulder"});
  s.nick_change_result(host, NickStatus::Registered);
  CHECK(host.take() == Calls{sent_error(ErrorCode::NickRegistered, "Fox Mulder")});
  CHECK(s.nick() == "Lari");

  // A case change is a change: the host decides.
  s.on_line(host, "/NICK  lari ");
  CHECK(host.take() == Calls{"change_nick:lari"});
  s.nick_change_result(host, NickStatus::Ok);
  CHECK(host.take() == Calls{sent("✅ Agora você é lari.\n")});
  CHECK(s.nick() == "lari");
  CHECK_FALSE(s.identified());  // a /nick always leaves the account
  CHECK(s.registered());
  CHECK(s.phase() == Session::Phase::Chat);
  s.nick_change_result(host, NickStatus::Ok);  // stray: ignored
  CHECK(host.take().empty());
}

TEST_CASE("/nick: in a room the room stays; a disconnect meanwhile frees the old nickname once") {
  FakeHost host;
  Session s = session_in_room(host);
  s.on_line(host, "/nick Lara");
  CHECK(host.take() == Calls{"change_nick:Lara"});
  s.on_disconnect(host);
  CHECK(host.take() == Calls{"leave:3:REDES:quit", "release"});
  s.nick_change_result(host, NickStatus::Ok);
  CHECK(host.take().empty());

  Session r = session_in_room(host);
  r.on_line(host, "/nick Lara");
  r.nick_change_result(host, NickStatus::Ok);
  host.take();
  CHECK(r.in_room());
  CHECK(r.room() == "REDES");
  r.on_line(host, "oi");
  CHECK(host.take() == Calls{"publish:3:oi"});
}

TEST_CASE("/history: a room, and an optional positive count") {
  FakeHost host;
  Session out = registered_session(host);
  out.on_line(host, "/historico");
  CHECK(host.take() == Calls{sent_error(ErrorCode::NotInRoomForCommand)});
  out.on_line(host, "/history 5");
  CHECK(host.take() == Calls{sent_error(ErrorCode::NotInRoomForCommand)});

  Session s = session_in_room(host);
  s.on_line(host, "/historico");
  CHECK(host.take() == Calls{"history:3:REDES:0"});  // 0: the host's default
  CHECK_FALSE(s.awaiting());
  s.on_line(host, "/history 5");
  CHECK(host.take() == Calls{"history:3:REDES:5"});
  s.on_line(host, "/HISTORICO 007");
  CHECK(host.take() == Calls{"history:3:REDES:7"});
  s.on_line(host, "/history 100000");  // the host clamps
  CHECK(host.take() == Calls{"history:3:REDES:100000"});
  s.on_line(host, "/history 99999999999999999999999999");
  CHECK(host.take() == Calls{fmt::format("history:3:REDES:{}", std::numeric_limits<std::size_t>::max())});
  for (const char* bad : {"0", "-1", "+5", "abc", "5x", "1 2", "1.5", "٣"}) {
    CAPTURE(bad);
    s.on_line(host, std::string("/history ") + bad);
    CHECK(host.take() == Calls{sent_error(ErrorCode::UsageHistory)});
  }
}

TEST_CASE("/msg: a nickname and a text, both sanitised") {
  FakeHost host;
  Session s = registered_session(host);  // no room needed
  for (const char* line : {"/msg", "/msg Math", "/msg   Math  \t", "/MSG"}) {
    CAPTURE(line);
    s.on_line(host, line);
    CHECK(host.take() == Calls{sent_error(ErrorCode::UsageMsg)});
  }
  s.on_line(host, "/msg Math oi, tudo bem?");
  CHECK(host.take() == Calls{"msg:Math:oi, tudo bem?"});
  CHECK_FALSE(s.awaiting());
  s.on_line(host, "/msg\tMa\x1bth  \x07hi \x1b[2J there ");
  CHECK(host.take() == Calls{"msg:Math:hi [2J there"});
  // A name nobody can have.
  s.on_line(host, "/msg /salas hi");
  CHECK(host.take() == Calls{sent_error(ErrorCode::NoSuchNick, "/salas")});
  s.on_line(host, "/msg " + std::string(33, 'n') + " hi");
  CHECK(host.take() == Calls{sent_error(ErrorCode::NoSuchNick, std::string(33, 'n'))});
}

TEST_CASE("/who: the room's members") {
  FakeHost host;
  Session out = registered_session(host);
  out.on_line(host, "/quem");
  CHECK(host.take() == Calls{sent_error(ErrorCode::NotInRoomForCommand)});
  Session s = session_in_room(host);
  s.on_line(host, "/quem");
  CHECK(host.take() == Calls{"who:3:REDES"});
  s.on_line(host, "/WHO everyone");
  CHECK(host.take() == Calls{"who:3:REDES"});
}

TEST_CASE("/topic: show, set, clear, too long") {
  FakeHost host;
  Session out = registered_session(host);
  out.on_line(host, "/topico");
  CHECK(host.take() == Calls{sent_error(ErrorCode::NotInRoomForCommand)});
  out.on_line(host, "/topic Redes");
  CHECK(host.take() == Calls{sent_error(ErrorCode::NotInRoomForCommand)});

  Session s = session_in_room(host);
  s.on_line(host, "/topico");
  CHECK(host.take() == Calls{"topic:3:REDES:show"});
  s.on_line(host, "/topic   Prova de Redes \x1b[5m na sexta ");
  CHECK(host.take() == Calls{"topic:3:REDES:set:Prova de Redes [5m na sexta"});
  s.on_line(host, "/TOPICO -");
  CHECK(host.take() == Calls{"topic:3:REDES:set:"});
  std::string longest;
  for (std::size_t i = 0; i < chatd::chat::kMaxTopicChars; ++i) longest += "é";
  s.on_line(host, "/topic " + longest);
  CHECK(host.take() == Calls{"topic:3:REDES:set:" + longest});
  s.on_line(host, "/topic " + longest + "x");
  CHECK(host.take() ==
        Calls{sent({.kind = EventKind::Error, .error = ErrorCode::TopicTooLong, .number = chatd::chat::kMaxTopicChars})});
  CHECK_FALSE(s.awaiting());
}

TEST_CASE("/status: set, clear, too long, the stored one") {
  FakeHost host;
  Session s = registered_session(host);
  CHECK(s.status().empty());
  s.on_line(host, "/status   estudando \x07 redes ");
  CHECK(host.take() == Calls{"status:estudando  redes", sent("✅ Status definido: estudando  redes\n")});
  CHECK(s.status() == "estudando  redes");
  s.on_line(host, "/STATUS");
  CHECK(host.take() == Calls{"status:", sent("✅ Status removido.\n")});
  CHECK(s.status().empty());

  const std::string longest(chatd::chat::kMaxStatusChars, 's');
  s.on_line(host, "/status " + longest);
  CHECK(host.take() == Calls{"status:" + longest, sent({.kind = EventKind::StatusSet, .text = longest})});
  s.on_line(host, "/status " + longest + "s");
  CHECK(host.take() == Calls{sent({.kind = EventKind::Error, .error = ErrorCode::StatusTooLong,
                                   .number = chatd::chat::kMaxStatusChars})});
  CHECK(s.status() == longest);

  s.set_stored_status("almoçando");
  CHECK(s.status() == "almoçando");
}

TEST_CASE("/whois: a nickname") {
  FakeHost host;
  Session s = registered_session(host);
  s.on_line(host, "/perfil");
  CHECK(host.take() == Calls{sent_error(ErrorCode::UsageWhois)});
  s.on_line(host, "/perfil Math");
  CHECK(host.take() == Calls{"whois:Math"});
  s.on_line(host, "/whois  Fox Mulder ");
  CHECK(host.take() == Calls{"whois:Fox Mulder"});
  s.on_line(host, "/whois /x");
  CHECK(host.take() == Calls{sent_error(ErrorCode::NoSuchNick, "/x")});
  CHECK_FALSE(s.awaiting());
}

TEST_CASE("the new commands in both vocabularies, any case") {
  struct Pair {
    const char* pt;
    const char* en;
    const char* call;
  };
  const Pair pairs[] = {
      {"/historico 2", "/HISTORY 2", "history:3:REDES:2"},
      {"/quem", "/Who", "who:3:REDES"},
      {"/TOPICO", "/topic", "topic:3:REDES:show"},
      {"/Perfil Math", "/WHOIS Math", "whois:Math"},
      {"/msg Math oi", "/MsG Math oi", "msg:Math:oi"},
      {"/status x", "/StAtUs x", "status:x"},
      {"/apelido Lara", "/Nick Lara", "change_nick:Lara"},
      {"/registrar pw", "/Register pw", "register:pw"},
      {"/IDENTIFICAR pw", "/identify pw", "identify:pw"},
  };
  for (const Pair& p : pairs) {
    for (const char* line : {p.pt, p.en}) {
      CAPTURE(line);
      FakeHost host;
      Session s = session_in_room(host);
      s.on_line(host, line);
      const Calls calls = host.take();
      REQUIRE_FALSE(calls.empty());
      CHECK(calls.front() == p.call);
    }
  }
  FakeHost host;
  Session s = identified_session(host);
  s.on_line(host, "/SENHA a b");
  CHECK(host.take() == Calls{"change_password:a:b"});
  s.account_result(host, AccountStatus::Ok);
  s.on_line(host, "/Password a b");
  CHECK(host.take() == Calls{sent("✅ Senha alterada.\n"), "change_password:a:b"});
}

TEST_CASE("/quit and a disconnect after logging in to an account") {
  FakeHost host;
  Session s = identified_session(host);
  s.on_line(host, "/quit");
  CHECK(host.take() == Calls{"release", sent(pt.quit_self()), "finish"});
  CHECK_FALSE(s.identified());
  Session r = identified_session(host);
  r.on_disconnect(host);
  CHECK(host.take() == Calls{"release"});
}
