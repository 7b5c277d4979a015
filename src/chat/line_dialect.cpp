#include "chat/line_dialect.hpp"

#include <iterator>

#include <fmt/format.h>

namespace chatd::chat {
namespace {

// Every text of one language. Those with {} take the event's fields, in the
// order render() passes them; the others are sent as they are.
struct LineTexts {
  std::string_view prompt;  // no newline
  std::string_view welcome;  // nick
  std::string_view help;
  std::string_view room_list;       // the names follow, then "\n"
  std::string_view room_list_none;  // instead of the names
  std::string_view room_created;    // room
  std::string_view joined_self;     // room
  std::string_view joined;          // nick, room
  std::string_view left_self;
  std::string_view left;       // nick, room
  std::string_view quit_self;
  std::string_view quit;       // nick, room
  // Errors, by ErrorCode.
  std::string_view nick_taken;  // nick
  std::string_view nick_invalid;
  std::string_view room_exists;
  std::string_view room_invalid;
  std::string_view room_limit;
  std::string_view room_rate_limited;
  std::string_view no_such_room;
  std::string_view already_in_room;  // room
  std::string_view not_in_room;
  std::string_view message_outside_room;
  std::string_view usage_create;
  std::string_view usage_join;
  std::string_view unknown_command;  // text (the command word)
  std::string_view line_too_long;    // number (the limit)
  std::string_view login_timeout;
  std::string_view slow_consumer;
  std::string_view shutting_down;
  std::string_view server_full;
  std::string_view too_many_from_ip;
  std::string_view flood;
};

// The original's wording, byte for byte (PROTOCOL.md's table).
constexpr LineTexts kPt{
    .prompt = "Digite seu apelido: ",
    .welcome =
        "\n__Conectado ao servidor__\n"
        "\nBem-vindo(a) ao chat, {}! Use os comandos:\n"
        "/salas - listar salas disponíveis\n"
        "/criar <sala> - criar uma nova sala\n"
        "/entrar <sala> - entrar em uma sala existente\n"
        "/sair - sair da sala atual\n"
        "/sair_chat - desconectar\n",
    .help =
        "Comandos:\n"
        "/salas (/rooms) - listar salas disponíveis\n"
        "/criar (/create) <sala> - criar uma nova sala\n"
        "/entrar (/join) <sala> - entrar em uma sala existente\n"
        "/sair (/leave) - sair da sala atual\n"
        "/sair_chat (/quit) - desconectar\n"
        "/ajuda (/help) - esta lista\n",
    .room_list = "Salas disponíveis: ",
    .room_list_none = "Nenhuma sala disponível.",
    .room_created = "✅ Sala '{}' criada com sucesso!\n",
    .joined_self = "✅ Você entrou na sala '{}'.\n",
    .joined = "📝 {} entrou na sala '{}'.\n",
    .left_self = "🔹 Você saiu da sala.\n",
    .left = "📝 {} saiu da sala '{}'.\n",
    .quit_self = "👋 Você saiu do chat.\n",
    .quit = "👋 {} saiu do chat da sala '{}'.\n",
    .nick_taken = "⚠️ O apelido '{}' já está em uso. Escolha outro.\n",
    .nick_invalid = "⚠️ Apelido inválido: use de 1 a 32 caracteres, sem começar com '/'.\n",
    .room_exists = "⚠️ Essa sala já existe! Tente outro nome.\n",
    .room_invalid = "⚠️ Nome de sala inválido: use de 1 a 64 caracteres.\n",
    .room_limit = "❌ Limite de salas atingido. Tente mais tarde.\n",
    .room_rate_limited = "⚠️ Você está criando salas rápido demais. Aguarde um minuto.\n",
    .no_such_room =
        "❌ Sala não encontrada. Use /salas para ver as disponíveis ou /criar para criar uma nova.\n",
    .already_in_room = "⚠️ Você já está na sala '{}'.\n",
    .not_in_room = "⚠️ Você não está em nenhuma sala.\n",
    .message_outside_room = "⚠️ Você não está em nenhuma sala. Use /entrar <sala> para participar.\n",
    .usage_create = "⚠️ Uso: /criar <sala>\n",
    .usage_join = "⚠️ Uso: /entrar <sala>\n",
    .unknown_command = "❌ Comando desconhecido: {}. Use /ajuda para ver os comandos.\n",
    .line_too_long = "⚠️ Linha longa demais (máximo {} bytes): descartada.\n",
    .login_timeout = "❌ Tempo esgotado esperando o apelido.\n",
    .slow_consumer = "❌ Desconectado: saída pendente acima do limite (leitura lenta).\n",
    .shutting_down = "⚠️ Servidor encerrando. Até logo!\n",
    .server_full = "❌ Servidor lotado. Tente mais tarde.\n",
    .too_many_from_ip = "❌ Conexões demais deste endereço.\n",
    .flood = "❌ Desconectado: mensagens demais (flood).\n",
};

// The same events one for one, with the same leading sign.
constexpr LineTexts kEn{
    .prompt = "Enter your nickname: ",
    .welcome =
        "\n__Connected to the server__\n"
        "\nWelcome to the chat, {}! Commands:\n"
        "/rooms - list the rooms\n"
        "/create <room> - create a new room\n"
        "/join <room> - join an existing room\n"
        "/leave - leave the current room\n"
        "/quit - disconnect\n"
        "/help - this list (Portuguese names work too: /salas, /criar, /entrar, /sair, /sair_chat, /ajuda)\n",
    .help =
        "Commands:\n"
        "/rooms (/salas) - list the rooms\n"
        "/create (/criar) <room> - create a new room\n"
        "/join (/entrar) <room> - join an existing room\n"
        "/leave (/sair) - leave the current room\n"
        "/quit (/sair_chat) - disconnect\n"
        "/help (/ajuda) - this list\n",
    .room_list = "Rooms: ",
    .room_list_none = "none yet.",
    .room_created = "✅ Room '{}' created.\n",
    .joined_self = "✅ You joined room '{}'.\n",
    .joined = "📝 {} joined room '{}'.\n",
    .left_self = "🔹 You left the room.\n",
    .left = "📝 {} left room '{}'.\n",
    .quit_self = "👋 You left the chat.\n",
    .quit = "👋 {} left the chat from room '{}'.\n",
    .nick_taken = "⚠️ The nickname '{}' is taken. Choose another.\n",
    .nick_invalid = "⚠️ Invalid nickname: use 1 to 32 characters, not starting with '/'.\n",
    .room_exists = "⚠️ That room already exists! Try another name.\n",
    .room_invalid = "⚠️ Invalid room name: use 1 to 64 characters.\n",
    .room_limit = "❌ Room limit reached. Try again later.\n",
    .room_rate_limited = "⚠️ You are creating rooms too fast. Wait a minute.\n",
    .no_such_room = "❌ No such room. Use /rooms to list them or /create to make a new one.\n",
    .already_in_room = "⚠️ You are already in room '{}'.\n",
    .not_in_room = "⚠️ You are not in a room.\n",
    .message_outside_room = "⚠️ You are not in a room. Use /join <room> to take part.\n",
    .usage_create = "⚠️ Usage: /create <room>\n",
    .usage_join = "⚠️ Usage: /join <room>\n",
    .unknown_command = "❌ Unknown command: {}. Use /help to list the commands.\n",
    .line_too_long = "⚠️ Line too long (at most {} bytes): discarded.\n",
    .login_timeout = "❌ Timed out waiting for a nickname.\n",
    .slow_consumer = "❌ Disconnected: too much unread output (slow reader).\n",
    .shutting_down = "⚠️ Server shutting down. Goodbye!\n",
    .server_full = "❌ Server full. Try again later.\n",
    .too_many_from_ip = "❌ Too many connections from your address.\n",
    .flood = "❌ Disconnected: too many messages (flood).\n",
};

// Appends `format` with the arguments put in verbatim (they are never
// parsed as formats themselves).
template <typename... Args>
void append(std::string& out, std::string_view format, const Args&... args) {
  fmt::format_to(std::back_inserter(out), fmt::runtime(format), args...);
}

// The text of an error that takes no argument; "" for those that do.
std::string_view fixed_error_text(const LineTexts& t, ErrorCode code) {
  switch (code) {
    case ErrorCode::NickInvalid: return t.nick_invalid;
    case ErrorCode::RoomExists: return t.room_exists;
    case ErrorCode::RoomInvalid: return t.room_invalid;
    case ErrorCode::RoomLimit: return t.room_limit;
    case ErrorCode::RoomRateLimited: return t.room_rate_limited;
    case ErrorCode::NoSuchRoom: return t.no_such_room;
    case ErrorCode::NotInRoom: return t.not_in_room;
    case ErrorCode::MessageOutsideRoom: return t.message_outside_room;
    case ErrorCode::UsageCreate: return t.usage_create;
    case ErrorCode::UsageJoin: return t.usage_join;
    case ErrorCode::LoginTimeout: return t.login_timeout;
    case ErrorCode::SlowConsumer: return t.slow_consumer;
    case ErrorCode::ShuttingDown: return t.shutting_down;
    case ErrorCode::ServerFull: return t.server_full;
    case ErrorCode::TooManyFromIp: return t.too_many_from_ip;
    case ErrorCode::Flood: return t.flood;
    case ErrorCode::NickTaken:
    case ErrorCode::AlreadyInRoom:
    case ErrorCode::UnknownCommand:
    case ErrorCode::LineTooLong:
      break;  // formatted by render_error
  }
  return {};
}

void render_error(const LineTexts& t, const Event& e, std::string& out) {
  switch (e.error) {
    case ErrorCode::NickTaken:
      append(out, t.nick_taken, e.nick);
      return;
    case ErrorCode::AlreadyInRoom:
      append(out, t.already_in_room, e.room);
      return;
    case ErrorCode::UnknownCommand:
      append(out, t.unknown_command, e.text);
      return;
    case ErrorCode::LineTooLong:
      append(out, t.line_too_long, e.number);
      return;
    default:
      out += fixed_error_text(t, e.error);
      return;
  }
}

}  // namespace

std::string_view LineDialect::name() const { return lang_ == Lang::Pt ? "line-pt" : "line-en"; }

void LineDialect::render(const Event& e, std::string& out) const {
  const LineTexts& t = lang_ == Lang::Pt ? kPt : kEn;
  switch (e.kind) {
    case EventKind::Prompt:
      out += t.prompt;
      return;
    case EventKind::Welcome:
      append(out, t.welcome, e.nick);
      return;
    case EventKind::Help:
      out += t.help;
      return;
    case EventKind::RoomList:
      out += t.room_list;
      if (e.names.empty()) {
        out += t.room_list_none;
      } else {
        for (std::size_t i = 0; i < e.names.size(); ++i) {
          if (i) out += ", ";
          out += e.names[i];
        }
      }
      out += '\n';
      return;
    case EventKind::RoomCreated:
      append(out, t.room_created, e.room);
      return;
    case EventKind::JoinedSelf:
      append(out, t.joined_self, e.room);
      return;
    case EventKind::Joined:
      append(out, t.joined, e.nick, e.room);
      return;
    case EventKind::LeftSelf:
      out += t.left_self;
      return;
    case EventKind::Left:
      append(out, t.left, e.nick, e.room);
      return;
    case EventKind::QuitSelf:
      out += t.quit_self;
      return;
    case EventKind::Quit:
      append(out, t.quit, e.nick, e.room);
      return;
    case EventKind::Message:
      for (std::string_view part : line_message_parts(e.nick, e.text)) out += part;
      return;
    case EventKind::Error:
      render_error(t, e, out);
      return;
  }
}

}  // namespace chatd::chat
