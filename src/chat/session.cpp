// The session's spine: lines routed by phase, the room commands, quitting
// and disconnecting. The login is in session_login.cpp, the account
// commands in session_account.cpp, the others in session_social.cpp.
#include "chat/session.hpp"

#include "chat/command.hpp"
#include "chat/sanitize.hpp"

namespace chatd::chat {

void Session::start(SessionHost& host) { host.send(Event::of(EventKind::Prompt)); }

void Session::on_line(SessionHost& host, std::string_view raw) {
  switch (phase_) {
    case Phase::Nickname:
      on_nickname(host, raw);
      return;
    case Phase::Password:
      on_login_password(host, raw);
      return;
    case Phase::Chat:
      on_command(host, raw);
      return;
    default:
      return;  // the host holds lines back while awaiting; closed ignores
  }
}

void Session::on_line_too_long(SessionHost& host, std::size_t max_line) {
  if (phase_ == Phase::Closed) return;
  host.send({.kind = EventKind::Error, .error = ErrorCode::LineTooLong, .number = max_line});
  if (phase_ == Phase::Nickname) host.send(Event::of(EventKind::Prompt));
  if (phase_ == Phase::Password) prompt_password(host);
}

bool Session::holds_nick() const {
  // From the claim on, even while its answer or a password check is on its
  // way; a /nick in flight still holds the old one.
  return registered_ || phase_ == Phase::ClaimingNick || phase_ == Phase::Password ||
         phase_ == Phase::CheckingPassword;
}

void Session::on_command(SessionHost& host, std::string_view raw) {
  const std::string line = sanitize(raw);
  if (line.empty()) return;
  const Command cmd = parse_command(line);
  switch (cmd.kind) {
    case CommandKind::Message:
      return on_message(host, line);
    case CommandKind::Rooms:
      return on_rooms(host, cmd.arg);
    case CommandKind::Create:
      return on_create(host, cmd.arg);
    case CommandKind::Join:
      return on_join(host, cmd.arg);
    case CommandKind::Leave:
      return on_leave(host);
    case CommandKind::Quit:
      return on_quit(host);
    case CommandKind::Help:
      return host.send(Event::of(EventKind::Help));
    // Passwords come from the raw line: `line` is sanitised.
    case CommandKind::Register:
      return on_register(host, raw);
    case CommandKind::Identify:
      return on_identify(host, raw);
    case CommandKind::Password:
      return on_change_password(host, raw);
    case CommandKind::History:
      return on_history(host, cmd.arg);
    case CommandKind::Msg:
      return on_private_message(host, cmd.first, cmd.rest);
    case CommandKind::Who:
      return on_who(host);
    case CommandKind::Topic:
      return on_topic(host, cmd.arg);
    case CommandKind::Nick:
      return on_nick(host, cmd.arg);
    case CommandKind::Status:
      return on_status(host, cmd.arg);
    case CommandKind::Whois:
      return on_whois(host, cmd.arg);
    case CommandKind::Unknown:
      return host.send({.kind = EventKind::Error, .error = ErrorCode::UnknownCommand, .text = cmd.word});
  }
}

void Session::on_message(SessionHost& host, std::string_view line) {
  if (!in_room_) {
    host.send(Event::error_of(ErrorCode::MessageOutsideRoom));
  } else {
    host.publish(room_id_, line);
  }
}

void Session::on_create(SessionHost& host, std::string_view room) {
  if (room.empty()) {
    host.send(Event::error_of(ErrorCode::UsageCreate));
  } else if (utf8_length(room) > kMaxRoomChars) {
    host.send(Event::error_of(ErrorCode::RoomInvalid));
  } else {
    pending_ = std::string(room);
    phase_ = Phase::AwaitingRoom;
    creating_ = true;
    host.create_room(pending_);
  }
}

void Session::on_join(SessionHost& host, std::string_view room) {
  if (room.empty()) {
    host.send(Event::error_of(ErrorCode::UsageJoin));
  } else if (in_room_ && room == room_) {
    host.send({.kind = EventKind::Error, .error = ErrorCode::AlreadyInRoom, .room = room_});
  } else if (utf8_length(room) > kMaxRoomChars) {
    host.send(Event::error_of(ErrorCode::NoSuchRoom));
  } else {
    pending_ = std::string(room);
    phase_ = Phase::AwaitingRoom;
    creating_ = false;
    host.join_room(pending_);
  }
}

void Session::on_leave(SessionHost& host) {
  if (!in_room_) {
    host.send(Event::error_of(ErrorCode::NotInRoom));
    return;
  }
  host.leave_room(room_id_, room_, LeaveKind::Leave);
  in_room_ = false;
  room_.clear();
  host.send(Event::of(EventKind::LeftSelf));
}

void Session::on_quit(SessionHost& host) {
  if (in_room_) host.leave_room(room_id_, room_, LeaveKind::Quit);
  in_room_ = false;
  host.release_nick();
  registered_ = false;
  identified_ = false;
  phase_ = Phase::Closed;
  host.send(Event::of(EventKind::QuitSelf));
  host.finish();
}

bool Session::joins_pending_room(std::string_view line) const {
  if (phase_ != Phase::AwaitingRoom || !creating_ || join_queued_) return false;
  if (in_room_ && room_ == pending_) return false;  // on_join would answer AlreadyInRoom itself
  const std::string clean = sanitize(line);
  const Command cmd = parse_command(clean);
  return cmd.kind == CommandKind::Join && cmd.arg == pending_;
}

void Session::pipeline_join(SessionHost& host) {
  join_queued_ = true;
  host.join_room(pending_);
}

void Session::create_result(SessionHost& host, CreateStatus status) {
  if (phase_ != Phase::AwaitingRoom || !creating_) return;
  creating_ = false;
  // With a /join queued behind it, the room stays pending: its answer is next.
  const bool join_next = join_queued_;
  join_queued_ = false;
  phase_ = join_next ? Phase::AwaitingRoom : Phase::Chat;
  switch (status) {
    case CreateStatus::Created:
      host.send({.kind = EventKind::RoomCreated, .room = pending_});
      break;
    case CreateStatus::Exists:
      host.send(Event::error_of(ErrorCode::RoomExists));
      break;
    case CreateStatus::Limit:
      host.send(Event::error_of(ErrorCode::RoomLimit));
      break;
    case CreateStatus::RateLimited:
      host.send(Event::error_of(ErrorCode::RoomRateLimited));
      break;
  }
  if (!join_next) pending_.clear();
}

void Session::join_result(SessionHost& host, bool ok, std::uint32_t room_id) {
  if (phase_ != Phase::AwaitingRoom || creating_) return;
  phase_ = Phase::Chat;
  if (!ok) {
    host.send(Event::error_of(ErrorCode::NoSuchRoom));
    pending_.clear();
    return;
  }
  // Joined first, left second: a failed join keeps the old room.
  if (in_room_) host.leave_room(room_id_, room_, LeaveKind::Leave);
  in_room_ = true;
  room_id_ = room_id;
  room_ = std::move(pending_);
  pending_.clear();
  host.send({.kind = EventKind::JoinedSelf, .room = room_});
}

void Session::on_disconnect(SessionHost& host) {
  if (phase_ == Phase::Closed) return;
  if (in_room_) host.leave_room(room_id_, room_, LeaveKind::Quit);
  in_room_ = false;
  if (holds_nick()) host.release_nick();
  registered_ = false;
  identified_ = false;
  phase_ = Phase::Closed;
}

}  // namespace chatd::chat
