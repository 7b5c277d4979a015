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
  Unknown,   // any other /word
};

struct Command {
  CommandKind kind = CommandKind::Message;
  std::string_view word;  // the command word as typed, with its '/'
  std::string_view arg;   // the trimmed rest of the line ("" when none)
};

// `line` is sanitised and trimmed. A line starting with '/' is a command;
// the word ends at the first space/TAB, the argument is the rest, trimmed.
// Arguments keep their case. Commands that take no argument ignore one.
Command parse_command(std::string_view line);

}  // namespace chatd::chat
