#include "chat/replies.hpp"

#include "chat/dialect.hpp"

namespace chatd::chat {
namespace {

Event error(ErrorCode code) { return Event::error_of(code); }

}  // namespace

std::string Replies::render(const Event& e) const { return dialect(line_dialect(lang_)).render(e); }

std::string Replies::prompt() const { return render(Event::of(EventKind::Prompt)); }

std::string Replies::welcome(std::string_view nick) const {
  return render({.kind = EventKind::Welcome, .nick = nick});
}

std::string Replies::help() const { return render(Event::of(EventKind::Help)); }

std::string Replies::nick_taken(std::string_view nick) const {
  return render({.kind = EventKind::Error, .error = ErrorCode::NickTaken, .nick = nick});
}

std::string Replies::nick_invalid() const { return render(error(ErrorCode::NickInvalid)); }

std::string Replies::room_list(std::span<const std::string> names) const {
  return render({.kind = EventKind::RoomList, .names = names});
}

std::string Replies::room_created(std::string_view room) const {
  return render({.kind = EventKind::RoomCreated, .room = room});
}

std::string Replies::room_exists() const { return render(error(ErrorCode::RoomExists)); }
std::string Replies::room_invalid() const { return render(error(ErrorCode::RoomInvalid)); }
std::string Replies::room_limit() const { return render(error(ErrorCode::RoomLimit)); }
std::string Replies::room_rate_limited() const { return render(error(ErrorCode::RoomRateLimited)); }
std::string Replies::no_such_room() const { return render(error(ErrorCode::NoSuchRoom)); }

std::string Replies::joined_self(std::string_view room) const {
  return render({.kind = EventKind::JoinedSelf, .room = room});
}

std::string Replies::joined_other(std::string_view nick, std::string_view room) const {
  return render({.kind = EventKind::Joined, .nick = nick, .room = room});
}

std::string Replies::already_in_room(std::string_view room) const {
  return render({.kind = EventKind::Error, .error = ErrorCode::AlreadyInRoom, .room = room});
}

std::string Replies::left_other(std::string_view nick, std::string_view room) const {
  return render({.kind = EventKind::Left, .nick = nick, .room = room});
}

std::string Replies::left_self() const { return render(Event::of(EventKind::LeftSelf)); }
std::string Replies::not_in_room() const { return render(error(ErrorCode::NotInRoom)); }

std::string Replies::quit_other(std::string_view nick, std::string_view room) const {
  return render({.kind = EventKind::Quit, .nick = nick, .room = room});
}

std::string Replies::quit_self() const { return render(Event::of(EventKind::QuitSelf)); }

std::string Replies::message(std::string_view nick, std::string_view text) const {
  return render({.kind = EventKind::Message, .nick = nick, .text = text});
}

std::string Replies::message_outside_room() const {
  return render(error(ErrorCode::MessageOutsideRoom));
}
std::string Replies::usage_create() const { return render(error(ErrorCode::UsageCreate)); }
std::string Replies::usage_join() const { return render(error(ErrorCode::UsageJoin)); }

std::string Replies::unknown_command(std::string_view word) const {
  return render({.kind = EventKind::Error, .error = ErrorCode::UnknownCommand, .text = word});
}

std::string Replies::line_too_long(std::size_t max_line) const {
  return render({.kind = EventKind::Error, .error = ErrorCode::LineTooLong, .number = max_line});
}

std::string Replies::login_timeout() const { return render(error(ErrorCode::LoginTimeout)); }
std::string Replies::slow_consumer() const { return render(error(ErrorCode::SlowConsumer)); }
std::string Replies::shutting_down() const { return render(error(ErrorCode::ShuttingDown)); }
std::string Replies::server_full() const { return render(error(ErrorCode::ServerFull)); }
std::string Replies::too_many_from_ip() const { return render(error(ErrorCode::TooManyFromIp)); }
std::string Replies::flood_disconnect() const { return render(error(ErrorCode::Flood)); }

}  // namespace chatd::chat
