#pragma once
// One client connection as its shard sees it.
#include <cstdint>
#include <memory>
#include <string>

#include "chat/dialect.hpp"
#include "chat/line_framer.hpp"
#include "chat/rate_window.hpp"
#include "chat/session.hpp"
#include "chat/token_bucket.hpp"
#include "io/reactor.hpp"
#include "shard/envelope.hpp"
#include "shard/output_queue.hpp"
#include "shard/web_state.hpp"

namespace chatd::shard {

inline constexpr std::uint32_t kNotMember = 0xffffffffu;

// Lives in its shard's connection table; touched only by that shard's thread.
struct Connection {
  // Where it is in its life. Only forward: Open -> Closing -> Doomed.
  enum class Life : std::uint8_t {
    Open,     // reading and writing
    Closing,  // input is over; its last output is flushing (bounded by a linger timer)
    Doomed,   // destroyed at the end of this loop pass; nothing more is queued
  };

  Connection(io::Token t, chat::Lang lang, chat::DialectId d, std::size_t max_line, std::string peer_ip,
             std::uint16_t peer_port)
      : token(t), dialect(d), framer(max_line), session(lang, peer_port), ip(std::move(peer_ip)),
        port(peer_port) {}

  bool closing() const { return life != Life::Open; }
  // Speaks WebSocket (or is still an HTTP request that may become one).
  bool web() const { return web_state != nullptr; }
  bool websocket() const { return web_state && web_state->ws.has_value(); }
  bool doomed() const { return life == Life::Doomed; }
  // Lines must wait in the stash rather than reach the session.
  bool holding_input() const { return !stash.empty() || session.awaiting() || throttled; }

  io::Token token;
  chat::DialectId dialect;
  chat::LineFramer framer;
  chat::Session session;
  OutputQueue out;
  std::string stash;  // raw input held back while the session awaits an answer or is throttled
  std::string ip;
  std::uint16_t port;
  Life life = Life::Open;

  // Room membership on this shard (index into the room's local member list).
  std::uint32_t member_index = kNotMember;
  std::uint32_t room_id = 0;
  std::uint64_t joined_at = 0;  // the room's event count at the join: /who lists in join order

  // Input and abuse control.
  std::uint64_t last_rx_ms = 0;
  chat::TokenBucket bucket;              // flood control
  std::uint64_t throttled_since_ms = 0;  // 0 = not throttled lately
  chat::RateWindow room_creations;
  bool eof = false;          // the peer will send no more
  bool paused = false;       // reading stopped (stash too big, or throttled)
  bool throttled = false;    // out of flood-control tokens
  bool flush_armed = false;  // an idle-flush timer is pending

  // An account request under way (a login, /identify, /password, /nick):
  // rare, so held apart and only while it lasts — an idle connection pays
  // one pointer for it.
  struct AccountScratch {
    std::string login_hash;          // what a login's password is checked against
    Secret old_password, new_password;  // a /identify or /password between lookup and check
    std::string old_nick;            // during a /nick: the nick the room knew
  };
  std::unique_ptr<AccountScratch> account_request;
  std::unique_ptr<WebState> web_state;  // only for connections from a --web listener
  AccountScratch& account_scratch() {
    if (!account_request) account_request = std::make_unique<AccountScratch>();
    return *account_request;
  }

  // Output and accounting.
  bool slow = false;        // over max-outbuf: dropped at the end of this pass
  bool counted_ip = false;  // holds a place in Admission's per-address count
  const char* reason = "closed";  // for the disconnect log line
};

}  // namespace chatd::shard
