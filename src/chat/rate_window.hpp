#pragma once
// "At most N events per window" for one connection (room creations per
// minute): a fixed window that starts afresh with the first event at least
// a window's length after the current one began. Pure: the caller passes
// the time (monotonic ms) and the limit, a live one, on every call.
// A limit of 0 means unlimited.
#include <cstdint>

namespace chatd::chat {

// A plain value; owned by its connection's shard thread.
class RateWindow {
 public:
  static constexpr std::uint64_t kMinuteMs = 60000;

  constexpr explicit RateWindow(std::uint64_t window_ms = kMinuteMs) : window_ms_(window_ms) {}

  // Counts one event at `now_ms`; false when it is over `limit` in the
  // current window. A refused event counts too (it was attempted). With
  // limit 0 always true, and nothing is counted.
  constexpr bool admit(unsigned limit, std::uint64_t now_ms) {
    if (limit == 0) return true;
    if (now_ms - window_start_ms_ >= window_ms_) {
      window_start_ms_ = now_ms;
      count_ = 0;
    }
    return ++count_ <= limit;
  }

  // The current window is over at `now_ms`: the next admit starts afresh,
  // so forgetting this window changes nothing.
  constexpr bool idle_at(std::uint64_t now_ms) const { return now_ms - window_start_ms_ >= window_ms_; }

 private:
  std::uint64_t window_ms_;
  std::uint64_t window_start_ms_ = 0;  // the first window starts at time 0
  std::uint32_t count_ = 0;            // events in the current window
};

}  // namespace chatd::chat
