#pragma once
// Login and registration attempts per client address and per account,
// counted over a minute (like Ergo's login throttling): a guesser gets a
// few tries a minute, not thousands.
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "chat/rate_window.hpp"

namespace chatd::shard {

// Shared by every shard thread. A mutex, because it is touched only when
// someone logs in or registers, never per message.
class LoginThrottle {
 public:
  // Counts one attempt under `key` (e.g. "ip:127.0.0.1", "acct:lari");
  // false when it is over `limit` this minute (limit 0 = unlimited).
  bool admit(std::string_view key, unsigned limit, std::uint64_t now_ms);

 private:
  static constexpr std::size_t kPruneAt = 100'000;  // keys before expired windows are forgotten

  std::mutex mutex_;
  std::unordered_map<std::string, std::pair<chat::RateWindow, std::uint64_t>> windows_;  // and last use
};

}  // namespace chatd::shard
