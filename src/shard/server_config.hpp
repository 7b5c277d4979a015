#pragma once
// Everything the daemon's core needs to run, filled from options and config.
#include <string>
#include <vector>

#include "chat/lang.hpp"
#include "io/reactor.hpp"
#include "io/socket.hpp"
#include "shard/limits.hpp"

namespace chatd::shard {

// Plain values as started; read-only once the shards run (SIGHUP changes
// only the live limits, in ServerContext::live).
struct ServerConfig {
  std::vector<io::SocketAddress> listen;
  std::vector<int> inherited_fds;  // socket activation: listeners already open
  std::vector<io::SocketAddress> web;       // --web: HTTP + WebSocket listeners
  std::vector<std::string> web_origins;     // --web-origin: allowed Origin values ("" = the page's own; "*" = any)
  unsigned threads = 0;            // 0 = one shard per CPU
  io::BackendKind backend = io::BackendKind::Auto;
  io::ReactorConfig reactor;
  chat::Lang lang = chat::Lang::En;
  unsigned shutdown_timeout_s = 10;
  int backlog = 4096;
  std::string data_dir;        // the database lives here (chatd.db); "" = memory only
  unsigned auth_threads = 1;   // password hashing threads (64 MiB each while hashing)
  Limits limits;
};

}  // namespace chatd::shard
