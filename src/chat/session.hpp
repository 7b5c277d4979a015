#pragma once
// The per-connection protocol state machine: lines in, effects out. No I/O,
// no clock, no threads; the shard is its host. Owned by one shard thread.
#include <cstdint>
#include <string>
#include <string_view>

#include "chat/event.hpp"
#include "chat/lang.hpp"

namespace chatd::chat {

constexpr std::size_t kMaxNickChars = 32;
constexpr std::size_t kMaxRoomChars = 64;

// Why a member leaves a room: decides the notice the others see.
enum class LeaveKind : std::uint8_t { Leave, Quit };

enum class CreateStatus : std::uint8_t { Created, Exists, Limit, RateLimited };

// What a Session asks its host to do. Calls marked async are answered later
// by the matching Session::*_result; until then the session is awaiting()
// and the host holds back the connection's further lines.
class SessionHost {
 public:
  virtual ~SessionHost() = default;
  // Tell this client `e`, rendered in its dialect. `e` borrows its strings:
  // render or copy it before returning.
  virtual void send(const Event& e) = 0;
  virtual void claim_nick(std::string_view nick) = 0;            // async
  virtual void create_room(std::string_view room) = 0;           // async
  virtual void join_room(std::string_view room) = 0;             // async
  virtual void leave_room(std::uint32_t room_id, std::string_view room, LeaveKind kind) = 0;
  virtual void publish(std::uint32_t room_id, std::string_view text) = 0;
  virtual void list_rooms() = 0;
  virtual void release_nick() = 0;
  // Close after the pending output is sent (the client asked to quit).
  virtual void finish() = 0;
};

class Session {
 public:
  // Nickname: waiting for a nickname line. ClaimingNick: the claim is on
  // its way. Chat: registered, taking commands. AwaitingRoom: a /create or
  // /join is on its way. Closed: quit or disconnected.
  enum class Phase : std::uint8_t { Nickname, ClaimingNick, Chat, AwaitingRoom, Closed };

  // lang: the server's language, for the default nickname.
  Session(Lang lang, std::uint16_t peer_port) : lang_(lang), peer_port_(peer_port) {}

  // Sends the nickname prompt.
  void start(SessionHost& host);
  // One framed line (raw bytes; sanitised here).
  void on_line(SessionHost& host, std::string_view raw);
  // The framer dropped an over-long line.
  void on_line_too_long(SessionHost& host, std::size_t max_line);

  void nick_result(SessionHost& host, bool ok);
  void create_result(SessionHost& host, CreateStatus status);
  void join_result(SessionHost& host, bool ok, std::uint32_t room_id);
  // The connection ended without /quit (EOF, error, timeout, shutdown):
  // announce the departure like a quit and free the nickname.
  void on_disconnect(SessionHost& host);

  // An async call is outstanding, whichever (ClaimingNick or AwaitingRoom):
  // the host holds the connection's further lines back until its answer.
  bool awaiting() const { return phase_ == Phase::ClaimingNick || phase_ == Phase::AwaitingRoom; }
  bool registered() const { return registered_; }
  bool closed() const { return phase_ == Phase::Closed; }
  Phase phase() const { return phase_; }
  const std::string& nick() const { return nick_; }
  bool in_room() const { return in_room_; }
  std::uint32_t room_id() const { return room_id_; }
  const std::string& room() const { return room_; }

 private:
  void on_nickname(SessionHost& host, std::string_view line);
  void on_command(SessionHost& host, std::string_view line);
  // The commands that change state; `room` is the command's argument.
  void on_create(SessionHost& host, std::string_view room);
  void on_join(SessionHost& host, std::string_view room);
  void on_leave(SessionHost& host);
  void on_quit(SessionHost& host);

  std::string nick_;
  std::string room_;     // current room's name, or the one being joined
  std::string pending_;  // room name of an outstanding create/join
  std::uint32_t room_id_ = 0;
  Lang lang_;
  std::uint16_t peer_port_;
  Phase phase_ = Phase::Nickname;
  bool in_room_ = false;
  bool registered_ = false;
};

}  // namespace chatd::chat
