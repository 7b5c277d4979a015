// parse_command(): both vocabularies, command word in any case.
#include <doctest/doctest.h>

#include <string>

#include "chat/command.hpp"

using chatd::chat::Command;
using chatd::chat::CommandKind;
using chatd::chat::parse_command;

TEST_CASE("command: Portuguese and English names") {
  struct Case {
    const char* line;
    CommandKind kind;
  };
  const Case cases[] = {
      {"/salas", CommandKind::Rooms},      {"/rooms", CommandKind::Rooms},
      {"/criar X", CommandKind::Create},   {"/create X", CommandKind::Create},
      {"/entrar X", CommandKind::Join},    {"/join X", CommandKind::Join},
      {"/sair", CommandKind::Leave},       {"/leave", CommandKind::Leave},
      {"/sair_chat", CommandKind::Quit},   {"/quit", CommandKind::Quit},
      {"/ajuda", CommandKind::Help},       {"/help", CommandKind::Help},
  };
  for (const Case& c : cases) {
    CAPTURE(c.line);
    CHECK(parse_command(c.line).kind == c.kind);
  }
}

TEST_CASE("command: the word is case-insensitive") {
  CHECK(parse_command("/SAIR_CHAT").kind == CommandKind::Quit);
  CHECK(parse_command("/Sair_Chat").kind == CommandKind::Quit);
  CHECK(parse_command("/sair_CHAT").kind == CommandKind::Quit);
  CHECK(parse_command("/QUIT").kind == CommandKind::Quit);
  CHECK(parse_command("/SALAS").kind == CommandKind::Rooms);
  CHECK(parse_command("/Criar REDES").kind == CommandKind::Create);
  CHECK(parse_command("/ENTRAR REDES").kind == CommandKind::Join);
  CHECK(parse_command("/Join REDES").kind == CommandKind::Join);
  CHECK(parse_command("/SAIR").kind == CommandKind::Leave);
  CHECK(parse_command("/AjUdA").kind == CommandKind::Help);
  // The word is reported as typed.
  CHECK(parse_command("/Sair_Chat").word == "/Sair_Chat");
}

TEST_CASE("command: /sair_chat is Quit, not Leave (the original's bug)") {
  CHECK(parse_command("/sair_chat").kind == CommandKind::Quit);
  CHECK(parse_command("/sair").kind == CommandKind::Leave);
  CHECK(parse_command("/sairx").kind == CommandKind::Unknown);
  CHECK(parse_command("/sair_chatx").kind == CommandKind::Unknown);
  CHECK(parse_command("/sai").kind == CommandKind::Unknown);
}

TEST_CASE("command: arguments keep their case and are trimmed") {
  Command c = parse_command("/criar REDES");
  CHECK(c.kind == CommandKind::Create);
  CHECK(c.word == "/criar");
  CHECK(c.arg == "REDES");

  c = parse_command("/entrar redes");
  CHECK(c.kind == CommandKind::Join);
  CHECK(c.arg == "redes");

  c = parse_command("/create   Sala de Redes \t ");
  CHECK(c.kind == CommandKind::Create);
  CHECK(c.arg == "Sala de Redes");

  c = parse_command("/join\tREDES2");
  CHECK(c.kind == CommandKind::Join);
  CHECK(c.word == "/join");
  CHECK(c.arg == "REDES2");

  c = parse_command("/ENTRAR Ação");
  CHECK(c.kind == CommandKind::Join);
  CHECK(c.arg == "Ação");
}

TEST_CASE("command: missing arguments give an empty arg") {
  Command c = parse_command("/criar");
  CHECK(c.kind == CommandKind::Create);
  CHECK(c.arg.empty());
  c = parse_command("/criar   ");
  CHECK(c.kind == CommandKind::Create);
  CHECK(c.arg.empty());
  c = parse_command("/entrar");
  CHECK(c.kind == CommandKind::Join);
  CHECK(c.arg.empty());
  c = parse_command("/salas");
  CHECK(c.arg.empty());
}

TEST_CASE("command: commands without argument ignore one") {
  Command c = parse_command("/salas agora");
  CHECK(c.kind == CommandKind::Rooms);
  CHECK(c.arg == "agora");
  CHECK(parse_command("/sair_chat tchau").kind == CommandKind::Quit);
  CHECK(parse_command("/sair já").kind == CommandKind::Leave);
}

TEST_CASE("command: unknown commands") {
  Command c = parse_command("/");
  CHECK(c.kind == CommandKind::Unknown);
  CHECK(c.word == "/");
  CHECK(c.arg.empty());

  c = parse_command("/x");
  CHECK(c.kind == CommandKind::Unknown);
  CHECK(c.word == "/x");

  // (This case used "/nick Lari" until /nick became a command, issue 10.)
  c = parse_command("/me Lari");
  CHECK(c.kind == CommandKind::Unknown);
  CHECK(c.word == "/me");
  CHECK(c.arg == "Lari");

  CHECK(parse_command("/ salas").kind == CommandKind::Unknown);
  CHECK(parse_command("//salas").kind == CommandKind::Unknown);
  CHECK(parse_command("/salás").kind == CommandKind::Unknown);
  // Non-ASCII letters are not folded.
  CHECK(parse_command("/SALAS").kind == CommandKind::Rooms);
  CHECK(parse_command("/ſalas").kind == CommandKind::Unknown);
}

