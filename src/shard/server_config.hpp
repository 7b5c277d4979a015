#pragma once
// Everything the daemon's core needs to run, filled from options and config.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "chat/replies.hpp"
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
};

}  // namespace chatd::shard
