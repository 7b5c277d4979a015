#pragma once
// The whole daemon core: picks the backend, opens the listeners, runs one
// Shard per thread, stops them. Driven by main's thread.
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "shard/server_config.hpp"
#include "shard/auth_service.hpp"
#include "shard/redis_link.hpp"
#include "shard/shard.hpp"
#include "shard/store_service.hpp"
#include "tls/ktls_probe.hpp"
#include "tls/tls_error.hpp"

namespace chatd::shard {

// Totals over every shard, for status lines and metrics.
struct ServerTotals {
  std::uint64_t accepted = 0, connections = 0, messages_in = 0, deliveries = 0;
  std::uint64_t bytes_in = 0, bytes_out = 0, slow_disconnects = 0, loops = 0;
  std::uint64_t limit_disconnects = 0, refused = 0;
  std::uint64_t web_requests = 0, websocket_upgrades = 0, websocket_refused = 0, websocket_errors = 0;
  std::uint64_t tls_connections = 0, tls_handshakes = 0, tls_failures = 0, tls_handshake_timeouts = 0;
  std::uint32_t rooms = 0;
  std::uint64_t store_committed = 0, store_failures = 0, store_dropped = 0, store_pending = 0;
  std::uint64_t rooms_not_recording = 0;
  std::uint64_t password_checks = 0;
};

// Constructed, started and stopped by one thread (main).
class Server {
 public:
  // Chooses the backend and opens every listener; throws std::runtime_error
  // with a one-line, operator-readable message when it cannot (tls::TlsError,
  // naming the file, when the certificate or key does not load).
  explicit Server(const ServerConfig& cfg);
  ~Server();

  void start();
  void request_stop();  // any thread; shards finish their shutdown and exit
  void join();

  std::string_view backend() const { return backend_; }
  const std::string& backend_reason() const { return backend_reason_; }
  unsigned shards() const { return ctx_->mesh.count; }
  const std::vector<std::string>& listening() const { return listening_; }
  // Main thread only (a reload rewrites it); other threads ask uses_tls().
  const std::string& tls_description() const { return tls_description_; }
  bool uses_tls() const { return ctx_->config.uses_tls(); }  // any thread: fixed at start
  const tls::KtlsProbe& ktls() const { return ktls_; }  // probed at start when TLS is on
  const RedisLink* cluster_link() const { return link_.get(); }  // null without --cluster
  ServerTotals totals() const;
  // Per-shard figures for metrics.
  struct ShardView {
    std::uint64_t loops, connections, accepted, deliveries;
    std::size_t inbox_depth;
  };
  std::vector<ShardView> shard_views() const;
  // SIGHUP: applies the live limits of `cfg` (LiveLimits::update), rereads
  // the TLS certificate and key, and returns one line per change; the other
  // keys of `cfg` are not looked at (sys::reload reports those that changed
  // as restart-only).
  std::vector<std::string> reload(const ServerConfig& cfg);
  // The limits in effect now.
  Limits limits() const;
  // Oldest shard loop heartbeat (ms, CLOCK_MONOTONIC_COARSE): a stuck shard
  // holds it back, which stops the watchdog pings.
  std::uint64_t oldest_heartbeat_ms() const;

 private:
  void open_store(const ServerConfig& cfg);
  void load_tls(const ServerConfig& cfg);
  void start_cluster(const ServerConfig& cfg);

  std::unique_ptr<ServerContext> ctx_;
  std::vector<io::UniqueFd> listen_fds_;
  std::vector<std::unique_ptr<Shard>> shards_;
  std::unique_ptr<StoreService> store_;
  std::vector<std::unique_ptr<AuthService>> auths_;
  std::unique_ptr<RedisLink> link_;  // --cluster only
  std::vector<std::thread> threads_;
  std::string backend_;
  std::string backend_reason_;
  std::vector<std::string> listening_;
  std::string tls_description_;  // the certificate in use, for the log
  tls::KtlsProbe ktls_;
};

}  // namespace chatd::shard