TEST_CASE("command: anything not starting with '/' is a message") {
  Command c = parse_command("A aula vai ser no labgrad?");
  CHECK(c.kind == CommandKind::Message);
  CHECK(c.arg == "A aula vai ser no labgrad?");
  CHECK(c.word.empty());

  CHECK(parse_command("sim!! Lab1...").kind == CommandKind::Message);
  CHECK(parse_command("salas").kind == CommandKind::Message);
  CHECK(parse_command("a /salas").kind == CommandKind::Message);
  CHECK(parse_command("").kind == CommandKind::Message);
  CHECK(parse_command("").arg.empty());
}

TEST_CASE("command: identity and memory commands, Portuguese and English (issue 10)") {
  struct Case {
    const char* line;
    CommandKind kind;
  };
  const Case cases[] = {
      {"/registrar x", CommandKind::Register},  {"/register x", CommandKind::Register},
      {"/identificar x", CommandKind::Identify}, {"/identify x", CommandKind::Identify},
      {"/senha a b", CommandKind::Password},      {"/password a b", CommandKind::Password},
      {"/historico", CommandKind::History},       {"/history 5", CommandKind::History},
      {"/msg Lari oi", CommandKind::Msg},         {"/quem", CommandKind::Who},
      {"/who", CommandKind::Who},                 {"/topico", CommandKind::Topic},
      {"/topic Redes", CommandKind::Topic},       {"/apelido Lara", CommandKind::Nick},
      {"/nick Lara", CommandKind::Nick},          {"/status estudando", CommandKind::Status},
      {"/perfil Lari", CommandKind::Whois},       {"/whois Lari", CommandKind::Whois},
  };
  for (const Case& c : cases) {
    CAPTURE(c.line);
    CHECK(parse_command(c.line).kind == c.kind);
  }
  // Any case.
  CHECK(parse_command("/REGISTRAR x").kind == CommandKind::Register);
  CHECK(parse_command("/Identify x").kind == CommandKind::Identify);
  CHECK(parse_command("/SeNhA a b").kind == CommandKind::Password);
  CHECK(parse_command("/HISTORY").kind == CommandKind::History);
  CHECK(parse_command("/MSG a b").kind == CommandKind::Msg);
  CHECK(parse_command("/Quem").kind == CommandKind::Who);
  CHECK(parse_command("/TOPICO").kind == CommandKind::Topic);
  CHECK(parse_command("/Apelido x").kind == CommandKind::Nick);
  CHECK(parse_command("/STATUS").kind == CommandKind::Status);
  CHECK(parse_command("/WhoIs x").kind == CommandKind::Whois);
  // Close but not the same.
  CHECK(parse_command("/histórico").kind == CommandKind::Unknown);
  CHECK(parse_command("/tópico").kind == CommandKind::Unknown);
  CHECK(parse_command("/nicks").kind == CommandKind::Unknown);
  CHECK(parse_command("/who_is x").kind == CommandKind::Unknown);
  CHECK(parse_command("/mensagem x y").kind == CommandKind::Unknown);
}

TEST_CASE("command: two arguments split at the first run of blanks, the rest trimmed") {
  Command c = parse_command("/senha velha \t nova senha  ");
  CHECK(c.kind == CommandKind::Password);
  CHECK(c.arg == "velha \t nova senha");
  CHECK(c.first == "velha");
  CHECK(c.rest == "nova senha");

  c = parse_command("/msg Math oi, tudo bem?");
  CHECK(c.kind == CommandKind::Msg);
  CHECK(c.first == "Math");
  CHECK(c.rest == "oi, tudo bem?");

  c = parse_command("/msg\tMath\t\tA aula");
  CHECK(c.first == "Math");
  CHECK(c.rest == "A aula");

  // One argument only: the rest is empty.
  c = parse_command("/password onlyone");
  CHECK(c.first == "onlyone");
  CHECK(c.rest.empty());
  c = parse_command("/msg Math   ");
  CHECK(c.first == "Math");
  CHECK(c.rest.empty());

  // None at all.
  c = parse_command("/msg");
  CHECK(c.arg.empty());
  CHECK(c.first.empty());
  CHECK(c.rest.empty());

  // Every command gets the split; the one-argument ones just use arg.
  c = parse_command("/topic Redes de Computadores");
  CHECK(c.arg == "Redes de Computadores");
  CHECK(c.first == "Redes");
  CHECK(c.rest == "de Computadores");

  // Messages are not split.
  c = parse_command("oi pessoal");
  CHECK(c.first.empty());
  CHECK(c.rest.empty());
}

TEST_CASE("command: arguments are bytes: a raw line splits the same way") {
  // The session takes passwords from the unsanitised line.
  const std::string raw = "/identify \x1b\xff\xfepw\x01 ";
  const Command c = parse_command(raw);
  CHECK(c.kind == CommandKind::Identify);
  CHECK(c.arg == "\x1b\xff\xfepw\x01");
  CHECK(c.first == c.arg);
  CHECK(c.rest.empty());
}
