#pragma once
// The connection lines of the server log (new, registered, gone): kept by
// default, as the original prints them, but a churn of thousands of
// clients a second must not flood the log. Each shard lets at most
// `per_second` through in any one-second window and reports how many it
// left out once the window is over.
#include <cstdint>

namespace chatd::shard {

// Owned by one shard thread.
class ConnectionLog {
 public:
  ConnectionLog(bool enabled, std::uint32_t per_second) : enabled_(enabled), per_second_(per_second) {}

  // Whether to write the line now (call before formatting it).
  bool admit(std::uint64_t now_ms) {
    if (!enabled_) return false;
    roll(now_ms);
    if (used_ < per_second_) {
      ++used_;
      return true;
    }
    ++suppressed_;
    return false;
  }

  // Lines left out in a window that has ended (0 = none); then forgets them.
  std::uint64_t take_suppressed(std::uint64_t now_ms) {
    if (suppressed_ == 0 || now_ms < window_start_ + 1000) return 0;
    const std::uint64_t n = suppressed_;
    suppressed_ = 0;
    return n;
  }

 private:
  void roll(std::uint64_t now_ms) {
    if (now_ms < window_start_ + 1000) return;
    window_start_ = now_ms;
    used_ = 0;
  }

  bool enabled_;
  std::uint32_t per_second_;
  std::uint32_t used_ = 0;
  std::uint64_t window_start_ = 0;
  std::uint64_t suppressed_ = 0;
};

}  // namespace chatd::shard
