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
  std::vector<io::SocketAddress> tls_listen;  // --tls-listen: chat lines over TLS
  std::vector<io::SocketAddress> web_tls;     // --web-tls: HTTPS and WSS
  std::string tls_cert, tls_key;             // PEM files (chain allowed); reread on SIGHUP
  bool require_tls_for_login = false;        // passwords only over TLS (or WSS)
  bool log_connections = true;               // new / registered / gone lines at info level
  bool uses_tls() const { return !tls_listen.empty() || !web_tls.empty(); }
  unsigned threads = 0;            // 0 = one shard per CPU
  io::BackendKind backend = io::BackendKind::Auto;
  io::ReactorConfig reactor;
  chat::Lang lang = chat::Lang::En;
  unsigned shutdown_timeout_s = 10;
  int backlog = 4096;
  std::string data_dir;        // the database lives here (chatd.db); "" = memory only
  unsigned auth_threads = 1;   // password hashing threads (64 MiB each while hashing)
  // --cluster redis://HOST:PORT[/DB]: rooms, nicknames, presence and
  // history shared with other nodes through Redis ("" = one node, no Redis).
  std::string cluster_url;
  std::string node_id;          // --node-id; "" = hostname:port
  unsigned cluster_lease_s = 15;  // --cluster-lease: nickname and presence leases
  bool clustered() const { return !cluster_url.empty(); }
  Limits limits;
};

}  // namespace chatd::shard
