// Session: the protocol state machine driven through a recording host.
#include <doctest/doctest.h>
#include <fmt/format.h>

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
  void list_rooms() override { calls_.push_back("list"); }
  void release_nick() override { calls_.push_back("release"); }
  void finish() override { calls_.push_back("finish"); }

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
  s.nick_result(host, true);
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

  s.nick_result(host, true);
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
    s.nick_result(host, true);
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
  s.nick_result(host, false);
  CHECK(host.take() == Calls{sent(pt.nick_taken("Lari")), sent(pt.prompt())});
  CHECK(s.phase() == Session::Phase::Nickname);
  CHECK_FALSE(s.registered());
  s.on_line(host, "Lari2");
  CHECK(host.take() == Calls{"claim:Lari2"});
  s.nick_result(host, true);
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
  s.on_line(host, "/Nick Lari");
  CHECK(host.take() == Calls{sent(pt.unknown_command("/Nick"))});
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
    s.nick_result(host, true);
    CHECK(host.take().empty());
  }
}

TEST_CASE("session: over-long lines") {
  FakeHost host;
  Session s(Lang::Pt, 1);
  s.on_line_too_long(host, 4096);
  CHECK(host.take() == Calls{sent(pt.line_too_long(4096)), sent(pt.prompt())});
  s.on_line(host, "Lari");
  s.nick_result(host, true);
  host.take();
  s.on_line_too_long(host, 4096);
  CHECK(host.take() == Calls{sent(pt.line_too_long(4096))});
  CHECK(s.phase() == Session::Phase::Chat);
}
