// Reply texts: Portuguese byte for byte as PROTOCOL.md's table, English the
// same events one for one.
#include <doctest/doctest.h>

#include <string>
#include <string_view>
#include <vector>

#include "chat/replies.hpp"

using chatd::chat::Lang;
using chatd::chat::parse_lang;
using chatd::chat::Replies;

namespace {

const Replies pt(Lang::Pt);
const Replies en(Lang::En);

bool starts_with_any(std::string_view s, std::initializer_list<std::string_view> heads) {
  for (std::string_view h : heads)
    if (s.starts_with(h)) return true;
  return false;
}

}  // namespace

TEST_CASE("replies: parse_lang") {
  CHECK(parse_lang("pt") == Lang::Pt);
  CHECK(parse_lang("en") == Lang::En);
  CHECK_FALSE(parse_lang("PT").has_value());
  CHECK_FALSE(parse_lang("").has_value());
  CHECK_FALSE(parse_lang("fr").has_value());
  CHECK(pt.lang() == Lang::Pt);
  CHECK(en.lang() == Lang::En);
}

TEST_CASE("replies: Portuguese session texts") {
  CHECK(pt.prompt() == "Digite seu apelido: ");
  CHECK(en.prompt() == "Enter your nickname: ");
  CHECK(pt.default_nick(58334) == "Usuário-58334");
  CHECK(en.default_nick(58334) == "User-58334");
  CHECK(pt.default_nick(0) == "Usuário-0");
  CHECK(pt.default_nick(65535) == "Usuário-65535");

  const std::string want =
      "\n__Conectado ao servidor__\n"
      "\nBem-vindo(a) ao chat, Lari! Use os comandos:\n"
      "/salas - listar salas disponíveis\n"
      "/criar <sala> - criar uma nova sala\n"
      "/entrar <sala> - entrar em uma sala existente\n"
      "/sair - sair da sala atual\n"
      "/sair_chat - desconectar\n";
  const std::string got = pt.welcome("Lari");
  // PROTOCOL.md allows help lines for further commands after the original text.
  REQUIRE(got.size() >= want.size());
  CHECK(got.substr(0, want.size()) == want);
  CHECK(got.back() == '\n');
  CHECK(pt.welcome("Fox Mulder").find("Bem-vindo(a) ao chat, Fox Mulder! Use os comandos:\n") !=
        std::string::npos);
  CHECK(en.welcome("Lari").find("Lari") != std::string::npos);
  // A nickname that looks like a format string is inserted verbatim.
  CHECK(pt.welcome("{}{0}").find("chat, {}{0}!") != std::string::npos);
}

TEST_CASE("replies: Portuguese table, byte for byte") {
  CHECK(pt.room_list({}) == "Salas disponíveis: Nenhuma sala disponível.\n");
  const std::vector<std::string> two{"REDES", "REDES2"};
  CHECK(pt.room_list(two) == "Salas disponíveis: REDES, REDES2\n");
  const std::vector<std::string> one{"REDES"};
  CHECK(pt.room_list(one) == "Salas disponíveis: REDES\n");
  CHECK(pt.room_created("REDES") == "✅ Sala 'REDES' criada com sucesso!\n");
  CHECK(pt.room_exists() == "⚠️ Essa sala já existe! Tente outro nome.\n");
  CHECK(pt.no_such_room() ==
        "❌ Sala não encontrada. Use /salas para ver as disponíveis ou /criar para criar uma nova.\n");
  CHECK(pt.joined_self("REDES") == "✅ Você entrou na sala 'REDES'.\n");
  CHECK(pt.joined_other("Math", "REDES") == "📝 Math entrou na sala 'REDES'.\n");
  CHECK(pt.left_other("Lari", "REDES") == "📝 Lari saiu da sala 'REDES'.\n");
  CHECK(pt.left_self() == "🔹 Você saiu da sala.\n");
  CHECK(pt.not_in_room() == "⚠️ Você não está em nenhuma sala.\n");
  CHECK(pt.quit_other("Math", "REDES") == "👋 Math saiu do chat da sala 'REDES'.\n");
  CHECK(pt.quit_self() == "👋 Você saiu do chat.\n");
  CHECK(pt.message("Math", "sim!! Lab1...") == "[Math] sim!! Lab1...\n");
  CHECK(en.message("Math", "sim!! Lab1...") == "[Math] sim!! Lab1...\n");
  CHECK(pt.message_outside_room() ==
        "⚠️ Você não está em nenhuma sala. Use /entrar <sala> para participar.\n");
  // The warning sign carries its emoji variation selector, as in the original.
  CHECK(pt.room_exists().starts_with("\xE2\x9A\xA0\xEF\xB8\x8F "));
}

