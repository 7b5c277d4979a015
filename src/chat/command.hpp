#pragma once
// Command parsing: both vocabularies (pt/en), command word case-insensitive.
#include <cstdint>
#include <string_view>

namespace chatd::chat {

enum class CommandKind : std::uint8_t {
  Message,   // not a command: chat text (the whole line)
  Rooms,     // /salas  /rooms
  Create,    // /criar  /create <room>
  Join,      // /entrar /join <room>
  Leave,     // /sair   /leave
  Quit,      // /sair_chat /quit
  Help,      // /ajuda  /help
  Register,  // /registrar   /register <password>
  Identify,  // /identificar /identify <password>
  Password,  // /senha       /password <old> <new>
  History,   // /historico   /history [n]
  Msg,       // /msg <nick> <text> (the same word in both)
  Who,       // /quem    /who
  Topic,     // /topico  /topic [text]
  Nick,      // /apelido /nick <new>
  Status,    // /status [text] (the same word in both)
  Whois,     // /perfil  /whois <nick>
  Unknown,   // any other /word
};

struct Command {
  CommandKind kind = CommandKind::Message;
  std::string_view word;  // the command word as typed, with its '/'
  std::string_view arg;   // the trimmed rest of the line ("" when none)
  // `arg` split in two, for the commands that take two arguments (/senha
  // <old> <new>, /msg <nick> <text>): `first` ends at the first blank of
  // `arg`, `rest` is what follows it, trimmed. Either may be "".
  std::string_view first;
  std::string_view rest;
};

// `line` is sanitised and trimmed. A line starting with '/' is a command;
// the word ends at the first space/TAB, the argument is the rest, trimmed.
// Arguments keep their case. Commands that take no argument ignore one.
// Parsing looks at ASCII blanks and the '/' only, so it also splits a line
// that is not sanitised (the session takes passwords from the raw line).
Command parse_command(std::string_view line);

}  // namespace chatd::chat
