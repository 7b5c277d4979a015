#include "chat/line_dialect.hpp"

#include <iterator>

#include <fmt/format.h>

#include "chat/utc_time.hpp"

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
  std::string_view wrong_password;
  std::string_view too_many_attempts;
  std::string_view login_throttled;
  std::string_view password_invalid;
  std::string_view not_registered;      // nick
  std::string_view already_registered;  // nick
  std::string_view already_identified;  // nick
  std::string_view not_identified;
  std::string_view nick_registered;     // nick
  std::string_view no_such_nick;        // nick
  std::string_view not_in_room_for_command;
  std::string_view storage_unavailable;
  std::string_view usage_register;
  std::string_view usage_identify;
  std::string_view usage_password;
  std::string_view usage_history;
  std::string_view usage_msg;
  std::string_view usage_nick;
  std::string_view usage_whois;
  std::string_view topic_too_long;   // number (the limit)
  std::string_view status_too_long;  // number (the limit)

  // Accounts, history, private messages (issue 10).
  std::string_view password_prompt;     // nick; no newline
  std::string_view identified;          // nick
  std::string_view account_registered;  // nick
  std::string_view password_changed;
  std::string_view history_empty;       // room
  std::string_view private_from;        // nick, text
  std::string_view private_to;          // nick, text
  std::string_view private_queued;      // nick
  std::string_view member_list;         // room; the members follow, then "\n"
  std::string_view member_list_none;    // instead of the members
  std::string_view member_status;       // nick, status: one member with a status
  std::string_view topic;               // room, text
  std::string_view topic_none;          // room
  std::string_view topic_changed;       // nick, room, text
  std::string_view topic_cleared;       // nick, room
  std::string_view nick_changed;        // nick, other
  std::string_view nick_changed_self;   // nick
  std::string_view status_set;          // text
  std::string_view status_cleared;
  // Whois: whois_head (nick), then the parts that apply, joined by ", ",
  // then "\n".
  std::string_view whois_head;           // nick
  std::string_view whois_since;          // date (YYYY-MM-DD)
  std::string_view whois_no_account;
  std::string_view whois_status;         // status
  std::string_view whois_room;           // room
  std::string_view whois_online;
  std::string_view whois_last_seen;      // date and time (YYYY-MM-DD HH:MM)
  std::string_view whois_offline;        // never seen
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
        "/historico (/history) [n] - as últimas n mensagens da sala\n"
        "/msg <apelido> <texto> - mensagem privada (entregue depois, se a pessoa estiver offline)\n"
        "/quem (/who) - quem está na sala\n"
        "/topico (/topic) [texto] - ver ou mudar o tópico da sala (\"-\" remove)\n"
        "/apelido (/nick) <novo> - trocar de apelido\n"
        "/status [texto] - definir seu status (sem texto: remover)\n"
        "/perfil (/whois) <apelido> - o perfil de alguém\n"
        "/registrar (/register) <senha> - reservar seu apelido com uma senha\n"
        "/identificar (/identify) <senha> - entrar na conta do seu apelido\n"
        "/senha (/password) <antiga> <nova> - trocar a senha\n"
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
    .wrong_password = "❌ Senha incorreta.\n",
    .too_many_attempts = "❌ Senha incorreta vezes demais: desconectado.\n",
    .login_throttled = "⚠️ Tentativas de login demais. Aguarde um pouco e tente de novo.\n",
    .password_invalid = "⚠️ Senha inválida: use de 1 a 128 bytes.\n",
    .not_registered = "⚠️ O apelido '{}' não tem conta. Use /registrar <senha> para criar uma.\n",
    .already_registered = "⚠️ O apelido '{}' já tem conta. Use /identificar <senha> para entrar nela.\n",
    .already_identified = "⚠️ Você já está identificado(a) como '{}'.\n",
    .not_identified = "⚠️ Você não está identificado(a). Use /identificar <senha> primeiro.\n",
    .nick_registered =
        "⚠️ O apelido '{}' pertence a uma conta. Para usá-lo, conecte-se de novo com ele e digite a senha.\n",
    .no_such_nick = "❌ Ninguém usa o apelido '{}' (nem online, nem registrado).\n",
    .not_in_room_for_command = "⚠️ Esse comando precisa de uma sala. Use /entrar <sala> primeiro.\n",
    .storage_unavailable = "❌ Armazenamento indisponível: nada foi alterado. Tente mais tarde.\n",
    .usage_register = "⚠️ Uso: /registrar <senha>\n",
    .usage_identify = "⚠️ Uso: /identificar <senha>\n",
    .usage_password = "⚠️ Uso: /senha <antiga> <nova>\n",
    .usage_history = "⚠️ Uso: /historico [n] (n: um número inteiro positivo)\n",
    .usage_msg = "⚠️ Uso: /msg <apelido> <texto>\n",
    .usage_nick = "⚠️ Uso: /apelido <novo>\n",
    .usage_whois = "⚠️ Uso: /perfil <apelido>\n",
    .topic_too_long = "⚠️ Tópico longo demais (máximo {} caracteres).\n",
    .status_too_long = "⚠️ Status longo demais (máximo {} caracteres).\n",
    .password_prompt = "Senha para {}: ",
    .identified = "✅ Identificado(a): bem-vindo(a) de volta, {}!\n",
    .account_registered = "✅ Conta criada: o apelido '{}' agora é seu, e você já está identificado(a).\n",
    .password_changed = "✅ Senha alterada.\n",
    .history_empty = "📝 Nenhuma mensagem guardada na sala '{}'.\n",
    .private_from = "[PM de {}] {}\n",
    .private_to = "[PM para {}] {}\n",
    .private_queued = "📝 {} está offline: a mensagem será entregue no próximo login.\n",
    .member_list = "👥 Na sala '{}': ",
    .member_list_none = "ninguém.",
    .member_status = "{} ({})",
    .topic = "📌 Tópico de '{}': {}\n",
    .topic_none = "📌 A sala '{}' não tem tópico.\n",
    .topic_changed = "📝 {} mudou o tópico de '{}' para: {}\n",
    .topic_cleared = "📝 {} removeu o tópico de '{}'.\n",
    .nick_changed = "📝 {} agora é {}.\n",
    .nick_changed_self = "✅ Agora você é {}.\n",
    .status_set = "✅ Status definido: {}\n",
    .status_cleared = "✅ Status removido.\n",
    .whois_head = "👤 {} — ",
    .whois_since = "registrado desde {}",
    .whois_no_account = "sem conta",
    .whois_status = "status: {}",
    .whois_room = "sala: {}",
    .whois_online = "online",
    .whois_last_seen = "visto por último em {} UTC",
    .whois_offline = "offline",
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
        "/history (/historico) [n] - the room's last n messages\n"
        "/msg <nick> <text> - private message (delivered later if they are offline)\n"
        "/who (/quem) - who is in the room\n"
        "/topic (/topico) [text] - show or set the room's topic (\"-\" clears it)\n"
        "/nick (/apelido) <new> - change your nickname\n"
        "/status [text] - set your status (no text: clear it)\n"
        "/whois (/perfil) <nick> - someone's profile\n"
        "/register (/registrar) <password> - reserve your nickname with a password\n"
        "/identify (/identificar) <password> - log in to your nickname's account\n"
        "/password (/senha) <old> <new> - change your password\n"
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
    .wrong_password = "❌ Wrong password.\n",
    .too_many_attempts = "❌ Too many wrong passwords: disconnected.\n",
    .login_throttled = "⚠️ Too many login attempts. Wait a while and try again.\n",
    .password_invalid = "⚠️ Invalid password: use 1 to 128 bytes.\n",
    .not_registered = "⚠️ The nickname '{}' has no account. Use /register <password> to create one.\n",
    .already_registered = "⚠️ The nickname '{}' already has an account. Use /identify <password> to log in.\n",
    .already_identified = "⚠️ You are already logged in as '{}'.\n",
    .not_identified = "⚠️ You are not logged in. Use /identify <password> first.\n",
    .nick_registered =
        "⚠️ The nickname '{}' belongs to an account. To use it, reconnect with it and give its password.\n",
    .no_such_nick = "❌ Nobody is called '{}' (neither online nor registered).\n",
    .not_in_room_for_command = "⚠️ That command needs a room. Use /join <room> first.\n",
    .storage_unavailable = "❌ Storage unavailable: nothing was changed. Try again later.\n",
    .usage_register = "⚠️ Usage: /register <password>\n",
    .usage_identify = "⚠️ Usage: /identify <password>\n",
    .usage_password = "⚠️ Usage: /password <old> <new>\n",
    .usage_history = "⚠️ Usage: /history [n] (n: a positive whole number)\n",
    .usage_msg = "⚠️ Usage: /msg <nick> <text>\n",
    .usage_nick = "⚠️ Usage: /nick <new>\n",
    .usage_whois = "⚠️ Usage: /whois <nick>\n",
    .topic_too_long = "⚠️ Topic too long (at most {} characters).\n",
    .status_too_long = "⚠️ Status too long (at most {} characters).\n",
    .password_prompt = "Password for {}: ",
    .identified = "✅ Logged in: welcome back, {}!\n",
    .account_registered = "✅ Account created: the nickname '{}' is yours now, and you are logged in.\n",
    .password_changed = "✅ Password changed.\n",
    .history_empty = "📝 No stored messages in room '{}'.\n",
    .private_from = "[PM from {}] {}\n",
    .private_to = "[PM to {}] {}\n",
    .private_queued = "📝 {} is offline: the message will be delivered at their next login.\n",
    .member_list = "👥 In room '{}': ",
    .member_list_none = "nobody.",
    .member_status = "{} ({})",
    .topic = "📌 Topic of '{}': {}\n",
    .topic_none = "📌 No topic set for '{}'.\n",
    .topic_changed = "📝 {} changed the topic of '{}' to: {}\n",
    .topic_cleared = "📝 {} cleared the topic of '{}'.\n",
    .nick_changed = "📝 {} is now {}.\n",
    .nick_changed_self = "✅ You are now {}.\n",
    .status_set = "✅ Status set: {}\n",
    .status_cleared = "✅ Status cleared.\n",
    .whois_head = "👤 {} — ",
    .whois_since = "registered since {}",
    .whois_no_account = "no account",
    .whois_status = "status: {}",
    .whois_room = "room: {}",
    .whois_online = "online",
    .whois_last_seen = "last seen {} UTC",
    .whois_offline = "offline",
};