TEST_CASE("replies: English room list") {
  const std::vector<std::string> two{"A", "B"};
  const std::string list = en.room_list(two);
  CHECK(list.find("A, B\n") != std::string::npos);
  CHECK(en.room_list({}).back() == '\n');
  CHECK(en.room_created("REDES").find("'REDES'") != std::string::npos);
}

TEST_CASE("replies: every text ends in a newline, prompt aside") {
  const std::vector<std::string> names{"A"};
  for (const Replies* r : {&pt, &en}) {
    CAPTURE(static_cast<int>(r->lang()));
    CHECK(r->prompt().back() != '\n');
    const std::vector<std::string> texts{
        r->welcome("n"), r->help(), r->nick_taken("n"), r->nick_invalid(),
        r->room_list({}), r->room_list(names), r->room_created("A"), r->room_exists(),
        r->room_invalid(), r->room_limit(), r->room_rate_limited(), r->no_such_room(),
        r->joined_self("A"),
        r->joined_other("n", "A"), r->already_in_room("A"), r->left_other("n", "A"),
        r->left_self(), r->not_in_room(), r->quit_other("n", "A"), r->quit_self(),
        r->message("n", "t"), r->message_outside_room(), r->usage_create(), r->usage_join(),
        r->unknown_command("/x"), r->line_too_long(4096), r->login_timeout(),
        r->slow_consumer(), r->shutting_down(), r->server_full(), r->too_many_from_ip(),
        r->flood_disconnect()};
    for (const std::string& t : texts) {
      CAPTURE(t);
      REQUIRE_FALSE(t.empty());
      CHECK(t.back() == '\n');
    }
  }
}

TEST_CASE("replies: the first character tells the kind, in both languages") {
  const std::string_view ok = "✅";
  const std::string_view notice = "📝";
  for (const Replies* r : {&pt, &en}) {
    CAPTURE(static_cast<int>(r->lang()));
    CHECK(r->room_created("A").starts_with(ok));
    CHECK(r->joined_self("A").starts_with(ok));
    CHECK(r->joined_other("n", "A").starts_with(notice));
    CHECK(r->left_other("n", "A").starts_with(notice));
    const std::vector<std::string> errors{
        r->nick_taken("n"), r->nick_invalid(),     r->room_exists(),
        r->room_invalid(),  r->room_limit(),       r->room_rate_limited(),
        r->no_such_room(),
        r->already_in_room("A"), r->not_in_room(), r->message_outside_room(),
        r->usage_create(),  r->usage_join(),       r->unknown_command("/x"),
        r->line_too_long(4096)};
    for (const std::string& e : errors) {
      CAPTURE(e);
      CHECK(starts_with_any(e, {"⚠️", "❌"}));
    }
  }
  // Same kind of sign for the same event in both languages.
  CHECK(en.room_exists().substr(0, 6) == pt.room_exists().substr(0, 6));
  CHECK(en.no_such_room().substr(0, 3) == pt.no_such_room().substr(0, 3));
  CHECK(en.left_self().substr(0, 4) == pt.left_self().substr(0, 4));
  CHECK(en.quit_self().substr(0, 4) == pt.quit_self().substr(0, 4));
  CHECK(en.quit_other("n", "A").substr(0, 4) == pt.quit_other("n", "A").substr(0, 4));
}

TEST_CASE("replies: arguments are inserted verbatim") {
  CHECK(pt.unknown_command("/x{}").find("/x{}") != std::string::npos);
  CHECK(pt.nick_taken("{0}").find("'{0}'") != std::string::npos);
  CHECK(pt.line_too_long(4096).find("4096") != std::string::npos);
  CHECK(en.line_too_long(123).find("123") != std::string::npos);
  CHECK(pt.already_in_room("REDES").find("'REDES'") != std::string::npos);
}
