#include "chat/session.hpp"

#include "chat/command.hpp"
#include "chat/sanitize.hpp"

namespace chatd::chat {

void Session::start(SessionHost& host) { host.send(replies_->prompt()); }

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
  host.send(replies_->line_too_long(max_line));
  if (phase_ == Phase::Nickname) host.send(replies_->prompt());
}

void Session::on_nickname(SessionHost& host, std::string_view raw) {
  std::string nick = sanitize(raw);
  // The original named silent users after their port; so do we.
  if (nick.empty()) nick = replies_->default_nick(peer_port_);
  if (nick.front() == '/' || utf8_length(nick) > kMaxNickChars) {
    host.send(replies_->nick_invalid());
    host.send(replies_->prompt());
    return;
  }
  nick_ = std::move(nick);
  phase_ = Phase::ClaimingNick;
  host.claim_nick(nick_);
}

void Session::nick_result(SessionHost& host, bool ok) {
  if (phase_ != Phase::ClaimingNick) return;
  if (!ok) {
    host.send(replies_->nick_taken(nick_));
    host.send(replies_->prompt());
    nick_.clear();
    phase_ = Phase::Nickname;
    return;
  }
  registered_ = true;
  phase_ = Phase::Chat;
  host.send(replies_->welcome(nick_));
}

void Session::on_command(SessionHost& host, std::string_view raw) {
  const std::string line = sanitize(raw);
  if (line.empty()) return;
  const Command cmd = parse_command(line);
  switch (cmd.kind) {
    case CommandKind::Message:
      if (!in_room_) {
        host.send(replies_->message_outside_room());
      } else {
        host.publish(room_id_, line);
      }
      return;
    case CommandKind::Rooms:
      host.list_rooms();
      return;
    case CommandKind::Create:
      if (cmd.arg.empty()) {
        host.send(replies_->usage_create());
      } else if (utf8_length(cmd.arg) > kMaxRoomChars) {
        host.send(replies_->room_invalid());
      } else {
        pending_ = std::string(cmd.arg);
        phase_ = Phase::Awaiting;
        host.create_room(pending_);
      }
      return;
    case CommandKind::Join:
      if (cmd.arg.empty()) {
        host.send(replies_->usage_join());
      } else if (in_room_ && cmd.arg == room_) {
        host.send(replies_->already_in_room(room_));
      } else if (utf8_length(cmd.arg) > kMaxRoomChars) {
        host.send(replies_->no_such_room());
      } else {
        pending_ = std::string(cmd.arg);
        phase_ = Phase::Awaiting;
        host.join_room(pending_);
      }
      return;
    case CommandKind::Leave:
      if (!in_room_) {
        host.send(replies_->not_in_room());
        return;
      }
      host.leave_room(room_id_, room_, LeaveKind::Leave);
      in_room_ = false;
      room_.clear();
      host.send(replies_->left_self());
      return;
    case CommandKind::Quit:
      if (in_room_) host.leave_room(room_id_, room_, LeaveKind::Quit);
      in_room_ = false;
      host.release_nick();
      registered_ = false;
      phase_ = Phase::Closed;
      host.send(replies_->quit_self());
      host.finish();
      return;
    case CommandKind::Help:
      host.send(replies_->help());
      return;
    case CommandKind::Unknown:
      host.send(replies_->unknown_command(cmd.word));
      return;
  }
}

void Session::create_result(SessionHost& host, CreateStatus status) {
  if (phase_ != Phase::Awaiting) return;
  phase_ = Phase::Chat;
  switch (status) {
    case CreateStatus::Created:
      host.send(replies_->room_created(pending_));
      break;
    case CreateStatus::Exists:
      host.send(replies_->room_exists());
      break;
    case CreateStatus::Limit:
      host.send(replies_->room_limit());
      break;
    case CreateStatus::RateLimited:
      host.send(replies_->room_rate_limited());
      break;
  }
  pending_.clear();
}

void Session::join_result(SessionHost& host, bool ok, std::uint32_t room_id) {
  if (phase_ != Phase::Awaiting) return;
  phase_ = Phase::Chat;
  if (!ok) {
    host.send(replies_->no_such_room());
    pending_.clear();
    return;
  }
  // Joined first, left second: a failed join keeps the old room.
  if (in_room_) host.leave_room(room_id_, room_, LeaveKind::Leave);
  in_room_ = true;
  room_id_ = room_id;
  room_ = std::move(pending_);
  pending_.clear();
  host.send(replies_->joined_self(room_));
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
