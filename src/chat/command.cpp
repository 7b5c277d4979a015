#include "chat/command.hpp"

namespace chatd::chat {

namespace {

struct Word {
  std::string_view name;  // lower case, without the '/'
  CommandKind kind;
};

// Portuguese names first (the first six are the original's), each with its
// English alias. Both always work, whatever language the replies are in.
// Names are ASCII: "/historico", "/topico" (no accents), so any keyboard
// and the ASCII case folding work.
constexpr Word kWords[] = {
    {"salas", CommandKind::Rooms},
    {"rooms", CommandKind::Rooms},
    {"criar", CommandKind::Create},
    {"create", CommandKind::Create},
    {"entrar", CommandKind::Join},
    {"join", CommandKind::Join},
    {"sair", CommandKind::Leave},
    {"leave", CommandKind::Leave},
    {"sair_chat", CommandKind::Quit},
    {"quit", CommandKind::Quit},
    {"ajuda", CommandKind::Help},
    {"help", CommandKind::Help},
    {"registrar", CommandKind::Register},
    {"register", CommandKind::Register},
    {"identificar", CommandKind::Identify},
    {"identify", CommandKind::Identify},
    {"senha", CommandKind::Password},
    {"password", CommandKind::Password},
    {"historico", CommandKind::History},
    {"history", CommandKind::History},
    {"msg", CommandKind::Msg},
    {"quem", CommandKind::Who},
    {"who", CommandKind::Who},
    {"topico", CommandKind::Topic},
    {"topic", CommandKind::Topic},
    {"apelido", CommandKind::Nick},
    {"nick", CommandKind::Nick},
    {"status", CommandKind::Status},
    {"perfil", CommandKind::Whois},
    {"whois", CommandKind::Whois},
};

constexpr bool is_blank(char c) { return c == ' ' || c == '\t'; }

constexpr char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

// ASCII case-insensitive; `folded` is already lower case.
constexpr bool equals_folded(std::string_view typed, std::string_view folded) {
  if (typed.size() != folded.size()) return false;
  for (std::size_t i = 0; i < typed.size(); ++i)
    if (lower(typed[i]) != folded[i]) return false;
  return true;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_blank(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_blank(s.back())) s.remove_suffix(1);
  return s;
}

}  // namespace

Command parse_command(std::string_view line) {
  if (line.empty() || line.front() != '/') return {CommandKind::Message, {}, line};

  std::size_t end = 1;
  while (end < line.size() && !is_blank(line[end])) ++end;
  Command cmd{CommandKind::Unknown, line.substr(0, end), trim(line.substr(end)), {}, {}};
  std::size_t split = 0;
  while (split < cmd.arg.size() && !is_blank(cmd.arg[split])) ++split;
  cmd.first = cmd.arg.substr(0, split);
  cmd.rest = trim(cmd.arg.substr(split));
  const std::string_view name = cmd.word.substr(1);
  for (const Word& w : kWords) {
    if (equals_folded(name, w.name)) {
      cmd.kind = w.kind;
      break;
    }
  }
  return cmd;
}

}  // namespace chatd::chat
