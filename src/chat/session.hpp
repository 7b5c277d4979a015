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
// A room's topic and a custom status, in code points: longer ones are
// refused (TopicTooLong, StatusTooLong), not cut.
constexpr std::size_t kMaxTopicChars = 256;
constexpr std::size_t kMaxStatusChars = 64;

// Why a member leaves a room: decides the notice the others see.
enum class LeaveKind : std::uint8_t { Leave, Quit };

enum class CreateStatus : std::uint8_t { Created, Exists, Limit, RateLimited };

// The answer to a nickname claim (at the nickname step, or /nick).
enum class NickStatus : std::uint8_t {
  Ok,             // yours now
  Taken,          // someone online holds it
  NeedsPassword,  // it belongs to an account: held for you until the password is checked
                  // (at the nickname step; for /nick the host answers Registered instead)
  Registered,     // /nick only: it belongs to an account that is not yours
};

// The answer to a login or an account request.
enum class AccountStatus : std::uint8_t {
  Ok,
  WrongPassword,
  Throttled,          // too many attempts (per address or per account): try later
  NotRegistered,      // /identify: no account for this nickname
  AlreadyRegistered,  // /register: the nickname has an account
  Unavailable,        // storage or hashing failed: nothing changed
};

// The longest password accepted (bytes); longer ones are refused unhashed.
constexpr std::size_t kMaxPasswordBytes = 128;
// Wrong passwords in a row at the nickname step before the connection closes.
constexpr unsigned kMaxPasswordAttempts = 3;

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
  // /rooms: the page'th page (1-based; 0 = not asked: the first) of the rooms
  // whose name contains `filter`, ASCII case-insensitively ("" = all).
  virtual void list_rooms(std::string_view filter, std::size_t page) = 0;
  virtual void release_nick() = 0;
  // Close after the pending output is sent (the client asked to quit).
  virtual void finish() = 0;

  // Accounts. Passwords are handed over only here: never sent back in an
  // event, never logged.
  virtual void check_password(std::string_view password) = 0;        // async: login -> password_result
  virtual void register_account(std::string_view password) = 0;      // async -> account_result
  virtual void identify(std::string_view password) = 0;              // async -> account_result
  virtual void change_password(std::string_view old_password,
                               std::string_view new_password) = 0;   // async -> account_result
  virtual void change_nick(std::string_view nick) = 0;               // async -> nick_change_result
  // Answered with send()s (history, errors), not awaited: the session goes on.
  // count 0 = the default (the host knows the limits).
  virtual void request_history(std::uint32_t room_id, std::string_view room, std::size_t count) = 0;
  virtual void private_message(std::string_view to_nick, std::string_view text) = 0;
  virtual void list_members(std::uint32_t room_id, std::string_view room) = 0;
  // No text: show the topic; text (possibly empty = clear): set it.
  virtual void topic(std::uint32_t room_id, std::string_view room, const std::string_view* text) = 0;
  virtual void set_status(std::string_view text) = 0;                // "" clears
  virtual void whois(std::string_view nick) = 0;
};

class Session {
 public:
  // Nickname: waiting for a nickname line. ClaimingNick: the claim is on
  // its way. Password: the nickname belongs to an account (held for this
  // connection); waiting for its password line. CheckingPassword: that
  // password is being checked. Chat: registered, taking commands.
  // AwaitingRoom: a /create or /join is on its way. AwaitingAccount: a
  // /register, /identify or /password is on its way. ChangingNick: a /nick
  // is on its way. Closed: quit or disconnected.
  enum class Phase : std::uint8_t {
    Nickname,
    ClaimingNick,
    Password,
    CheckingPassword,
    Chat,
    AwaitingRoom,
    AwaitingAccount,
    ChangingNick,
    Closed,
  };

  // lang: the server's language, for the default nickname.
  Session(Lang lang, std::uint16_t peer_port) : lang_(lang), peer_port_(peer_port) {}

  // Sends the nickname prompt.
  void start(SessionHost& host);
  // One framed line (raw bytes; sanitised here, except passwords: the
  // password prompt's line and the arguments of /register, /identify,
  // /password go to the host as typed, only a final CR dropped).
  void on_line(SessionHost& host, std::string_view raw);
  // The framer dropped an over-long line.
  void on_line_too_long(SessionHost& host, std::size_t max_line);

