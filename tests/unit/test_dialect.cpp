// Dialects: the registry, and the line dialects rendering every event.
// line-pt is the original Python server's bytes (the same texts as
// test_replies.cpp and tests/integration/chatd_harness.py's PT).
#include <doctest/doctest.h>

#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "chat/dialect.hpp"
#include "chat/event.hpp"
#include "chat/lang.hpp"

using chatd::chat::default_nick;
using chatd::chat::dialect;
using chatd::chat::Dialect;
using chatd::chat::DialectId;
using chatd::chat::ErrorCode;
using chatd::chat::Event;
using chatd::chat::EventKind;
using chatd::chat::kDialectCount;
using chatd::chat::Lang;
using chatd::chat::line_dialect;
using chatd::chat::parse_dialect;

namespace {

constexpr EventKind kLastKind = EventKind::Error;
constexpr ErrorCode kLastError = ErrorCode::Flood;

// An EventKind or ErrorCode added without moving kLastKind/kLastError (when
// it goes last) and listing it here fails the build (-Wswitch -Werror).
[[maybe_unused]] void listed(EventKind k) {
  switch (k) {
    case EventKind::Prompt: case EventKind::Welcome: case EventKind::Help: case EventKind::RoomList:
    case EventKind::RoomCreated: case EventKind::JoinedSelf: case EventKind::Joined:
    case EventKind::LeftSelf: case EventKind::Left: case EventKind::QuitSelf: case EventKind::Quit:
    case EventKind::Message: case EventKind::Error:
      break;
  }
}
[[maybe_unused]] void listed(ErrorCode e) {
  switch (e) {
    case ErrorCode::NickTaken: case ErrorCode::NickInvalid: case ErrorCode::RoomExists:
    case ErrorCode::RoomInvalid: case ErrorCode::RoomLimit: case ErrorCode::RoomRateLimited:
    case ErrorCode::NoSuchRoom: case ErrorCode::AlreadyInRoom: case ErrorCode::NotInRoom:
    case ErrorCode::MessageOutsideRoom: case ErrorCode::UsageCreate: case ErrorCode::UsageJoin:
    case ErrorCode::UnknownCommand: case ErrorCode::LineTooLong: case ErrorCode::LoginTimeout:
    case ErrorCode::SlowConsumer: case ErrorCode::ShuttingDown: case ErrorCode::ServerFull:
    case ErrorCode::TooManyFromIp: case ErrorCode::Flood:
      break;
  }
}

const std::vector<std::string> kNames{"REDES", "REDES2"};

// Every field filled: each kind takes what it needs.
Event sample(EventKind k, ErrorCode e = {}) {
  return {.kind = k, .error = e, .nick = "Math", .room = "REDES", .text = "/xyz", .names = kNames,
          .number = 4096, .time_ms = 1700000000000};
}

std::vector<Event> every_event() {
  std::vector<Event> all;
  for (int k = 0; k <= static_cast<int>(kLastKind); ++k)
    if (static_cast<EventKind>(k) != EventKind::Error) all.push_back(sample(static_cast<EventKind>(k)));
  for (int e = 0; e <= static_cast<int>(kLastError); ++e)
    all.push_back(sample(EventKind::Error, static_cast<ErrorCode>(e)));
  return all;
}

std::vector<const Dialect*> line_dialects() {
  return {&dialect(DialectId::LineEn), &dialect(DialectId::LinePt)};
}

const Dialect& pt = dialect(DialectId::LinePt);
const Dialect& en = dialect(DialectId::LineEn);

}  // namespace

TEST_CASE("dialect: registry, names and the line dialect per language") {
  for (std::size_t i = 0; i < kDialectCount; ++i) {
    const auto id = static_cast<DialectId>(i);
    CHECK(dialect(id).id() == id);
    CHECK(parse_dialect(dialect(id).name()) == id);
  }
  CHECK(dialect(DialectId::LineEn).name() == "line-en");
  CHECK(dialect(DialectId::LinePt).name() == "line-pt");
  CHECK(parse_dialect("line-en") == DialectId::LineEn);
  CHECK(parse_dialect("line-pt") == DialectId::LinePt);
  CHECK_FALSE(parse_dialect("").has_value());
  CHECK_FALSE(parse_dialect("line").has_value());
  CHECK_FALSE(parse_dialect("LINE-PT").has_value());
  CHECK_FALSE(parse_dialect("json").has_value());
  CHECK(line_dialect(Lang::Pt) == DialectId::LinePt);
  CHECK(line_dialect(Lang::En) == DialectId::LineEn);
}

