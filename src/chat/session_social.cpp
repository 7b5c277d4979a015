// What people see of each other and of rooms: /rooms, /history, /msg, /who,
// /topic, /nick, /status, /whois. Arguments arrive sanitised (the line
// was); the host answers these with send()s, only /nick is awaited.
#include <limits>
#include <optional>

#include "chat/sanitize.hpp"
#include "chat/session.hpp"

namespace chatd::chat {
namespace {

// A positive decimal integer (digits only; no sign, no blanks), saturated
// at the largest size_t: the host clamps to its limit anyway.
std::optional<std::size_t> positive_count(std::string_view s) {
  if (s.empty()) return std::nullopt;
  std::size_t n = 0;
  constexpr std::size_t kMax = std::numeric_limits<std::size_t>::max();
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    const auto digit = static_cast<std::size_t>(c - '0');
    n = n > (kMax - digit) / 10 ? kMax : n * 10 + digit;
  }
  if (n == 0) return std::nullopt;
  return n;
}

// The nickname rule of the login step: 1..kMaxNickChars code points, not
// starting with '/'. A name that breaks it cannot belong to anyone.
bool possible_nick(std::string_view nick) {
  return !nick.empty() && nick.front() != '/' && utf8_length(nick) <= kMaxNickChars;
}

// The text of the "/topic" argument that clears the topic.
constexpr std::string_view kClearTopic = "-";

}  // namespace

// "/rooms [filter] [page]": a last word that is a positive number is the
// page, the rest the filter. So "/rooms 2" is the second page of all rooms,
// and a filter that is a number needs its page: "/rooms 7 1".
void Session::on_rooms(SessionHost& host, std::string_view arg) {
  std::string_view filter = arg;
  std::size_t page = 0;
  const std::size_t blank = arg.find_last_of(" \t");
  const std::string_view last = blank == std::string_view::npos ? arg : arg.substr(blank + 1);
  if (const std::optional<std::size_t> n = positive_count(last)) {
    page = *n;
    filter = blank == std::string_view::npos ? std::string_view{} : arg.substr(0, blank);
    while (!filter.empty() && (filter.back() == ' ' || filter.back() == '\t')) filter.remove_suffix(1);
  }
  host.list_rooms(filter, page);
}

void Session::on_history(SessionHost& host, std::string_view arg) {
  if (!in_room_) {
    host.send(Event::error_of(ErrorCode::NotInRoomForCommand));
    return;
  }
  std::size_t count = 0;  // the host's default
  if (!arg.empty()) {
    const std::optional<std::size_t> n = positive_count(arg);
    if (!n) {
      host.send(Event::error_of(ErrorCode::UsageHistory));
      return;
    }
    count = *n;
  }
  host.request_history(room_id_, room_, count);
}

void Session::on_private_message(SessionHost& host, std::string_view nick, std::string_view text) {
  if (nick.empty() || text.empty()) {
    host.send(Event::error_of(ErrorCode::UsageMsg));
    return;
  }
  if (!possible_nick(nick)) {
    host.send({.kind = EventKind::Error, .error = ErrorCode::NoSuchNick, .nick = nick});
    return;
  }
  host.private_message(nick, text);
}

void Session::on_who(SessionHost& host) {
  if (!in_room_) {
    host.send(Event::error_of(ErrorCode::NotInRoomForCommand));
    return;
  }
  host.list_members(room_id_, room_);
}

void Session::on_topic(SessionHost& host, std::string_view arg) {
  if (!in_room_) {
    host.send(Event::error_of(ErrorCode::NotInRoomForCommand));
    return;
  }
  if (arg.empty()) {
    host.topic(room_id_, room_, nullptr);
    return;
  }
  if (utf8_length(arg) > kMaxTopicChars) {
    host.send({.kind = EventKind::Error, .error = ErrorCode::TopicTooLong, .number = kMaxTopicChars});
    return;
  }
  const std::string_view text = arg == kClearTopic ? std::string_view{} : arg;
  host.topic(room_id_, room_, &text);
}

void Session::on_nick(SessionHost& host, std::string_view nick) {
  if (nick.empty()) {
    host.send(Event::error_of(ErrorCode::UsageNick));
    return;
  }
  if (!possible_nick(nick)) {
    host.send(Event::error_of(ErrorCode::NickInvalid));
    return;
  }
  // Already yours, byte for byte: nothing to ask, and the account stays.
  if (nick == nick_) {
    host.send({.kind = EventKind::NickChangedSelf, .nick = nick_});
    return;
  }
  pending_ = std::string(nick);
  phase_ = Phase::ChangingNick;
  host.change_nick(pending_);
}

void Session::nick_change_result(SessionHost& host, NickStatus status) {
  if (phase_ != Phase::ChangingNick) return;
  phase_ = Phase::Chat;
  switch (status) {
    case NickStatus::Ok:
      // A new nickname leaves the account of the old one, always (even back
      // to a nickname of one's own account: /identify again).
      nick_ = std::move(pending_);
      identified_ = false;
      host.send({.kind = EventKind::NickChangedSelf, .nick = nick_});
      break;
    case NickStatus::Taken:
      host.send({.kind = EventKind::Error, .error = ErrorCode::NickTaken, .nick = pending_});
      break;
    case NickStatus::Registered:
    case NickStatus::NeedsPassword:  // meant for the login; here: an account's, not yours
      host.send({.kind = EventKind::Error, .error = ErrorCode::NickRegistered, .nick = pending_});
      break;
  }
  pending_.clear();
}

void Session::on_status(SessionHost& host, std::string_view text) {
  if (utf8_length(text) > kMaxStatusChars) {
    host.send({.kind = EventKind::Error, .error = ErrorCode::StatusTooLong, .number = kMaxStatusChars});
    return;
  }
  host.set_status(text);
  status_ = std::string(text);
  if (status_.empty()) {
    host.send(Event::of(EventKind::StatusCleared));
  } else {
    host.send({.kind = EventKind::StatusSet, .text = status_});
  }
}

void Session::on_whois(SessionHost& host, std::string_view nick) {
  if (nick.empty()) {
    host.send(Event::error_of(ErrorCode::UsageWhois));
    return;
  }
  if (!possible_nick(nick)) {
    host.send({.kind = EventKind::Error, .error = ErrorCode::NoSuchNick, .nick = nick});
    return;
  }
  host.whois(nick);
}

}  // namespace chatd::chat
