#include "chat/replies.hpp"

#include <fmt/format.h>

namespace chatd::chat {

std::optional<Lang> parse_lang(std::string_view s) {
  if (s == "en") return Lang::En;
  if (s == "pt") return Lang::Pt;
  return std::nullopt;
}

namespace {
// Picks the text of the configured language.
constexpr std::string_view pick(Lang l, std::string_view pt, std::string_view en) {
  return l == Lang::Pt ? pt : en;
}
}  // namespace

std::string Replies::prompt() const {
  return std::string(pick(lang_, "Digite seu apelido: ", "Enter your nickname: "));
}

std::string Replies::welcome(std::string_view nick) const {
  if (lang_ == Lang::Pt)
    return fmt::format(
        "\n__Conectado ao servidor__\n"
        "\nBem-vindo(a) ao chat, {}! Use os comandos:\n"
        "/salas - listar salas disponíveis\n"
        "/criar <sala> - criar uma nova sala\n"
        "/entrar <sala> - entrar em uma sala existente\n"
        "/sair - sair da sala atual\n"
        "/sair_chat - desconectar\n",
        nick);
  return fmt::format(
      "\n__Connected to the server__\n"
      "\nWelcome to the chat, {}! Commands:\n"
      "/rooms - list the rooms\n"
      "/create <room> - create a new room\n"
      "/join <room> - join an existing room\n"
      "/leave - leave the current room\n"
      "/quit - disconnect\n"
      "/help - this list (Portuguese names work too: /salas, /criar, /entrar, /sair, /sair_chat, /ajuda)\n",
      nick);
}

std::string Replies::help() const {
  if (lang_ == Lang::Pt)
    return "Comandos:\n"
           "/salas (/rooms) - listar salas disponíveis\n"
           "/criar (/create) <sala> - criar uma nova sala\n"
           "/entrar (/join) <sala> - entrar em uma sala existente\n"
           "/sair (/leave) - sair da sala atual\n"
           "/sair_chat (/quit) - desconectar\n"
           "/ajuda (/help) - esta lista\n";
  return "Commands:\n"
         "/rooms (/salas) - list the rooms\n"
         "/create (/criar) <room> - create a new room\n"
         "/join (/entrar) <room> - join an existing room\n"
         "/leave (/sair) - leave the current room\n"
         "/quit (/sair_chat) - disconnect\n"
         "/help (/ajuda) - this list\n";
}

std::string Replies::default_nick(std::uint16_t port) const {
  return fmt::format("{}-{}", pick(lang_, "Usuário", "User"), port);
}

std::string Replies::nick_taken(std::string_view nick) const {
  return fmt::format(fmt::runtime(pick(lang_, "⚠️ O apelido '{}' já está em uso. Escolha outro.\n",
                                       "⚠️ The nickname '{}' is taken. Choose another.\n")),
                     nick);
}

std::string Replies::nick_invalid() const {
  return std::string(pick(lang_,
                          "⚠️ Apelido inválido: use de 1 a 32 caracteres, sem começar com '/'.\n",
                          "⚠️ Invalid nickname: use 1 to 32 characters, not starting with '/'.\n"));
}

std::string Replies::room_list(std::span<const std::string> names) const {
  std::string out(pick(lang_, "Salas disponíveis: ", "Rooms: "));
  if (names.empty()) {
    out += pick(lang_, "Nenhuma sala disponível.", "none yet.");
  } else {
    for (std::size_t i = 0; i < names.size(); ++i) {
      if (i) out += ", ";
      out += names[i];
    }
  }
  out += '\n';
  return out;
}

std::string Replies::room_created(std::string_view room) const {
  return fmt::format(fmt::runtime(pick(lang_, "✅ Sala '{}' criada com sucesso!\n",
                                       "✅ Room '{}' created.\n")),
                     room);
}

std::string Replies::room_exists() const {
  return std::string(pick(lang_, "⚠️ Essa sala já existe! Tente outro nome.\n",
                          "⚠️ That room already exists! Try another name.\n"));
}

std::string Replies::room_invalid() const {
  return std::string(pick(lang_, "⚠️ Nome de sala inválido: use de 1 a 64 caracteres.\n",
                          "⚠️ Invalid room name: use 1 to 64 characters.\n"));
}

std::string Replies::room_limit() const {
  return std::string(pick(lang_, "❌ Limite de salas atingido. Tente mais tarde.\n",
                          "❌ Room limit reached. Try again later.\n"));
}

std::string Replies::room_rate_limited() const {
  return std::string(pick(lang_, "⚠️ Você está criando salas rápido demais. Aguarde um minuto.\n",
                          "⚠️ You are creating rooms too fast. Wait a minute.\n"));
}

std::string Replies::no_such_room() const {
  return std::string(pick(lang_,
                          "❌ Sala não encontrada. Use /salas para ver as disponíveis ou /criar para "
                          "criar uma nova.\n",
                          "❌ No such room. Use /rooms to list them or /create to make a new one.\n"));
}

std::string Replies::joined_self(std::string_view room) const {
  return fmt::format(fmt::runtime(pick(lang_, "✅ Você entrou na sala '{}'.\n",
                                       "✅ You joined room '{}'.\n")),
                     room);
}

std::string Replies::joined_other(std::string_view nick, std::string_view room) const {
  return fmt::format(fmt::runtime(pick(lang_, "📝 {} entrou na sala '{}'.\n",
                                       "📝 {} joined room '{}'.\n")),
                     nick, room);
}

std::string Replies::already_in_room(std::string_view room) const {
  return fmt::format(fmt::runtime(pick(lang_, "⚠️ Você já está na sala '{}'.\n",
                                       "⚠️ You are already in room '{}'.\n")),
                     room);
}

std::string Replies::left_other(std::string_view nick, std::string_view room) const {
  return fmt::format(fmt::runtime(pick(lang_, "📝 {} saiu da sala '{}'.\n",
                                       "📝 {} left room '{}'.\n")),
                     nick, room);
}

std::string Replies::left_self() const {
  return std::string(pick(lang_, "🔹 Você saiu da sala.\n", "🔹 You left the room.\n"));
}

std::string Replies::not_in_room() const {
  return std::string(pick(lang_, "⚠️ Você não está em nenhuma sala.\n",
                          "⚠️ You are not in a room.\n"));
}

std::string Replies::quit_other(std::string_view nick, std::string_view room) const {
  return fmt::format(fmt::runtime(pick(lang_, "👋 {} saiu do chat da sala '{}'.\n",
                                       "👋 {} left the chat from room '{}'.\n")),
                     nick, room);
}

std::string Replies::quit_self() const {
  return std::string(pick(lang_, "👋 Você saiu do chat.\n", "👋 You left the chat.\n"));
}

std::string Replies::message(std::string_view nick, std::string_view text) const {
  std::string out;
  for (auto part : message_parts(nick, text)) out += part;
  return out;
}

std::string Replies::message_outside_room() const {
  return std::string(pick(lang_,
                          "⚠️ Você não está em nenhuma sala. Use /entrar <sala> para participar.\n",
                          "⚠️ You are not in a room. Use /join <room> to take part.\n"));
}

std::string Replies::usage_create() const {
  return std::string(pick(lang_, "⚠️ Uso: /criar <sala>\n", "⚠️ Usage: /create <room>\n"));
}

std::string Replies::usage_join() const {
  return std::string(pick(lang_, "⚠️ Uso: /entrar <sala>\n", "⚠️ Usage: /join <room>\n"));
}

std::string Replies::unknown_command(std::string_view word) const {
  return fmt::format(fmt::runtime(pick(lang_, "❌ Comando desconhecido: {}. Use /ajuda para ver os comandos.\n",
                                       "❌ Unknown command: {}. Use /help to list the commands.\n")),
                     word);
}

std::string Replies::line_too_long(std::size_t max_line) const {
  return fmt::format(fmt::runtime(pick(lang_, "⚠️ Linha longa demais (máximo {} bytes): descartada.\n",
                                       "⚠️ Line too long (at most {} bytes): discarded.\n")),
                     max_line);
}

std::string Replies::login_timeout() const {
  return std::string(pick(lang_, "❌ Tempo esgotado esperando o apelido.\n",
                          "❌ Timed out waiting for a nickname.\n"));
}

std::string Replies::slow_consumer() const {
  return std::string(pick(lang_, "❌ Desconectado: saída pendente acima do limite (leitura lenta).\n",
                          "❌ Disconnected: too much unread output (slow reader).\n"));
}

std::string Replies::shutting_down() const {
  return std::string(pick(lang_, "⚠️ Servidor encerrando. Até logo!\n",
                          "⚠️ Server shutting down. Goodbye!\n"));
}

std::string Replies::server_full() const {
  return std::string(pick(lang_, "❌ Servidor lotado. Tente mais tarde.\n",
                          "❌ Server full. Try again later.\n"));
}

std::string Replies::too_many_from_ip() const {
  return std::string(pick(lang_, "❌ Conexões demais deste endereço.\n",
                          "❌ Too many connections from your address.\n"));
}

std::string Replies::flood_disconnect() const {
  return std::string(pick(lang_, "❌ Desconectado: mensagens demais (flood).\n",
                          "❌ Disconnected: too many messages (flood).\n"));
}

}  // namespace chatd::chat