  void nick_result(SessionHost& host, NickStatus status);
  // The login password was checked (Ok, WrongPassword or Throttled).
  void password_result(SessionHost& host, AccountStatus status);
  // /register, /identify, /password answered.
  void account_result(SessionHost& host, AccountStatus status);
  // /nick answered: Ok (the host announced it to the room), Taken or Registered.
  // Ok always leaves the account of the old nickname: identified() is false
  // until an /identify (kept simple: even a change back to one's own).
  void nick_change_result(SessionHost& host, NickStatus status);
  // The account's stored status, once logged in (the host read it).
  void set_stored_status(std::string status) { status_ = std::move(status); }
  void create_result(SessionHost& host, CreateStatus status);
  // A /create is on its way and `line` (raw, final CR dropped) is a /join
  // of the same room: the host may hand it over now, with pipeline_join(),
  // instead of holding it for the create's answer — when the join reaches
  // the room's owner after the create (same owner, FIFO). The create's
  // answer then comes first and the session goes on awaiting the join's.
  bool joins_pending_room(std::string_view line) const;
  void pipeline_join(SessionHost& host);
  void join_result(SessionHost& host, bool ok, std::uint32_t room_id);
  // The connection ended without /quit (EOF, error, timeout, shutdown):
  // announce the departure like a quit and free the nickname.
  void on_disconnect(SessionHost& host);

  // An async call is outstanding, whichever (ClaimingNick, CheckingPassword,
  // AwaitingRoom, AwaitingAccount, ChangingNick): the host holds the
  // connection's further lines back until its answer.
  bool awaiting() const {
    return phase_ == Phase::ClaimingNick || phase_ == Phase::CheckingPassword ||
           phase_ == Phase::AwaitingRoom || phase_ == Phase::AwaitingAccount ||
           phase_ == Phase::ChangingNick;
  }
  // Not past the login yet (Nickname, ClaimingNick, Password,
  // CheckingPassword): the phases the host's login timeout applies to. A
  // timeout there goes through on_disconnect like any other end, which
  // frees a nickname held for a password.
  bool logging_in() const {
    return phase_ == Phase::Nickname || phase_ == Phase::ClaimingNick || phase_ == Phase::Password ||
           phase_ == Phase::CheckingPassword;
  }
  bool registered() const { return registered_; }
  // Whether passwords may be typed on this connection (false: plaintext
  // under --require-tls-for-login). Set before start().
  void set_secure(bool secure) { secure_ = secure; }
  bool closed() const { return phase_ == Phase::Closed; }
  Phase phase() const { return phase_; }
  const std::string& nick() const { return nick_; }
  bool in_room() const { return in_room_; }
  std::uint32_t room_id() const { return room_id_; }
  const std::string& room() const { return room_; }
  bool identified() const { return identified_; }  // logged in to the account of nick()
  const std::string& status() const { return status_; }

 private:
  // Which account request an AwaitingAccount phase waits for.
  enum class AccountRequest : std::uint8_t { Register, Identify, ChangePassword };

  // The login (session_login.cpp).
  void on_nickname(SessionHost& host, std::string_view line);
  void on_login_password(SessionHost& host, std::string_view raw);
  void prompt_password(SessionHost& host);
  void close_login(SessionHost& host, ErrorCode why);
  // Commands (session.cpp routes them; rooms are handled there).
  void on_command(SessionHost& host, std::string_view line);
  void on_message(SessionHost& host, std::string_view line);
  void on_create(SessionHost& host, std::string_view room);
  void on_join(SessionHost& host, std::string_view room);
  void on_leave(SessionHost& host);
  void on_quit(SessionHost& host);
  // Accounts (session_account.cpp). `raw` is the unsanitised line: passwords
  // are taken from it as typed.
  void on_register(SessionHost& host, std::string_view raw);
  void on_identify(SessionHost& host, std::string_view raw);
  void on_change_password(SessionHost& host, std::string_view raw);
  // What people see of each other and of rooms (session_social.cpp).
  void on_rooms(SessionHost& host, std::string_view arg);
  void on_history(SessionHost& host, std::string_view arg);
  void on_private_message(SessionHost& host, std::string_view nick, std::string_view text);
  void on_who(SessionHost& host);
  void on_topic(SessionHost& host, std::string_view arg);
  void on_nick(SessionHost& host, std::string_view nick);
  void on_status(SessionHost& host, std::string_view text);
  void on_whois(SessionHost& host, std::string_view nick);
  // The host holds nick_ for this connection (from the claim on).
  bool holds_nick() const;

  std::string nick_;
  std::string room_;     // current room's name, or the one being joined
  std::string pending_;  // room name of an outstanding create/join; new nickname of an outstanding /nick
  std::string status_;   // the custom status ("" = none)
  std::uint32_t room_id_ = 0;
  Lang lang_;
  std::uint16_t peer_port_;
  Phase phase_ = Phase::Nickname;
  bool in_room_ = false;
  bool creating_ = false;      // AwaitingRoom for a /create (not a /join)
  bool join_queued_ = false;   // ... and the /join of the same room is on its way behind it
  bool registered_ = false;
  bool identified_ = false;
  bool secure_ = true;
  AccountRequest account_request_ = AccountRequest::Register;  // meaningful in AwaitingAccount
  unsigned wrong_passwords_ = 0;  // at the login, in a row
};

}  // namespace chatd::chat
