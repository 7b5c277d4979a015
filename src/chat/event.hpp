#pragma once
// What the chat layer tells a client, as data: a typed event that a Dialect
// renders (line-en, line-pt today; JSON and IRC tomorrow). No text lives
// here. A view type: it borrows every string it names, so it lives no
// longer than the call that builds it.
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace chatd::chat {

enum class EventKind : std::uint8_t {
  Prompt,       // ask for a nickname (no newline in line dialects)
  Welcome,      // nick: registered under this nickname
  Help,         // the command list
  RoomList,     // names: every room, in creation order
  RoomCreated,  // room
  JoinedSelf,   // room: you are in it now
  Joined,       // nick joined room (seen by the others)
  LeftSelf,     // you left your room
  Left,         // nick left room (seen by the others)
  QuitSelf,     // you left the chat
  Quit,         // nick left the chat from room (seen by the others)
  Message,      // nick said text in room; seq = the room's order, time_ms = when (UTC)
  Error,        // error says which; nick/room/text/number as the code needs
};

// Every refusal and every reason for a disconnect, with a stable identity
// (the JSON dialect sends it as `code`).
enum class ErrorCode : std::uint8_t {
  NickTaken,           // nick
  NickInvalid,
  RoomExists,
  RoomInvalid,
  RoomLimit,
  RoomRateLimited,
  NoSuchRoom,
  AlreadyInRoom,       // room
  NotInRoom,           // /leave outside a room
  MessageOutsideRoom,  // a message outside a room
  UsageCreate,
  UsageJoin,
  UnknownCommand,      // text = the command word
  LineTooLong,         // number = the limit in bytes
  LoginTimeout,        // then disconnected
  SlowConsumer,        // then disconnected
  ShuttingDown,        // then disconnected
  ServerFull,          // refused at accept
  TooManyFromIp,       // refused at accept
  Flood,               // then disconnected
};

struct Event {
  EventKind kind{};
  ErrorCode error{};
  std::string_view nick;
  std::string_view room;
  std::string_view text;
  std::span<const std::string> names;
  std::uint64_t number = 0;  // Message: seq; Error LineTooLong: the limit
  std::int64_t time_ms = 0;  // Message: milliseconds since the Unix epoch, UTC

  static Event of(EventKind k) { return Event{.kind = k}; }
  static Event error_of(ErrorCode e) { return Event{.kind = EventKind::Error, .error = e}; }
};

}  // namespace chatd::chat
