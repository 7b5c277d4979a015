#pragma once
// Everything the daemon's core needs to run, filled from options and config.
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "chat/lang.hpp"
#include "io/reactor.hpp"
#include "io/socket.hpp"

namespace chatd::shard {

// Plain values; read-only once the shards run (except as noted).
struct ServerConfig {
  std::vector<io::SocketAddress> listen;
  std::vector<int> inherited_fds;  // socket activation: listeners already open
  unsigned threads = 0;            // 0 = one shard per CPU
  io::BackendKind backend = io::BackendKind::Auto;
  io::ReactorConfig reactor;
  chat::Lang lang = chat::Lang::En;
  std::size_t max_line = 4096;
  std::size_t max_outbuf = 4u << 20;
  unsigned line_idle_flush_ms = 150;
  unsigned login_timeout_s = 30;
  unsigned max_rooms = 100000;
  unsigned shutdown_timeout_s = 10;
  int backlog = 4096;
  // Abuse limits (0 = off).
  double rate = 20;                  // lines/s per connection (token bucket)
  unsigned burst = 200;              // bucket size
  unsigned flood_disconnect_s = 60;  // seconds throttled non-stop before a disconnect
  unsigned max_conns = 0;            // whole server
  unsigned max_conns_per_ip = 0;
  unsigned rooms_per_minute = 10;    // room creations per connection per minute
};

// The limits SIGHUP may change while running; every shard reads them with
// relaxed loads (a change applies from each shard's next use).
struct LiveLimits {
  std::atomic<std::size_t> max_line{4096};
  std::atomic<std::size_t> max_outbuf{4u << 20};
  std::atomic<unsigned> line_idle_flush_ms{150};
  std::atomic<unsigned> login_timeout_s{30};
  std::atomic<double> rate{20};
  std::atomic<unsigned> burst{200};
  std::atomic<unsigned> max_conns{0};
  std::atomic<unsigned> max_conns_per_ip{0};
  std::atomic<unsigned> rooms_per_minute{10};
};

}  // namespace chatd::shard
