#include "shard/server.hpp"

#include <arpa/inet.h>
#include <sched.h>

#include <stdexcept>
#include <system_error>

#include <fmt/format.h>

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
  std::vector<io::SocketAddress> addrs = cfg.listen;
  std::vector<std::vector<int>> per_shard(n);
  for (int fd : cfg.inherited_fds) {
    listening_.push_back(io::local_address_text(fd));
    for (auto& v : per_shard) v.push_back(fd);
  }
  for (auto& addr : addrs) {
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
        listening_.push_back(io::local_address_text(fd.get()));
      }
      per_shard[s].push_back(fd.get());
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
}

Server::~Server() {
  request_stop();
  join();
}

void Server::start() {
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
  }
  t.rooms = ctx_->rooms.load(std::memory_order_relaxed);
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

std::vector<std::string> Server::reload(const ServerConfig& cfg) { return ctx_->live.update(cfg.limits); }

Limits Server::limits() const { return ctx_->live.snapshot(); }

std::uint64_t Server::oldest_heartbeat_ms() const {
  std::uint64_t oldest = ~0ull;
  for (auto& s : shards_) oldest = std::min(oldest, s->stats().heartbeat_ms.load(std::memory_order_relaxed));
  return oldest;
}

}  // namespace chatd::shard
