#include "shard/server.hpp"

#include "store/sqlite_store.hpp"
#include "store/store_error.hpp"

#include <arpa/inet.h>
#include <sched.h>
#include <unistd.h>

#include <filesystem>
#include <stdexcept>
#include <system_error>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace chatd::shard {
namespace {

unsigned cpu_count() {
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof set, &set) == 0) return static_cast<unsigned>(CPU_COUNT(&set));
  unsigned n = std::thread::hardware_concurrency();
  return n ? n : 1;
}

}  // namespace

Server::Server(const ServerConfig& cfg) {
  const unsigned n = cfg.threads ? cfg.threads : cpu_count();
  ctx_ = std::make_unique<ServerContext>(cfg, n);

  const io::BackendChoice choice = io::choose_backend(cfg.backend);
  backend_ = io::backend_name(choice.kind);
  backend_reason_ = choice.reason;

  // Each shard gets its own SO_REUSEPORT socket per address so the kernel
  // spreads connections; inherited (socket-activated) sockets are shared.
  std::vector<std::pair<io::SocketAddress, ListenerKind>> addrs;
  for (const auto& a : cfg.listen) addrs.emplace_back(a, ListenerKind::Line);
  for (const auto& a : cfg.web) addrs.emplace_back(a, ListenerKind::Web);
  for (const auto& a : cfg.tls_listen) addrs.emplace_back(a, ListenerKind::LineTls);
  for (const auto& a : cfg.web_tls) addrs.emplace_back(a, ListenerKind::WebTls);
  if (cfg.uses_tls()) {
    load_tls(cfg);  // throws tls::TlsError before any port is opened
    ktls_ = tls::ktls_available();
  }
  std::vector<std::vector<ShardListener>> per_shard(n);
  for (int fd : cfg.inherited_fds) {
    listening_.push_back(io::local_address_text(fd));
    for (auto& v : per_shard) v.push_back({fd, ListenerKind::Line});
  }
  for (auto& [addr, kind] : addrs) {
    for (unsigned s = 0; s < n; ++s) {
      io::UniqueFd fd;
      try {
        // Only the first shard's bind checks that the port is free; the
        // others join its SO_REUSEPORT group.
        fd = io::open_listener(addr, s == 0 ? io::ListenMode::FirstOfGroup : io::ListenMode::JoinGroup,
                               cfg.backlog);
      } catch (const std::system_error& e) {
        throw std::runtime_error(fmt::format("{}: {}", e.what(),
            e.code().value() == EADDRINUSE ? "is another chatd (or another program) using that port?" : ""));
      }
      if (s == 0) {
        // Port 0: the kernel picked one; the other shards must share it.
        sockaddr_storage ss{};
        socklen_t len = sizeof ss;
        ::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&ss), &len);
        addr.storage = ss;
        const std::string where = io::local_address_text(fd.get());
        listening_.push_back(kind == ListenerKind::Web      ? fmt::format("http://{}/ (web)", where)
                             : kind == ListenerKind::WebTls ? fmt::format("https://{}/ (web, TLS)", where)
                             : kind == ListenerKind::LineTls ? fmt::format("{} (TLS)", where)
                                                             : where);
      }
      per_shard[s].push_back({fd.get(), kind});
      listen_fds_.push_back(std::move(fd));
    }
  }

  for (unsigned s = 0; s < n; ++s) {
    std::unique_ptr<io::Reactor> r;
    try {
      r = io::make_reactor(choice.kind, cfg.reactor);
    } catch (const std::exception& e) {
      if (choice.kind != io::BackendKind::Uring) throw;
      throw std::runtime_error(fmt::format("io_uring setup failed on shard {}: {}", s, e.what()));
    }
    shards_.push_back(std::make_unique<Shard>(*ctx_, s, std::move(r), std::move(per_shard[s])));
  }
  open_store(cfg);
}

