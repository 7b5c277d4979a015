#include "chat/line_texts.hpp"

namespace chatd::chat {
namespace {

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
    .room_list_page = "📝 {}-{} de {} salas{}, página {} de {}.",
    .room_list_matching = " com '{}'",
    .room_list_next = " Próxima: {}",
    .room_list_command = "/salas",
    .room_list_no_match = "📝 Nenhuma sala com '{}'.\n",
    .room_list_past_end = "⚠️ A página {} não existe: {} salas{}, {} página(s).\n",
    .thousands = ".",
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
    .tls_required = "❌ Senhas só por conexão segura (TLS): conecte-se à porta TLS do servidor para usar uma conta.\n",
    .messages_lost = "⚠️ Sala '{}': {} mensagem(ns) não puderam ser recuperadas.\n",
    .messages_lost_unknown = "⚠️ Sala '{}': o servidor de dados perdeu mensagens; algumas não puderam ser recuperadas.\n",
    .cluster_unavailable = "❌ Mensagem não enviada (servidores indisponíveis): {}\n",
    .cluster_paused = "📝 Conversa entre servidores pausada: sem ligação ao Redis; as mensagens esperam.\n",
    .cluster_resumed = "📝 Conversa entre servidores retomada.\n",
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
    .room_list_page = "📝 {}-{} of {} rooms{}, page {} of {}.",
    .room_list_matching = " matching '{}'",
    .room_list_next = " Next: {}",
    .room_list_command = "/rooms",
    .room_list_no_match = "📝 No rooms match '{}'.\n",
    .room_list_past_end = "⚠️ There is no page {}: {} rooms{}, {} page(s).\n",
    .thousands = ",",
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
    .tls_required = "❌ Passwords travel only over a secure (TLS) connection: connect to the server's TLS port to use an account.\n",
    .messages_lost = "⚠️ Room '{}': {} message(s) could not be recovered.\n",
    .messages_lost_unknown = "⚠️ Room '{}': the data server lost messages; some could not be recovered.\n",
    .cluster_unavailable = "❌ Message not sent (servers unavailable): {}\n",
    .cluster_paused = "📝 Chat across servers paused (no connection to Redis); messages are held.\n",
    .cluster_resumed = "📝 Chat across servers resumed.\n",
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

}  // namespace

const LineTexts& line_texts(Lang lang) { return lang == Lang::Pt ? kPt : kEn; }

}  // namespace chatd::chat