TEST_CASE("dialect: the default nickname follows the server's language") {
  CHECK(default_nick(Lang::Pt, 58334) == "Usuário-58334");
  CHECK(default_nick(Lang::En, 58334) == "User-58334");
  CHECK(default_nick(Lang::Pt, 0) == "Usuário-0");
  CHECK(default_nick(Lang::Pt, 65535) == "Usuário-65535");
}

TEST_CASE("dialect: line dialects render every event, one line or more, the prompt without LF") {
  const auto events = every_event();
  CHECK(events.size() == static_cast<std::size_t>(kLastKind) + static_cast<std::size_t>(kLastError) + 1);
  for (const Dialect* d : line_dialects()) {
    CAPTURE(d->name());
    std::set<std::string> seen;
    for (const Event& e : events) {
      CAPTURE(static_cast<int>(e.kind));
      CAPTURE(static_cast<int>(e.error));
      const std::string text = d->render(e);
      REQUIRE_FALSE(text.empty());
      if (e.kind == EventKind::Prompt)
        CHECK(text.back() != '\n');
      else
        CHECK(text.back() == '\n');
      // Each event its own text: no two kinds or codes share one.
      CHECK(seen.insert(text).second);
    }
    // The room list with no rooms yet.
    const std::string empty = d->render(Event::of(EventKind::RoomList));
    CHECK(empty.back() == '\n');
    CHECK(empty != d->render(sample(EventKind::RoomList)));
  }
}

TEST_CASE("dialect: the two line dialects differ in wording, not in signs") {
  for (const Event& e : every_event()) {
    CAPTURE(static_cast<int>(e.kind));
    CAPTURE(static_cast<int>(e.error));
    const std::string p = pt.render(e);
    const std::string n = en.render(e);
    if (e.kind == EventKind::Message) {
      CHECK(p == n);
      continue;
    }
    CHECK(p != n);
    // The leading emoji (and the welcome's blank line) are shared.
    if (static_cast<unsigned char>(p[0]) >= 0x80) CHECK(p.substr(0, 4) == n.substr(0, 4));
  }
}

TEST_CASE("dialect: render appends, never clears") {
  for (const Dialect* d : line_dialects()) {
    std::string out = "before|";
    d->render(Event::of(EventKind::LeftSelf), out);
    d->render(sample(EventKind::Message), out);
    CHECK(out == "before|" + d->render(Event::of(EventKind::LeftSelf)) + "[Math] /xyz\n");
  }
}

TEST_CASE("dialect: fields are inserted verbatim") {
  for (const Dialect* d : line_dialects()) {
    CAPTURE(d->name());
    CHECK(d->render({.kind = EventKind::Welcome, .nick = "{}{0}"}).find("{}{0}!") != std::string::npos);
    CHECK(d->render({.kind = EventKind::Error, .error = ErrorCode::NickTaken, .nick = "{0}"})
              .find("'{0}'") != std::string::npos);
    CHECK(d->render({.kind = EventKind::Error, .error = ErrorCode::AlreadyInRoom, .room = "R{}"})
              .find("'R{}'") != std::string::npos);
    CHECK(d->render({.kind = EventKind::Error, .error = ErrorCode::UnknownCommand, .text = "/x{}"})
              .find("/x{}") != std::string::npos);
    CHECK(d->render({.kind = EventKind::Error, .error = ErrorCode::LineTooLong, .number = 123})
              .find("123") != std::string::npos);
    CHECK(d->render({.kind = EventKind::Joined, .nick = "N{", .room = "R}"}).find("N{") != std::string::npos);
    CHECK(d->render({.kind = EventKind::Message, .nick = "{}", .text = "{0} %s"}) == "[{}] {0} %s\n");
  }
}