// The store, what it remembered handed to the shards, and the services that
// will do the slow work (disk, hashing) beside them.
void Server::open_store(const ServerConfig& cfg) {
  std::unique_ptr<store::Store> store;
  try {
    std::string path;
    if (!cfg.data_dir.empty()) {
      std::error_code ec;
      std::filesystem::create_directories(cfg.data_dir, ec);
      if (ec) throw std::runtime_error(fmt::format("--data-dir {}: {}", cfg.data_dir, ec.message()));
      path = cfg.data_dir + "/chatd.db";
    }
    store = std::make_unique<store::SqliteStore>(path);
    const std::size_t recent = std::max(cfg.limits.history_max_request, cfg.limits.history_on_join);
    std::vector<ShardBootstrap> boot = load_bootstrap(*store, ctx_->mesh.count, recent);
    for (unsigned s = 0; s < shards_.size(); ++s) {
      if (ctx_->cluster) {
        // Rooms, their history and accounts live in Redis.
        boot[s].rooms.clear();
        boot[s].catalog.clear();
        boot[s].accounts.clear();
      }
      ctx_->rooms += static_cast<std::uint32_t>(boot[s].rooms.size());
      shards_[s]->bootstrap(std::move(boot[s]));
    }
  } catch (const store::StoreError& e) {
    throw std::runtime_error(fmt::format("--data-dir: {}", e.what()));
  }
  store_ = std::make_unique<StoreService>(ctx_->mesh, ctx_->store_index, std::move(store), ctx_->live);
  for (unsigned i = 0; i < ctx_->auth_count; ++i)
    auths_.push_back(std::make_unique<AuthService>(ctx_->mesh, ctx_->auth_first + i));
  if (ctx_->cluster) start_cluster(cfg);
}

// The Redis link beside the other services: --node-id defaults to
// hostname:port (the first listener's port).
void Server::start_cluster(const ServerConfig& cfg) {
  auto url = cluster::parse_redis_url(cfg.cluster_url);
  if (!url) throw std::runtime_error(fmt::format("--cluster {}: expected redis://HOST:PORT[/DB]", cfg.cluster_url));
  RedisLink::Config lc;
  lc.url = *url;
  lc.node = cfg.node_id;
  if (lc.node.empty()) {
    char host[256] = {};
    ::gethostname(host, sizeof host - 1);
    std::string port = "0";
    if (!listen_fds_.empty()) {
      const std::string where = io::local_address_text(listen_fds_.front().get());
      port = where.substr(where.rfind(':') + 1);
    }
    lc.node = fmt::format("{}:{}", host, port);
  }
  lc.lease_s = cfg.cluster_lease_s;
  lc.shards = ctx_->mesh.count;
  lc.history_keep = cfg.limits.history_keep ? cfg.limits.history_keep : 10000;
  link_ = std::make_unique<RedisLink>(ctx_->mesh, ctx_->link_index, std::move(lc), ctx_->live);
}

Server::~Server() {
  request_stop();
  join();
}

void Server::start() {
  store_->start();
  if (link_) link_->start();
  for (auto& a : auths_) a->start();
  for (auto& s : shards_) {
    Shard* shard = s.get();
    threads_.emplace_back([shard] { shard->run(); });
    pthread_setname_np(threads_.back().native_handle(),
                       fmt::format("chatd-shard{}", shard->index()).c_str());
  }
}

void Server::request_stop() {
  ctx_->stopping.store(true, std::memory_order_release);
  for (auto& s : shards_) s->wake();
}

void Server::join() {
  for (auto& t : threads_)
    if (t.joinable()) t.join();
  threads_.clear();
  // After the shards: nothing more will be asked, and what was is committed.
  for (auto& a : auths_) a->stop();
  if (link_) link_->stop();
  if (store_) store_->stop();
}

