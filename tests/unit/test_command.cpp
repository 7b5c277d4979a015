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

  c = parse_command("/nick Lari");
  CHECK(c.kind == CommandKind::Unknown);
  CHECK(c.word == "/nick");
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
