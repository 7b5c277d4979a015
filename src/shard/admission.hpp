#pragma once
// Limits per client address for the whole server: max-conns,
// max-conns-per-ip and rooms-per-ip-minute.
#include <atomic>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "chat/event.hpp"
#include "chat/rate_window.hpp"

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

  // Room creation per client address: true when `ip` may create one more
  // room at `now_ms` (monotonic), at most `per_minute` a minute over all its
  // connections on every shard (0 = no limit; nothing is counted). Touched
  // only on /create: one lock per creation. Stale addresses are swept at
  // most once a minute, so the table holds about a minute's creators.
  bool admit_room_creation(const std::string& ip, unsigned per_minute, std::uint64_t now_ms);

 private:
  std::atomic<std::uint32_t> total_{0};
  std::mutex per_ip_mutex_;
  std::unordered_map<std::string, std::uint32_t> per_ip_;
  std::mutex creations_mutex_;
  std::unordered_map<std::string, chat::RateWindow> creations_;
  std::uint64_t creations_swept_ms_ = 0;
};

}  // namespace chatd::shard