ServerTotals Server::totals() const {
  ServerTotals t;
  for (auto& s : shards_) {
    const ShardStats& st = s->stats();
    t.accepted += st.accepted.load(std::memory_order_relaxed);
    t.connections += st.connections.load(std::memory_order_relaxed);
    t.messages_in += st.messages_in.load(std::memory_order_relaxed);
    t.deliveries += st.deliveries.load(std::memory_order_relaxed);
    t.bytes_in += st.bytes_in.load(std::memory_order_relaxed);
    t.bytes_out += st.bytes_out.load(std::memory_order_relaxed);
    t.slow_disconnects += st.slow_disconnects.load(std::memory_order_relaxed);
    t.loops += st.loops.load(std::memory_order_relaxed);
    t.limit_disconnects += st.limit_disconnects.load(std::memory_order_relaxed);
    t.refused += st.refused.load(std::memory_order_relaxed);
    t.rooms_not_recording += st.history_dropped.load(std::memory_order_relaxed);
    t.web_requests += st.web_requests.load(std::memory_order_relaxed);
    t.websocket_upgrades += st.websocket_upgrades.load(std::memory_order_relaxed);
    t.websocket_refused += st.websocket_refused.load(std::memory_order_relaxed);
    t.websocket_errors += st.websocket_errors.load(std::memory_order_relaxed);
    t.tls_connections += st.tls_connections.load(std::memory_order_relaxed);
    t.tls_handshakes += st.tls_handshakes.load(std::memory_order_relaxed);
    t.tls_failures += st.tls_failures.load(std::memory_order_relaxed);
    t.tls_handshake_timeouts += st.tls_handshake_timeouts.load(std::memory_order_relaxed);
  }
  t.rooms = ctx_->rooms.load(std::memory_order_relaxed);
  const StoreStats& st = store_->stats();
  t.store_committed = st.committed.load(std::memory_order_relaxed);
  t.store_failures = st.failures.load(std::memory_order_relaxed);
  t.store_dropped = st.dropped.load(std::memory_order_relaxed);
  t.store_pending = st.pending.load(std::memory_order_relaxed);
  for (auto& a : auths_) t.password_checks += a->done();
  return t;
}

std::vector<Server::ShardView> Server::shard_views() const {
  std::vector<ShardView> v;
  for (auto& s : shards_) {
    const ShardStats& st = s->stats();
    v.push_back({st.loops.load(std::memory_order_relaxed), st.connections.load(std::memory_order_relaxed),
                 st.accepted.load(std::memory_order_relaxed), st.deliveries.load(std::memory_order_relaxed),
                 s->inbox_depth()});
  }
  return v;
}

// Both contexts from the same pair of files; the web one offers ALPN.
void Server::load_tls(const ServerConfig& cfg) {
  auto line = tls::TlsContext::load({cfg.tls_cert, cfg.tls_key, {}});
  auto web = tls::TlsContext::load({cfg.tls_cert, cfg.tls_key, {"http/1.1"}});
  tls_description_ = line->describe();
  ctx_->tls_line.store(std::move(line), std::memory_order_release);
  ctx_->tls_web.store(std::move(web), std::memory_order_release);
}

std::vector<std::string> Server::reload(const ServerConfig& cfg) {
  std::vector<std::string> said = ctx_->live.update(cfg.limits);
  if (ctx_->config.uses_tls()) {
    // Certificate rotation: new handshakes get the new pair; a pair that
    // does not load (missing, mismatched, expired) leaves the old one.
    try {
      const std::string before = tls_description_;
      load_tls(cfg);
      said.push_back(tls_description_ == before ? fmt::format("tls: certificate reloaded ({})", tls_description_)
                                                : fmt::format("tls: now {} (was {})", tls_description_, before));
    } catch (const tls::TlsError& e) {
      spdlog::warn("reload: tls: new certificate refused, keeping {}: {}", tls_description_, e.what());
    }
  }
  // A napping shard takes its snapshot of the limits when it wakes, before
  // it looks at what woke it: wake them now, so that the next client to
  // speak meets the new values.
  for (auto& s : shards_) s->wake();
  return said;
}

Limits Server::limits() const { return ctx_->live.snapshot(); }

std::uint64_t Server::oldest_heartbeat_ms() const {
  std::uint64_t oldest = ~0ull;
  for (auto& s : shards_) oldest = std::min(oldest, s->stats().heartbeat_ms.load(std::memory_order_relaxed));
  return oldest;
}

}  // namespace chatd::shard
