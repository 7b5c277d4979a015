#pragma once
// This node's link to Redis (--cluster): a service thread on the mesh, like
// the store, with its own reactor holding two non-blocking connections —
// commands (pipelined: many publishes per round trip) and pubsub. The room
// owners send it their rooms' events to sequence (one Lua script per
// event); it follows, on pubsub, the rooms that have members here and hands
// each room's events back to its owner shard in offset order, fetching
// gaps from the room's stream (RoomSequence decides). It also keeps this
// node's nickname leases and presence, carries PMs between nodes, and
// reads and writes the accounts (the nick owners keep only a cache).
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "cluster/lua_scripts.hpp"
#include "cluster/pause_rule.hpp"
#include "cluster/redis_url.hpp"
#include "cluster/resp_reader.hpp"
#include "cluster/room_sequence.hpp"
#include "shard/limits.hpp"
#include "shard/service_thread.hpp"

namespace chatd::shard {

// Figures for the log and metrics; written by the link thread, read by anyone.
struct LinkStats {
  std::atomic<std::uint64_t> published{0};
  std::atomic<std::uint64_t> publish_failures{0};  // reported to their senders
  std::atomic<std::uint64_t> delivered{0};
  std::atomic<std::uint64_t> gaps_filled{0};       // ranges fetched from a stream
  std::atomic<std::uint64_t> lost{0};              // notices of unrecoverable events
  std::atomic<std::uint64_t> reconnects{0};
  std::atomic<bool> up{false};
  std::atomic<bool> paused{false};  // members were told chat across nodes is paused, and not yet all that it resumed
};

// Runs on its own thread (see ServiceThread).
class RedisLink final : public ServiceThread {
 public:
  struct Config {
    cluster::RedisUrl url;
    std::string node;          // --node-id
    unsigned lease_s = 15;     // --cluster-lease
    unsigned shards = 1;       // owners are found by hash over these
    std::size_t history_keep = 10000;  // the room streams' exact MAXLEN
  };
  RedisLink(Mesh& mesh, unsigned index, Config cfg, const LiveLimits& limits);
  const LinkStats& stats() const { return stats_; }

 private:
  static constexpr std::uint64_t kCheckEveryMs = 1000;  // position checks and the dead-node sweep
  using Reply = cluster::RespValue;
  // A command waiting for its reply (FIFO per connection). `done` gets the
  // reply, or nullptr when it failed (timeout, connection lost).
  struct Pending {
    std::uint64_t deadline_ms;
    std::function<void(const Reply*)> done;
  };
  struct Conn {
    io::Token token = 0;  // 0: down
    std::optional<cluster::RespReader> reader{std::in_place};
    std::string out;         // formatted, not yet handed to the socket
    std::string sending;     // handed to gather(), until on_sent
    std::size_t sent = 0;
    bool answered = false;   // Redis replied since it connected (a stopped Redis still accepts TCP)
    std::deque<Pending> pending;
    bool up() const { return token != 0; }
  };
  // A room followed on pubsub.
  struct Room {
    cluster::RoomSequence seq;
    bool subscribed = false;  // the SUBSCRIBE was confirmed (since the last reconnect)
    bool positioned = false;  // its starting position is known
    std::size_t history = 0;  // entries wanted with the first position
    bool filled = true;       // read from Redis (position or range) since the link last went down
    bool told_paused = false; // its members heard "paused" and not yet "resumed"
    unsigned fetches = 0;     // ranges asked and not yet answered (a resubscribe may ask while one is out)
    bool heard_live = false;  // a live event came since the last position check (it proves the position)
  };

  void handle(Envelope&& e) override;
  int tick(std::uint64_t now_ms) override;
  void drain() override;
  void on_data(io::Token t, std::span<const char> bytes) override;
  void on_closed(io::Token t, int err) override;
  std::size_t gather(io::Token t, std::span<iovec> out) override;
  void on_sent(io::Token t, std::size_t bytes) override;

  // Connections.
  void connect(Conn& c, bool pubsub, std::uint64_t now_ms);
  void lost(Conn& c, const char* why);
  void send(Conn& c, std::initializer_list<std::string_view> args, std::function<void(const Reply*)> done);
  void send(Conn& c, const std::vector<std::string>& args, std::function<void(const Reply*)> done);
  void script(cluster::lua::Script s, std::vector<std::string> args, std::function<void(const Reply*)> done);
  void on_pubsub(const Reply& r);
  void notice_pause(std::uint64_t now_ms);

  // Rooms.
  void watch(Envelope& e);
  void subscribed(const std::string& room);
  // The first position of a room (and its newest entries, for its watchers).
  void position(const std::string& room);
  void fetch(const std::string& room, cluster::RoomSequence::Range r);
  void apply(const std::string& room, cluster::RoomSequence::Step step);
  void publish(Envelope& e);
  void create(Envelope& e);

  // Nicknames, presence, PMs.
  void claim(Envelope& e);
  void release(Envelope& e);
  void send_pm(Envelope& e);
  void take_pms(Envelope& e);

  // Accounts (they live in Redis with --cluster).
  void account_get(Envelope& e);
  void account_write(Envelope& e);
  void refresh();
  void check_positions();
  void check_positions(std::vector<std::string> rooms);

  unsigned owner(std::string_view key) const;
  std::string epoch_candidate();

  // Commands waiting for the command connection (bounded: past it, or past
  // kQueueMs, they fail and their senders hear of it).
  struct Waiting {
    std::uint64_t since_ms;
    std::vector<std::string> args;
    std::function<void(const Reply*)> done;
  };
  std::deque<Waiting> waiting_;

  Config cfg_;
  const LiveLimits& limits_;
  Conn cmd_, sub_;
  std::uint32_t generation_ = 0;
  std::uint64_t now_ms_ = 0;
  std::uint64_t cmd_retry_ms_ = 0, sub_retry_ms_ = 0, backoff_ms_ = 100;
  std::uint64_t next_refresh_ms_ = 0, next_check_ms_ = 0;
  bool down_reported_ = false;
  cluster::PauseRule pause_;
  std::size_t rooms_told_ = 0;  // rooms with told_paused
  std::vector<std::string> shas_;
  std::unordered_map<std::string, Room> rooms_;
  std::unordered_map<std::string, std::vector<Envelope>> watchers_;  // waiting for a room's position
  std::map<std::string, std::set<std::string>> presence_;  // room -> this node's members (nicks)
  std::set<std::string> nicks_;                             // folded nicknames this node holds
  std::unordered_map<std::string, std::string> nick_of_;    // folded -> as typed (presence uses it)
  std::uint64_t epoch_counter_ = 0;
  LinkStats stats_;
};

}  // namespace chatd::shard
