#include "chat/json_dialect.hpp"

#include "chat/json_writer.hpp"
#include "chat/line_texts.hpp"

namespace chatd::chat {
namespace {

// The one field beyond code and message an error carries, if any.
enum class ErrorField : std::uint8_t { None, Nick, Room, Limit, Command, Lost, Text };

struct ErrorInfo {
  std::string_view code;
  ErrorField field;
};

// Every ErrorCode's wire name and field, in one place. No default: a new
// code fails the build (-Wswitch) until it has its name here. The fields
// are those line_texts.hpp's error texts take.
constexpr ErrorInfo error_info(ErrorCode c) {
  using F = ErrorField;
  switch (c) {
    case ErrorCode::NickTaken: return {"nick_taken", F::Nick};
    case ErrorCode::NickInvalid: return {"nick_invalid", F::None};
    case ErrorCode::RoomExists: return {"room_exists", F::None};
    case ErrorCode::RoomInvalid: return {"room_invalid", F::None};
    case ErrorCode::RoomLimit: return {"room_limit", F::None};
    case ErrorCode::RoomRateLimited: return {"room_rate_limited", F::None};
    case ErrorCode::NoSuchRoom: return {"no_such_room", F::None};
    case ErrorCode::AlreadyInRoom: return {"already_in_room", F::Room};
    case ErrorCode::NotInRoom: return {"not_in_room", F::None};
    case ErrorCode::MessageOutsideRoom: return {"message_outside_room", F::None};
    case ErrorCode::UsageCreate: return {"usage_create", F::None};
    case ErrorCode::UsageJoin: return {"usage_join", F::None};
    case ErrorCode::UnknownCommand: return {"unknown_command", F::Command};
    case ErrorCode::LineTooLong: return {"line_too_long", F::Limit};
    case ErrorCode::LoginTimeout: return {"login_timeout", F::None};
    case ErrorCode::SlowConsumer: return {"slow_consumer", F::None};
    case ErrorCode::ShuttingDown: return {"shutting_down", F::None};
    case ErrorCode::ServerFull: return {"server_full", F::None};
    case ErrorCode::TooManyFromIp: return {"too_many_from_ip", F::None};
    case ErrorCode::Flood: return {"flood", F::None};
    case ErrorCode::WrongPassword: return {"wrong_password", F::None};
    case ErrorCode::TooManyAttempts: return {"too_many_attempts", F::None};
    case ErrorCode::LoginThrottled: return {"login_throttled", F::None};
    case ErrorCode::PasswordInvalid: return {"password_invalid", F::None};
    case ErrorCode::NotRegistered: return {"not_registered", F::Nick};
    case ErrorCode::AlreadyRegistered: return {"already_registered", F::Nick};
    case ErrorCode::AlreadyIdentified: return {"already_identified", F::Nick};
    case ErrorCode::NotIdentified: return {"not_identified", F::None};
    case ErrorCode::NickRegistered: return {"nick_registered", F::Nick};
    case ErrorCode::NoSuchNick: return {"no_such_nick", F::Nick};
    case ErrorCode::NotInRoomForCommand: return {"not_in_room_for_command", F::None};
    case ErrorCode::StorageUnavailable: return {"storage_unavailable", F::None};
    case ErrorCode::UsageRegister: return {"usage_register", F::None};
    case ErrorCode::UsageIdentify: return {"usage_identify", F::None};
    case ErrorCode::UsagePassword: return {"usage_password", F::None};
    case ErrorCode::UsageHistory: return {"usage_history", F::None};
    case ErrorCode::UsageMsg: return {"usage_msg", F::None};
    case ErrorCode::UsageNick: return {"usage_nick", F::None};
    case ErrorCode::UsageWhois: return {"usage_whois", F::None};
    case ErrorCode::TopicTooLong: return {"topic_too_long", F::Limit};
    case ErrorCode::StatusTooLong: return {"status_too_long", F::Limit};
    case ErrorCode::TlsRequired: return {"tls_required", F::Nick};
    case ErrorCode::MessagesLost: return {"messages_lost", F::Lost};
    case ErrorCode::ClusterUnavailable: return {"cluster_unavailable", F::Text};
  }
  return {"unknown", F::None};  // an out-of-range value; every code returns above
}

// line-en's text without its leading sign ("⚠️ ", "❌ ", ...) and its
// newline: the sign is for terminals; a page shows its own.
std::string_view plain_text(std::string_view line) {
  while (!line.empty() && line.back() == '\n') line.remove_suffix(1);
  if (!line.empty() && static_cast<unsigned char>(line[0]) >= 0x80) {
    const std::size_t space = line.find(' ');
    if (space != std::string_view::npos) line.remove_prefix(space + 1);
  }
  return line;
}

void render_error(const Event& e, std::string& out) {
  const ErrorInfo info = error_info(e.error);
  // Errors are rare and per connection: a scratch rendering is fine here.
  std::string line;
  dialect(DialectId::LineEn).render(e, line);
  JsonObject o(out, "error");
  o.str("code", info.code).str("message", plain_text(line));
  switch (info.field) {
    case ErrorField::None: break;
    case ErrorField::Nick: o.str("nick", e.nick); break;
    case ErrorField::Room: o.str("room", e.room); break;
    case ErrorField::Limit: o.uint("limit", e.number); break;
    case ErrorField::Command: o.str("command", e.text); break;
    case ErrorField::Lost:
      o.str("room", e.room);
      o.uint("count", e.number);  // 0: unknown
      break;
    case ErrorField::Text: o.str("text", e.text); break;
  }
  o.close();
}

void render_room_list(const Event& e, std::string& out) {
  JsonObject o(out, "rooms");
  o.key("rooms") += '[';
  for (std::size_t i = 0; i < e.names.size(); ++i) {
    if (i) out += ',';
    append_json_string(out, e.names[i]);
  }
  out += ']';
  o.uint("total", e.number).uint("page", e.page).uint("pages", e.pages());
  o.close();
}

void render_member_list(const Event& e, std::string& out) {
  JsonObject o(out, "members");
  o.str("room", e.room);
  o.key("members") += '[';
  for (std::size_t i = 0; i < e.names.size(); ++i) {
    out += i ? ",{\"nick\":" : "{\"nick\":";
    append_json_string(out, e.names[i]);
    out += ",\"status\":";
    // details is parallel to names; a shorter one means "no status" for the rest.
    append_json_string(out, i < e.details.size() ? std::string_view(e.details[i]) : std::string_view());
    out += '}';
  }
  out += ']';
  o.close();
}

void render_whois(const Event& e, std::string& out) {
  JsonObject(out, "whois")
      .str("nick", e.nick)
      .boolean("online", e.flag)
      .str("status", e.text)
      .str("room", e.room)
      .time_or_null("registered", static_cast<std::int64_t>(e.number))
      .time_or_null("last_seen", e.time_ms)
      .close();
}

// A room event every member sees alike (join, leave, quit): who, where,
// its place in the room's order (after message `after`) and when.
void render_presence(std::string_view type, const Event& e, std::string& out) {
  JsonObject(out, type).str("room", e.room).str("nick", e.nick).uint("after", e.number).time("time", e.time_ms).close();
}

// A said text, live or from the history.
void render_said(std::string_view type, const Event& e, std::string& out) {
  JsonObject(out, type)
      .str("room", e.room)
      .str("nick", e.nick)
      .str("text", e.text)
      .uint("seq", e.number)
      .time("time", e.time_ms)
      .close();
}

}  // namespace

std::string_view error_code_name(ErrorCode code) { return error_info(code).code; }

// This switch lists every EventKind and has no default, so a new kind fails
// the build (-Wswitch) until it has a rendering.
void JsonDialect::render(const Event& e, std::string& out) const {
  // Room for the object's frame and the escaping of a typical event.
  out.reserve(out.size() + 112 + e.nick.size() + e.room.size() + e.text.size() + e.other.size());
  switch (e.kind) {
    case EventKind::Prompt:
      JsonObject(out, "prompt").str("want", "nick").close();
      return;
    case EventKind::PasswordPrompt:
      JsonObject(out, "prompt").str("want", "password").str("nick", e.nick).close();
      return;
    case EventKind::Welcome:
      JsonObject(out, "welcome").str("nick", e.nick).close();
      return;
    case EventKind::Help: {
      std::string_view help = line_texts(Lang::En).help;
      if (help.ends_with('\n')) help.remove_suffix(1);
      JsonObject(out, "help").str("text", help).close();
      return;
    }
    case EventKind::Identified:
      JsonObject(out, "identified").str("nick", e.nick).close();
      return;
    case EventKind::AccountRegistered:
      JsonObject(out, "registered").str("nick", e.nick).close();
      return;
    case EventKind::PasswordChanged:
      JsonObject(out, "password_changed").close();
      return;
    case EventKind::RoomList:
      render_room_list(e, out);
      return;
    case EventKind::RoomCreated:
      JsonObject(out, "room_created").str("room", e.room).close();
      return;
    case EventKind::JoinedSelf:
      JsonObject(out, "joined").str("room", e.room).close();
      return;
    case EventKind::Joined:
      render_presence("join", e, out);
      return;
    case EventKind::LeftSelf:
      JsonObject(out, "left").close();
      return;
    case EventKind::Left:
      render_presence("leave", e, out);
      return;
    case EventKind::QuitSelf:
      JsonObject(out, "bye").close();
      return;
    case EventKind::Quit:
      render_presence("quit", e, out);
      return;
    case EventKind::Message:
      render_said("message", e, out);
      return;
    case EventKind::HistoryMessage:
      render_said("history", e, out);
      return;
    case EventKind::HistoryEmpty:
      JsonObject(out, "history_empty").str("room", e.room).close();
      return;
    case EventKind::PrivateFrom:
      JsonObject(out, "private").str("from", e.nick).str("text", e.text).time("time", e.time_ms).close();
      return;
    case EventKind::PrivateTo:
      JsonObject(out, "private_sent").str("to", e.nick).str("text", e.text).close();
      return;
    case EventKind::PrivateQueued:
      JsonObject(out, "private_queued").str("to", e.nick).close();
      return;
    case EventKind::MemberList:
      render_member_list(e, out);
      return;
    case EventKind::Topic:
      JsonObject(out, "topic").str("room", e.room).str("topic", e.text).close();
      return;
    case EventKind::TopicChanged:
      JsonObject(out, "topic_changed")
          .str("room", e.room)
          .str("nick", e.nick)
          .str("topic", e.text)
          .uint("after", e.number)
          .time("time", e.time_ms)
          .close();
      return;
    case EventKind::NickChanged:
      JsonObject(out, "nick_changed")
          .str("room", e.room)
          .str("nick", e.nick)
          .str("new_nick", e.other)
          .uint("after", e.number)
          .time("time", e.time_ms)
          .close();
      return;
    case EventKind::NickChangedSelf:
      JsonObject(out, "nick").str("nick", e.nick).close();
      return;
    case EventKind::StatusSet:
      JsonObject(out, "status").str("status", e.text).close();
      return;
    case EventKind::StatusCleared:
      JsonObject(out, "status").str("status", "").close();
      return;
    case EventKind::Whois:
      render_whois(e, out);
      return;
    case EventKind::ClusterPaused:
      JsonObject(out, "cluster_paused").str("room", e.room).close();
      return;
    case EventKind::ClusterResumed:
      JsonObject(out, "cluster_resumed").str("room", e.room).close();
      return;
    case EventKind::Error:
      render_error(e, out);
      return;
  }
}

}  // namespace chatd::chat