// Appends `format` with the arguments put in verbatim (they are never
// parsed as formats themselves).
template <typename... Args>
void append(std::string& out, std::string_view format, const Args&... args) {
  fmt::format_to(std::back_inserter(out), fmt::runtime(format), args...);
}

void render_error(const LineTexts& t, const Event& e, std::string& out) {
  switch (e.error) {
    case ErrorCode::NickTaken:
      append(out, t.nick_taken, e.nick);
      return;
    case ErrorCode::NickInvalid:
      out += t.nick_invalid;
      return;
    case ErrorCode::RoomExists:
      out += t.room_exists;
      return;
    case ErrorCode::RoomInvalid:
      out += t.room_invalid;
      return;
    case ErrorCode::RoomLimit:
      out += t.room_limit;
      return;
    case ErrorCode::RoomRateLimited:
      out += t.room_rate_limited;
      return;
    case ErrorCode::NoSuchRoom:
      out += t.no_such_room;
      return;
    case ErrorCode::AlreadyInRoom:
      append(out, t.already_in_room, e.room);
      return;
    case ErrorCode::NotInRoom:
      out += t.not_in_room;
      return;
    case ErrorCode::MessageOutsideRoom:
      out += t.message_outside_room;
      return;
    case ErrorCode::UsageCreate:
      out += t.usage_create;
      return;
    case ErrorCode::UsageJoin:
      out += t.usage_join;
      return;
    case ErrorCode::UnknownCommand:
      append(out, t.unknown_command, e.text);
      return;
    case ErrorCode::LineTooLong:
      append(out, t.line_too_long, e.number);
      return;
    case ErrorCode::LoginTimeout:
      out += t.login_timeout;
      return;
    case ErrorCode::SlowConsumer:
      out += t.slow_consumer;
      return;
    case ErrorCode::ShuttingDown:
      out += t.shutting_down;
      return;
    case ErrorCode::ServerFull:
      out += t.server_full;
      return;
    case ErrorCode::TooManyFromIp:
      out += t.too_many_from_ip;
      return;
    case ErrorCode::Flood:
      out += t.flood;
      return;
    case ErrorCode::WrongPassword:
      out += t.wrong_password;
      return;
    case ErrorCode::TooManyAttempts:
      out += t.too_many_attempts;
      return;
    case ErrorCode::LoginThrottled:
      out += t.login_throttled;
      return;
    case ErrorCode::PasswordInvalid:
      out += t.password_invalid;
      return;
    case ErrorCode::NotRegistered:
      append(out, t.not_registered, e.nick);
      return;
    case ErrorCode::AlreadyRegistered:
      append(out, t.already_registered, e.nick);
      return;
    case ErrorCode::AlreadyIdentified:
      append(out, t.already_identified, e.nick);
      return;
    case ErrorCode::NotIdentified:
      out += t.not_identified;
      return;
    case ErrorCode::NickRegistered:
      append(out, t.nick_registered, e.nick);
      return;
    case ErrorCode::NoSuchNick:
      append(out, t.no_such_nick, e.nick);
      return;
    case ErrorCode::NotInRoomForCommand:
      out += t.not_in_room_for_command;
      return;
    case ErrorCode::StorageUnavailable:
      out += t.storage_unavailable;
      return;
    case ErrorCode::UsageRegister:
      out += t.usage_register;
      return;
    case ErrorCode::UsageIdentify:
      out += t.usage_identify;
      return;
    case ErrorCode::UsagePassword:
      out += t.usage_password;
      return;
    case ErrorCode::UsageHistory:
      out += t.usage_history;
      return;
    case ErrorCode::UsageMsg:
      out += t.usage_msg;
      return;
    case ErrorCode::UsageNick:
      out += t.usage_nick;
      return;
    case ErrorCode::UsageWhois:
      out += t.usage_whois;
      return;
    case ErrorCode::TopicTooLong:
      append(out, t.topic_too_long, e.number);
      return;
    case ErrorCode::StatusTooLong:
      append(out, t.status_too_long, e.number);
      return;
  }
}

