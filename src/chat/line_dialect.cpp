#include "chat/line_dialect.hpp"

#include <iterator>

#include <fmt/format.h>

#include "chat/line_texts.hpp"
#include "chat/utc_time.hpp"

namespace chatd::chat {
namespace {

// Appends `format` with the arguments put in verbatim (they are never
// parsed as formats themselves).
template <typename... Args>
void append(std::string& out, std::string_view format, const Args&... args) {
  fmt::format_to(std::back_inserter(out), fmt::runtime(format), args...);
}

// Each family's switch lists only its own codes; render_error routes the
// others elsewhere, so their default is never taken.

// Rooms: creating, joining and leaving one, talking outside one, topics.
void render_room_error(const LineTexts& t, const Event& e, std::string& out) {
  switch (e.error) {
    case ErrorCode::MessagesLost:
      if (e.number) append(out, t.messages_lost, e.room, e.number);
      else append(out, t.messages_lost_unknown, e.room);
      return;
    case ErrorCode::ClusterUnavailable:
      append(out, t.cluster_unavailable, e.text);
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
    case ErrorCode::NotInRoomForCommand:
      out += t.not_in_room_for_command;
      return;
    case ErrorCode::TopicTooLong:
      append(out, t.topic_too_long, e.number);
      return;
    default:
      return;  // not a room error: render_error never sends one here
  }
}

// A command typed wrong: its usage, or an unknown command word.
void render_usage_error(const LineTexts& t, const Event& e, std::string& out) {
  switch (e.error) {
    case ErrorCode::UsageCreate:
      out += t.usage_create;
      return;
    case ErrorCode::UsageJoin:
      out += t.usage_join;
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
    case ErrorCode::UnknownCommand:
      append(out, t.unknown_command, e.text);
      return;
    default:
      return;  // not a usage error: render_error never sends one here
  }
}

// The connection itself: refused at accept, or about to be dropped (and an
// over-long line, which the framer drops without closing).
void render_connection_error(const LineTexts& t, const Event& e, std::string& out) {
  switch (e.error) {
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
    default:
      return;  // not a connection error: render_error never sends one here
  }
}

// Nicknames, the accounts behind them, and the profile (status).
void render_account_error(const LineTexts& t, const Event& e, std::string& out) {
  switch (e.error) {
    case ErrorCode::NickTaken:
      append(out, t.nick_taken, e.nick);
      return;
    case ErrorCode::NickInvalid:
      out += t.nick_invalid;
      return;
    case ErrorCode::NickRegistered:
      append(out, t.nick_registered, e.nick);
      return;
    case ErrorCode::NoSuchNick:
      append(out, t.no_such_nick, e.nick);
      return;
    case ErrorCode::StatusTooLong:
      append(out, t.status_too_long, e.number);
      return;
    case ErrorCode::TlsRequired:
      out += t.tls_required;
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
    case ErrorCode::StorageUnavailable:
      out += t.storage_unavailable;
      return;
    default:
      return;  // not an account error: render_error never sends one here
  }
}

// Routes each code to its family. This switch lists every ErrorCode and has
// no default, so a new code fails the build (-Wswitch) until it has one.
void render_error(const LineTexts& t, const Event& e, std::string& out) {
  switch (e.error) {
    case ErrorCode::RoomExists:
    case ErrorCode::RoomInvalid:
    case ErrorCode::RoomLimit:
    case ErrorCode::RoomRateLimited:
    case ErrorCode::NoSuchRoom:
    case ErrorCode::AlreadyInRoom:
    case ErrorCode::NotInRoom:
    case ErrorCode::MessageOutsideRoom:
    case ErrorCode::NotInRoomForCommand:
    case ErrorCode::TopicTooLong:
    case ErrorCode::MessagesLost:
    case ErrorCode::ClusterUnavailable:
      render_room_error(t, e, out);
      return;
    case ErrorCode::UsageCreate:
    case ErrorCode::UsageJoin:
    case ErrorCode::UsageRegister:
    case ErrorCode::UsageIdentify:
    case ErrorCode::UsagePassword:
    case ErrorCode::UsageHistory:
    case ErrorCode::UsageMsg:
    case ErrorCode::UsageNick:
    case ErrorCode::UsageWhois:
    case ErrorCode::UnknownCommand:
      render_usage_error(t, e, out);
      return;
    case ErrorCode::LineTooLong:
    case ErrorCode::LoginTimeout:
    case ErrorCode::SlowConsumer:
    case ErrorCode::ShuttingDown:
    case ErrorCode::ServerFull:
    case ErrorCode::TooManyFromIp:
    case ErrorCode::Flood:
      render_connection_error(t, e, out);
      return;
    case ErrorCode::NickTaken:
    case ErrorCode::NickInvalid:
    case ErrorCode::NickRegistered:
    case ErrorCode::NoSuchNick:
    case ErrorCode::StatusTooLong:
    case ErrorCode::TlsRequired:
    case ErrorCode::WrongPassword:
    case ErrorCode::TooManyAttempts:
    case ErrorCode::LoginThrottled:
    case ErrorCode::PasswordInvalid:
    case ErrorCode::NotRegistered:
    case ErrorCode::AlreadyRegistered:
    case ErrorCode::AlreadyIdentified:
    case ErrorCode::NotIdentified:
    case ErrorCode::StorageUnavailable:
      render_account_error(t, e, out);
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

// 63500 -> "63,500" (en) or "63.500" (pt).
std::string grouped(std::uint64_t n, std::string_view separator) {
  std::string digits = fmt::format("{}", n);
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += separator;
    out += digits[i];
  }
  return out;
}

// The names as the original printed them ("Salas disponíveis: a, b"), then,
// when asked for or when there is more than a page, a count line.
void render_room_list(const LineTexts& t, const Event& e, std::string& out) {
  const std::uint64_t pages = e.pages();
  std::string matching;
  if (!e.text.empty()) append(matching, t.room_list_matching, e.text);
  if (e.page > pages) {
    append(out, t.room_list_past_end, grouped(e.page, t.thousands), grouped(e.number, t.thousands), matching,
           grouped(pages, t.thousands));
    return;
  }
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
  if (!e.flag) return;
  if (e.number == 0) {
    if (!e.text.empty()) append(out, t.room_list_no_match, e.text);
    return;
  }
  const std::uint64_t first = std::uint64_t{e.page > 0 ? e.page - 1 : 0} * e.page_size + 1;
  const std::uint64_t last = first + e.names.size() - 1;
  append(out, t.room_list_page, grouped(first, t.thousands), grouped(last, t.thousands),
         grouped(e.number, t.thousands), matching, grouped(e.page, t.thousands), grouped(pages, t.thousands));
  if (e.page < pages) {
    std::string next(t.room_list_command);
    if (!e.text.empty()) {
      next += ' ';
      next += e.text;
    }
    fmt::format_to(std::back_inserter(next), " {}", e.page + 1);
    append(out, t.room_list_next, next);
  }
  out += '\n';
}

void render_history_message(const Event& e, std::string& out) {
  // The same in both languages: a clock sign, the time, the message.
  const UtcTime at = utc_time(e.time_ms);
  fmt::format_to(std::back_inserter(out), "🕘 [{:02}:{:02}] ", at.hour, at.minute);
  for (std::string_view part : line_message_parts(e.nick, e.text)) out += part;
}

// Each family's switch lists only its own kinds; LineDialect::render routes
// the others elsewhere, so their default is never taken.

// The login (the prompts, the welcome, the help) and the account answers.
void render_account_event(const LineTexts& t, const Event& e, std::string& out) {
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
    default:
      return;  // not an account event: render never sends one here
  }
}

// Rooms: the list, coming and going, what is said there now and before.
void render_room_event(const LineTexts& t, const Event& e, std::string& out) {
  switch (e.kind) {
    case EventKind::RoomList:
      render_room_list(t, e, out);
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
    case EventKind::HistoryMessage:
      render_history_message(e, out);
      return;
    case EventKind::HistoryEmpty:
      append(out, t.history_empty, e.room);
      return;
    case EventKind::ClusterPaused:
      out += t.cluster_paused;
      return;
    case EventKind::ClusterResumed:
      out += t.cluster_resumed;
      return;
    default:
      return;  // not a room event: render never sends one here
  }
}

// People: private messages, who is in a room and its topic, nicknames,
// statuses, profiles.
void render_social_event(const LineTexts& t, const Event& e, std::string& out) {
  switch (e.kind) {
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
    default:
      return;  // not a social event: render never sends one here
  }
}

}  // namespace

std::string_view LineDialect::name() const { return lang_ == Lang::Pt ? "line-pt" : "line-en"; }

// Routes each kind to its family. This switch lists every EventKind and has
// no default, so a new kind fails the build (-Wswitch) until it has one.
void LineDialect::render(const Event& e, std::string& out) const {
  const LineTexts& t = line_texts(lang_);
  switch (e.kind) {
    case EventKind::Prompt:
    case EventKind::Welcome:
    case EventKind::Help:
    case EventKind::PasswordPrompt:
    case EventKind::Identified:
    case EventKind::AccountRegistered:
    case EventKind::PasswordChanged:
      render_account_event(t, e, out);
      return;
    case EventKind::RoomList:
    case EventKind::RoomCreated:
    case EventKind::JoinedSelf:
    case EventKind::Joined:
    case EventKind::LeftSelf:
    case EventKind::Left:
    case EventKind::QuitSelf:
    case EventKind::Quit:
    case EventKind::Message:
    case EventKind::HistoryMessage:
    case EventKind::HistoryEmpty:
    case EventKind::ClusterPaused:
    case EventKind::ClusterResumed:
      render_room_event(t, e, out);
      return;
    case EventKind::PrivateFrom:
    case EventKind::PrivateTo:
    case EventKind::PrivateQueued:
    case EventKind::MemberList:
    case EventKind::Topic:
    case EventKind::TopicChanged:
    case EventKind::NickChanged:
    case EventKind::NickChangedSelf:
    case EventKind::StatusSet:
    case EventKind::StatusCleared:
    case EventKind::Whois:
      render_social_event(t, e, out);
      return;
    case EventKind::Error:
      render_error(t, e, out);
      return;
  }
}

}  // namespace chatd::chat
