#include "shard/login_throttle.hpp"

namespace chatd::shard {

bool LoginThrottle::admit(std::string_view key, unsigned limit, std::uint64_t now_ms) {
  if (limit == 0) return true;
  std::lock_guard lock(mutex_);
  if (windows_.size() >= kPruneAt) {
    // Bounded memory under a spray of addresses: a window a minute old has
    // nothing left to remember.
    for (auto it = windows_.begin(); it != windows_.end();)
      it = now_ms - it->second.second >= chat::RateWindow::kMinuteMs ? windows_.erase(it) : std::next(it);
  }
  auto& [window, last_use] = windows_[std::string(key)];
  last_use = now_ms;
  return window.admit(limit, now_ms);
}

}  // namespace chatd::shard