// "YYYY-MM-DD" (with_time: "YYYY-MM-DD HH:MM"), UTC.
void append_date(std::string& out, std::int64_t ms, bool with_time) {
  const UtcTime t = utc_time(ms);
  fmt::format_to(std::back_inserter(out), "{:04}-{:02}-{:02}", t.year, t.month, t.day);
  if (with_time) fmt::format_to(std::back_inserter(out), " {:02}:{:02}", t.hour, t.minute);
}

void render_member_list(const LineTexts& t, const Event& e, std::string& out) {
  append(out, t.member_list, e.room);
  if (e.names.empty()) out += t.member_list_none;
  for (std::size_t i = 0; i < e.names.size(); ++i) {
    if (i) out += ", ";
    // details is parallel to names; a shorter one means "no status" for the rest.
    if (i < e.details.size() && !e.details[i].empty())
      append(out, t.member_status, e.names[i], e.details[i]);
    else
      out += e.names[i];
  }
  out += '\n';
}

void render_whois(const LineTexts& t, const Event& e, std::string& out) {
  append(out, t.whois_head, e.nick);
  std::string date;
  if (e.number != 0) {
    append_date(date, static_cast<std::int64_t>(e.number), false);
    append(out, t.whois_since, date);
  } else {
    out += t.whois_no_account;
  }
  if (!e.text.empty()) {
    out += ", ";
    append(out, t.whois_status, e.text);
  }
  if (!e.room.empty()) {
    out += ", ";
    append(out, t.whois_room, e.room);
  }
  out += ", ";
  if (e.flag) {
    out += t.whois_online;
  } else if (e.time_ms != 0) {
    date.clear();
    append_date(date, e.time_ms, true);
    append(out, t.whois_last_seen, date);
  } else {
    out += t.whois_offline;
  }
  out += '\n';
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
    case EventKind::PasswordPrompt:
      append(out, t.password_prompt, e.nick);
      return;
    case EventKind::Identified:
      append(out, t.identified, e.nick);
      return;
    case EventKind::AccountRegistered:
      append(out, t.account_registered, e.nick);
      return;
    case EventKind::PasswordChanged:
      out += t.password_changed;
      return;
    case EventKind::HistoryMessage: {
      // The same in both languages: a clock sign, the time, the message.
      const UtcTime at = utc_time(e.time_ms);
      fmt::format_to(std::back_inserter(out), "🕘 [{:02}:{:02}] ", at.hour, at.minute);
      for (std::string_view part : line_message_parts(e.nick, e.text)) out += part;
      return;
    }
    case EventKind::HistoryEmpty:
      append(out, t.history_empty, e.room);
      return;
    case EventKind::PrivateFrom:
      append(out, t.private_from, e.nick, e.text);
      return;
    case EventKind::PrivateTo:
      append(out, t.private_to, e.nick, e.text);
      return;
    case EventKind::PrivateQueued:
      append(out, t.private_queued, e.nick);
      return;
    case EventKind::MemberList:
      render_member_list(t, e, out);
      return;
    case EventKind::Topic:
      if (e.text.empty())
        append(out, t.topic_none, e.room);
      else
        append(out, t.topic, e.room, e.text);
      return;
    case EventKind::TopicChanged:
      if (e.text.empty())
        append(out, t.topic_cleared, e.nick, e.room);
      else
        append(out, t.topic_changed, e.nick, e.room, e.text);
      return;
    case EventKind::NickChanged:
      append(out, t.nick_changed, e.nick, e.other);
      return;
    case EventKind::NickChangedSelf:
      append(out, t.nick_changed_self, e.nick);
      return;
    case EventKind::StatusSet:
      append(out, t.status_set, e.text);
      return;
    case EventKind::StatusCleared:
      out += t.status_cleared;
      return;
    case EventKind::Whois:
      render_whois(t, e, out);
      return;
  }
}

}  // namespace chatd::chat
