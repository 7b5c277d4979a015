#pragma once
// Connection limits for the whole server: max-conns and max-conns-per-ip.
#include <atomic>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "chat/event.hpp"

namespace chatd::shard {

// Shared by every shard thread. Touched on accept and close only, never per
// message: the per-address map takes a mutex (a sharded map would save
// nothing at accept rates), the total is one atomic.
class Admission {
 public:
  // A place for a connection from `ip`, or the refusal to tell it. When
  // `per_ip_limit` > 0 the connection is counted under its address and
  // release() must be told so (`counted_ip`).
  std::optional<chat::ErrorCode> admit(const std::string& ip, unsigned max_conns, unsigned per_ip_limit);
  void release(const std::string& ip, bool counted_ip);
  std::uint32_t total() const { return total_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::uint32_t> total_{0};
  std::mutex per_ip_mutex_;
  std::unordered_map<std::string, std::uint32_t> per_ip_;
};

}  // namespace chatd::shard
