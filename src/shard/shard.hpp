#pragma once
// One shard: a thread, its reactor, its connections, its slice of rooms and
// nicknames, and its end of the SPSC mailboxes.
#include <atomic>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <queue>
#include <string>
#include <string_view>
#include <vector>

#include "chat/line_framer.hpp"
#include "chat/dialect.hpp"
#include "chat/room_registry.hpp"
#include "chat/server_log.hpp"
#include "chat/session.hpp"
#include "io/reactor.hpp"
#include "shard/envelope.hpp"
#include "shard/output_queue.hpp"
#include "shard/server_config.hpp"
#include "shard/shared_text.hpp"
#include "shard/spsc_queue.hpp"

namespace chatd::shard {

class Shard;

// What all shards share: immutable config, the mailboxes, two atomics.
// Created before the shard threads start; outlives them.
struct ServerContext {
  ServerContext(const ServerConfig& cfg, unsigned shards);
  SpscQueue<Envelope>& queue(unsigned from, unsigned to) { return *queues[from * count + to]; }

  ServerConfig config;  // as started; live-changeable values are in `live`
  LiveLimits live;
  unsigned count;
  std::vector<std::unique_ptr<SpscQueue<Envelope>>> queues;  // count x count
  std::vector<Shard*> shards;
  std::atomic<std::uint32_t> rooms{0};  // next room id = rooms created so far
  std::atomic<std::uint32_t> connections{0};  // all shards, for max-conns
  // Connections per client address, for max-conns-per-ip. A mutex, because
  // it is touched only on accept and close, never per message.
  std::mutex per_ip_mutex;
  std::unordered_map<std::string, std::uint32_t> per_ip;
  std::atomic<bool> stopping{false};
};

// Counters a shard publishes for status and metrics. Written by its shard
// thread only (relaxed), read by anyone.
struct ShardStats {
  std::atomic<std::uint64_t> accepted{0};
  std::atomic<std::uint64_t> connections{0};
  std::atomic<std::uint64_t> messages_in{0};
  std::atomic<std::uint64_t> deliveries{0};
  std::atomic<std::uint64_t> bytes_in{0};
  std::atomic<std::uint64_t> bytes_out{0};
  std::atomic<std::uint64_t> slow_disconnects{0};
  std::atomic<std::uint64_t> limit_disconnects{0};  // flood, login timeout, line limits
  std::atomic<std::uint64_t> refused{0};            // over max-conns / per-ip, or no fds
  std::atomic<std::uint64_t> loops{0};
  std::atomic<std::uint64_t> heartbeat_ms{0};  // last loop pass (watchdog)
};

// Everything a shard's thread touches is here; other threads only call
// post_stop() and read stats().
class Shard final : public io::ReactorHandler {
 public:
  Shard(ServerContext& ctx, unsigned index, std::unique_ptr<io::Reactor> reactor,
        std::vector<int> listeners);
  ~Shard() override;

  void run();  // the shard thread's body; returns after a clean stop
  void wake() { reactor_->wake(); }
  const ShardStats& stats() const { return stats_; }
  // Items waiting for this shard in its inbound queues (approximate).
  std::size_t inbox_depth() const;
  unsigned index() const { return index_; }
  std::string_view backend() const { return reactor_->name(); }

  // ReactorHandler
  void on_accept(int fd, const sockaddr_storage& peer) override;
  void on_accept_error(int err) override;
  void on_data(io::Token t, std::span<const char> bytes) override;
  void on_closed(io::Token t, int err) override;
  std::size_t gather(io::Token t, std::span<iovec> out) override;
  void on_sent(io::Token t, std::size_t bytes) override;
  void on_wake() override {}
  bool has_pending_work() const override { return !doomed_.empty() || !local_mail_.empty(); }

