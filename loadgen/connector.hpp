#pragma once
// Non-blocking TCP connects and their completion, on the worker's own
// epoll instance: the reactor only ever sees established sockets.
#include <cstdint>
#include <optional>
#include <unordered_map>
#include <vector>

#include "address.hpp"
#include "fd.hpp"

namespace chatd::loadgen {

class Connector {
 public:
  // servers: one or more (--ports); each connect names which.
  Connector(std::vector<Endpoint> servers, std::optional<SourceRange> sources, std::uint64_t connect_timeout_ns);

  struct Options {
    int rcvbuf = 0;  // SO_RCVBUF before connect; 0 leaves the default
    std::size_t server = 0;  // index into the servers
  };
  // Starts connecting; `key` names it in the completion. Returns a
  // connected socket when the connect finished at once, an errno value when
  // it failed at once, or nothing when it is pending.
  struct Started {
    Fd fd;        // set: connected now
    int err = 0;  // set: failed now
  };
  Started start(std::uint64_t key, std::uint64_t now_ns, const Options& opt);

  // Reports finished connects: f(key, Fd, err) — err 0 with a connected
  // socket, or an errno value (ETIMEDOUT past the connect timeout).
  template <class F>
  void poll(std::uint64_t now_ns, F&& f);

  std::size_t pending() const { return pending_.size(); }

 private:
  struct Pending {
    Fd fd;
    std::uint64_t deadline_ns;
  };
  // Harvests completions into ready_ (key, err).
  void harvest();
  std::vector<Endpoint> servers_;
  std::optional<SourceRange> sources_;
  std::uint64_t timeout_ns_;
  std::uint64_t next_source_ = 0;
  std::uint64_t next_expiry_check_ = 0;
  Fd ep_;
  std::unordered_map<std::uint64_t, Pending> pending_;
  struct Ready {
    std::uint64_t key;
    int err;
  };
  std::vector<Ready> ready_;
  std::vector<std::uint64_t> expired_;
};

template <class F>
void Connector::poll(std::uint64_t now_ns, F&& f) {
  if (pending_.empty()) return;
  harvest();
  for (const Ready& r : ready_) {
    auto it = pending_.find(r.key);
    if (it == pending_.end()) continue;
    Fd fd = std::move(it->second.fd);
    pending_.erase(it);
    if (r.err) {
      f(r.key, Fd{}, r.err);
    } else {
      f(r.key, std::move(fd), 0);
    }
  }
  ready_.clear();
  if (now_ns < next_expiry_check_) return;
  next_expiry_check_ = now_ns + 100'000'000;
  expired_.clear();
  for (const auto& [key, p] : pending_)
    if (p.deadline_ns <= now_ns) expired_.push_back(key);
  for (const std::uint64_t key : expired_) {
    pending_.erase(key);
    f(key, Fd{}, ETIMEDOUT);
  }
}

}  // namespace chatd::loadgen
