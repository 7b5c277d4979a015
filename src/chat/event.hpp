#pragma once
// What the chat layer tells a client, as data: a typed event that a Dialect
// renders (line-en, line-pt, json; IRC tomorrow). No text lives
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
  RoomList,     // names: one page of the rooms matching text (the filter, "" = all), in
                // creation order; number = how many match; page (1-based), page_size;
                // flag = show the count (a filter or page was asked, or there is more than a page)
  RoomCreated,  // room
  JoinedSelf,   // room: you are in it now
  Joined,       // nick joined room (seen by the others)
  LeftSelf,     // you left your room
  Left,         // nick left room (seen by the others)
  QuitSelf,     // you left the chat
  Quit,         // nick left the chat from room (seen by the others)
  Message,      // nick said text in room; seq = the room's order, time_ms = when (UTC)
  Error,        // error says which; nick/room/text/number as the code needs

  // Accounts (the nickname step and /register, /identify, /password).
  PasswordPrompt,     // nick belongs to an account: ask its password (no newline in line dialects)
  Identified,         // nick: logged in to its account
  AccountRegistered,  // nick: the account now exists and you are logged in to it
  PasswordChanged,
  // History: one HistoryMessage per message (nick, text, room, seq, time_ms),
  // oldest first, before any live traffic of the room.
  HistoryMessage,
  HistoryEmpty,       // room: nothing stored (answer to /history only)
  // Private messages.
  PrivateFrom,        // nick (sender) said text to you; time_ms
  PrivateTo,          // your text to nick, as sent (the sender's echo)
  PrivateQueued,      // nick is offline; it gets text at its next login
  // Rooms and people.
  MemberList,         // room; names = members, details = their statuses ("" = none), same order
  Topic,              // room's topic is text ("" = none set)
  TopicChanged,       // nick set room's topic to text ("" = cleared)
  NickChanged,        // nick is now other (seen by the room)
  NickChangedSelf,    // you are now nick
  StatusSet,          // your status is text
  StatusCleared,
  Whois,              // nick; text = status; room = current room ("" = none);
                      // number = registered since (ms, 0 = not registered);
                      // flag = online; time_ms = last seen (ms, 0 = unknown)
  // --cluster: this node lost Redis (docs/cluster.md); to every member of
  // room, once per outage, then once when the room's gap is filled.
  ClusterPaused,      // room: chat with other nodes is paused; what is sent waits (bounded)
  ClusterResumed,     // room: it resumed (what was missed has been delivered)
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

  // Accounts.
  WrongPassword,       // the password prompt follows at login
  TooManyAttempts,     // three wrong passwords: then disconnected
  LoginThrottled,      // too many attempts from this address or on this account: wait
  PasswordInvalid,     // empty, or longer than 128 bytes
  NotRegistered,       // no account for this nickname (/identify)
  AlreadyRegistered,   // the nickname has an account already (/register)
  AlreadyIdentified,
  NotIdentified,       // /password needs you logged in
  NickRegistered,      // nick belongs to an account: reconnect with it to log in (/nick)
  NoSuchNick,          // nick: nobody online or registered with that nickname
  NotInRoomForCommand, // /who, /topic outside a room
  StorageUnavailable,  // the database refused the change: nothing was changed
  UsageRegister,
  UsageIdentify,
  UsagePassword,
  UsageHistory,
  UsageMsg,
  UsageNick,
  UsageWhois,
  TopicTooLong,        // number = the limit in characters
  StatusTooLong,       // number = the limit in characters
  TlsRequired,         // passwords travel only over TLS here (--require-tls-for-login); nick when at login
  // --cluster (rooms shared through Redis).
  MessagesLost,        // room; number = how many of its events could not be recovered (0 = unknown: Redis lost them)
  ClusterUnavailable,  // text = your message: it could not be published (Redis unreachable or too slow)
};

struct Event {
  EventKind kind{};
  ErrorCode error{};
  std::string_view nick;
  std::string_view room;
  std::string_view text;
  std::string_view other;              // NickChanged: the new nick
  std::span<const std::string> names;
  std::span<const std::string> details;  // MemberList: statuses, parallel to names
  std::uint64_t number = 0;  // Message, HistoryMessage: seq; Error LineTooLong: the limit; Whois: since
  std::int64_t time_ms = 0;  // Message, HistoryMessage, PrivateFrom: ms since the Unix epoch, UTC
  bool flag = false;         // Whois: online; RoomList: show the count
  std::uint32_t page = 0;       // RoomList: which page (1-based)
  std::uint32_t page_size = 0;  // RoomList: rooms per page

  // RoomList: how many pages the matching rooms fill (at least 1, even for none).
  std::uint64_t pages() const {
    if (page_size == 0 || number == 0) return 1;
    return (number + page_size - 1) / page_size;
  }

  static Event of(EventKind k) { return Event{.kind = k}; }
  static Event error_of(ErrorCode e) { return Event{.kind = EventKind::Error, .error = e}; }
};

}  // namespace chatd::chat