 private:
  struct Connection;
  class Host;
  enum class TimerKind : std::uint8_t { Login, IdleFlush, Linger, Throttle };
  struct Timer {
    std::uint64_t due_ms;
    io::Token token;
    TimerKind kind;
    bool operator>(const Timer& o) const { return due_ms > o.due_ms; }
  };
  // This pass's copy of the live limits (one relaxed load each per pass).
  struct Limits {
    std::size_t max_line, max_outbuf;
    unsigned idle_flush_ms, login_timeout_s, burst, max_conns, max_conns_per_ip, rooms_per_minute;
    double rate;
  };
  struct LocalRoom {
    std::vector<std::uint32_t> members;  // connection slots
  };

  Connection* find(io::Token t);
  void pump(Connection& c, std::span<const char> input);
  void resume(Connection& c);
  void end_input(Connection& c);
  void queue_text(Connection& c, LocalText* l);
  void reply(Connection& c, std::string_view text);
  void reply(Connection& c, const chat::Event& e);  // rendered in c's dialect
  // Renders into render_buf_: valid until the next render.
  std::string_view render(const chat::Dialect& d, const chat::Event& e);
  void finish(Connection& c);
  void disconnect(Connection& c, const char* reason, bool now);
  void destroy(Connection& c);
  void reap();

  // Mailboxes.
  void post(unsigned to, Envelope&& e);
  void drain_mail();
  void handle(Envelope&& e);
  void flush_overflow();
  void send_wakes();
  unsigned room_owner(std::string_view room) const;
  unsigned nick_owner(std::string_view folded) const;

  // Owner-side handling.
  void own_publish(Envelope& e);
  void fan_out(chat::RoomRegistry::Room& room, SharedText* text, io::Token exclude,
               unsigned exclude_shard);
  void own_join(Envelope& e);
  void own_leave(Envelope& e);
  void own_create(Envelope& e);
  // Member-side handling.
  void deliver(std::uint32_t room_id, SharedText* text, io::Token exclude);
  void add_member(Connection& c, std::uint32_t room_id);
  void remove_member(Connection& c);

  void run_timers();
  void refresh_limits();
  bool take_token(Connection& c);
  void throttle(Connection& c);
  bool admit(int fd, const std::string& ip);
  void release_ip(const std::string& ip);
  int next_timeout_ms() const;
  void begin_shutdown();
  bool shutdown_done() const;

  ServerContext& ctx_;
  const ServerConfig& cfg_;
  const chat::Dialect& dialect_;  // the server's (cfg.lang): room events, refusals at accept
  const chat::ServerLog log_;
  const unsigned index_;
  std::unique_ptr<io::Reactor> reactor_;
  std::vector<int> listeners_;

  std::vector<std::unique_ptr<Connection>> conns_;  // by slot
  std::vector<std::uint32_t> free_slots_;
  std::vector<std::uint32_t> generations_;
  std::vector<std::uint32_t> doomed_;  // slots to destroy at the end of the pass
  std::size_t live_ = 0;

  chat::RoomRegistry rooms_;   // rooms this shard owns
  chat::NickRegistry nicks_;   // nicknames this shard owns
  chat::RoomCatalog catalog_;  // every room, for /rooms
  std::vector<LocalRoom> local_rooms_;  // by room id: members on this shard
  LocalTextPool texts_;
  std::string render_buf_;

  std::vector<Envelope> local_mail_;
  std::vector<Envelope> local_batch_;
  std::vector<std::deque<Envelope>> overflow_;  // per destination, when its queue is full
  std::vector<bool> need_wake_;
  std::atomic<bool> sleeping_{false};

  std::priority_queue<Timer, std::vector<Timer>, std::greater<>> timers_;
  Limits lim_{};
  std::uint64_t accept_paused_until_ms_ = 0;  // after EMFILE/ENFILE
  std::uint64_t now_ms_ = 0;
  std::uint64_t stop_deadline_ms_ = 0;
  bool stopping_ = false;
  ShardStats stats_;
};

}  // namespace chatd::shard