TEST_CASE("dialect: line-pt is the original's bytes (the report's figures)") {
  CHECK(pt.render(Event::of(EventKind::Prompt)) == "Digite seu apelido: ");
  CHECK(pt.render({.kind = EventKind::Welcome, .nick = "Lari"}) ==
        "\n__Conectado ao servidor__\n"
        "\nBem-vindo(a) ao chat, Lari! Use os comandos:\n"
        "/salas - listar salas disponíveis\n"
        "/criar <sala> - criar uma nova sala\n"
        "/entrar <sala> - entrar em uma sala existente\n"
        "/sair - sair da sala atual\n"
        "/sair_chat - desconectar\n");
  CHECK(pt.render(Event::of(EventKind::RoomList)) == "Salas disponíveis: Nenhuma sala disponível.\n");
  CHECK(pt.render({.kind = EventKind::RoomList, .names = kNames}) == "Salas disponíveis: REDES, REDES2\n");
  CHECK(pt.render({.kind = EventKind::RoomCreated, .room = "REDES"}) == "✅ Sala 'REDES' criada com sucesso!\n");
  CHECK(pt.render({.kind = EventKind::JoinedSelf, .room = "REDES"}) == "✅ Você entrou na sala 'REDES'.\n");
  CHECK(pt.render({.kind = EventKind::Joined, .nick = "Math", .room = "REDES"}) ==
        "📝 Math entrou na sala 'REDES'.\n");
  CHECK(pt.render(Event::of(EventKind::LeftSelf)) == "🔹 Você saiu da sala.\n");
  CHECK(pt.render({.kind = EventKind::Left, .nick = "Lari", .room = "REDES"}) == "📝 Lari saiu da sala 'REDES'.\n");
  CHECK(pt.render(Event::of(EventKind::QuitSelf)) == "👋 Você saiu do chat.\n");
  CHECK(pt.render({.kind = EventKind::Quit, .nick = "Fox Mulder", .room = "REDES2"}) ==
        "👋 Fox Mulder saiu do chat da sala 'REDES2'.\n");
  CHECK(pt.render({.kind = EventKind::Message, .nick = "Math", .room = "REDES", .text = "sim!! Lab1..."}) ==
        "[Math] sim!! Lab1...\n");
  CHECK(pt.render(Event::error_of(ErrorCode::NoSuchRoom)) ==
        "❌ Sala não encontrada. Use /salas para ver as disponíveis ou /criar para criar uma nova.\n");
  CHECK(pt.render(Event::error_of(ErrorCode::RoomExists)) == "⚠️ Essa sala já existe! Tente outro nome.\n");
  // The warning sign carries its emoji variation selector, as in the original.
  CHECK(pt.render(Event::error_of(ErrorCode::RoomExists)).starts_with("\xE2\x9A\xA0\xEF\xB8\x8F "));
  CHECK(pt.render({.kind = EventKind::Error, .error = ErrorCode::UnknownCommand, .text = "/xyz"}) ==
        "❌ Comando desconhecido: /xyz. Use /ajuda para ver os comandos.\n");
  CHECK(pt.render(Event::error_of(ErrorCode::NotInRoom)) == "⚠️ Você não está em nenhuma sala.\n");
  CHECK(pt.render(Event::error_of(ErrorCode::MessageOutsideRoom)) ==
        "⚠️ Você não está em nenhuma sala. Use /entrar <sala> para participar.\n");
  CHECK(pt.render({.kind = EventKind::Error, .error = ErrorCode::AlreadyInRoom, .room = "REDES"}) ==
        "⚠️ Você já está na sala 'REDES'.\n");
  CHECK(pt.render(Event::error_of(ErrorCode::UsageCreate)) == "⚠️ Uso: /criar <sala>\n");
  CHECK(pt.render(Event::error_of(ErrorCode::UsageJoin)) == "⚠️ Uso: /entrar <sala>\n");
}

TEST_CASE("dialect: line-en samples") {
  CHECK(en.render(Event::of(EventKind::Prompt)) == "Enter your nickname: ");
  CHECK(en.render({.kind = EventKind::Message, .nick = "Math", .text = "hi"}) == "[Math] hi\n");
  CHECK(en.render({.kind = EventKind::RoomList, .names = kNames}) == "Rooms: REDES, REDES2\n");
  CHECK(en.render({.kind = EventKind::Joined, .nick = "Math", .room = "REDES"}) == "📝 Math joined room 'REDES'.\n");
}
