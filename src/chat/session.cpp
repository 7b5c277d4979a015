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
}

void Session::on_nickname(SessionHost& host, std::string_view raw) {
  std::string nick = sanitize(raw);
  // The original named silent users after their port; so do we.
  if (nick.empty()) nick = default_nick(lang_, peer_port_);
  if (nick.front() == '/' || utf8_length(nick) > kMaxNickChars) {
    host.send(Event::error_of(ErrorCode::NickInvalid));
    host.send(Event::of(EventKind::Prompt));
    return;
  }
  nick_ = std::move(nick);
  phase_ = Phase::ClaimingNick;
  host.claim_nick(nick_);
}

void Session::nick_result(SessionHost& host, bool ok) {
  if (phase_ != Phase::ClaimingNick) return;
  if (!ok) {
    host.send({.kind = EventKind::Error, .error = ErrorCode::NickTaken, .nick = nick_});
    host.send(Event::of(EventKind::Prompt));
    nick_.clear();
    phase_ = Phase::Nickname;
    return;
  }
  registered_ = true;
  phase_ = Phase::Chat;
  host.send({.kind = EventKind::Welcome, .nick = nick_});
}

void Session::on_command(SessionHost& host, std::string_view raw) {
  const std::string line = sanitize(raw);
  if (line.empty()) return;
  const Command cmd = parse_command(line);
  switch (cmd.kind) {
    case CommandKind::Message:
      if (!in_room_) {
        host.send(Event::error_of(ErrorCode::MessageOutsideRoom));
      } else {
        host.publish(room_id_, line);
      }
      return;
    case CommandKind::Rooms:
      host.list_rooms();
      return;
    case CommandKind::Create:
      on_create(host, cmd.arg);
      return;
    case CommandKind::Join:
      on_join(host, cmd.arg);
      return;
    case CommandKind::Leave:
      on_leave(host);
      return;
    case CommandKind::Quit:
      on_quit(host);
      return;
    case CommandKind::Help:
      host.send(Event::of(EventKind::Help));
      return;
    case CommandKind::Unknown:
      host.send({.kind = EventKind::Error, .error = ErrorCode::UnknownCommand, .text = cmd.word});
      return;
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
  phase_ = Phase::Closed;
  host.send(Event::of(EventKind::QuitSelf));
  host.finish();
}

void Session::create_result(SessionHost& host, CreateStatus status) {
  if (phase_ != Phase::AwaitingRoom) return;
  phase_ = Phase::Chat;
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
  pending_.clear();
}

void Session::join_result(SessionHost& host, bool ok, std::uint32_t room_id) {
  if (phase_ != Phase::AwaitingRoom) return;
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
  // A nickname is held from the claim on, even while the answer is on its way.
  if (registered_ || phase_ == Phase::ClaimingNick) host.release_nick();
  registered_ = false;
  phase_ = Phase::Closed;
}

}  // namespace chatd::chat
