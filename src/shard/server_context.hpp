#pragma once
// What all shards share, and what each shard publishes about itself.
#include <atomic>
#include <cstdint>

#include "chat/dialect.hpp"
#include "chat/server_log.hpp"
#include "shard/admission.hpp"
#include "shard/limits.hpp"
#include "shard/login_throttle.hpp"
#include "shard/mailbox.hpp"
#include "shard/server_config.hpp"

namespace chatd::shard {

// Created before the shard threads start; outlives them. The config and the
// mesh's layout are read-only; the rest is atomics or internally locked.
struct ServerContext {
  // The mesh holds the shards, then the store service, then the hashers.
  ServerContext(const ServerConfig& cfg, unsigned shards)
      : config(cfg),
        live(cfg.limits),
        dialect(chat::line_dialect(cfg.lang)),
        log(cfg.lang),
        mesh(shards, 1 + cfg.auth_threads),
        store_index(shards),
        auth_first(shards + 1),
        auth_count(cfg.auth_threads) {}

  const ServerConfig config;  // as started; live-changeable values are in `live`
  LiveLimits live;
  const chat::DialectId dialect;  // what clients of the line listeners speak
  const chat::ServerLog log;      // the server log's wording (--lang)
  Mesh mesh;
  const unsigned store_index;  // the StoreService's place in the mesh
  const unsigned auth_first;   // the AuthServices' places: auth_first .. + auth_count
  const unsigned auth_count;
  // With a data directory, messages go to the store too; in memory only,
  // the rooms' own recent lists are all the history there is (the same
  // bound as /history), so the store is not filled with what no one reads.
  const bool store_history = !config.data_dir.empty();
  Admission admission;
  LoginThrottle login_throttle;
  std::atomic<std::uint32_t> rooms{0};  // next room id = rooms created so far
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
  std::atomic<std::uint64_t> history_dropped{0};    // rooms that stopped recording (store too far behind)
  std::atomic<std::uint64_t> web_requests{0};        // HTTP requests on --web listeners
  std::atomic<std::uint64_t> websocket_upgrades{0};
  std::atomic<std::uint64_t> websocket_refused{0};   // upgrades refused (bad handshake, origin)
  std::atomic<std::uint64_t> websocket_errors{0};    // closed for a protocol error (1002, 1007, 1009, 1003)
  std::atomic<std::uint64_t> loops{0};
  std::atomic<std::uint64_t> heartbeat_ms{0};  // last loop pass (watchdog)
};

}  // namespace chatd::shard
