#pragma once
// The coarse millisecond clock of the event loops: timers, deadlines and
// heartbeats need milliseconds, not nanoseconds, and CLOCK_MONOTONIC_COARSE
// is read from the vDSO without touching the clock hardware.
#include <time.h>

#include <cstdint>

namespace chatd::io {

// CLOCK_MONOTONIC_COARSE in ms (a few ms of resolution: not for latency
// measurement). Thread-safe; comparable across threads of one machine.
inline std::uint64_t coarse_now_ms() {
  timespec ts{};
  ::clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
  return static_cast<std::uint64_t>(ts.tv_sec) * 1000 + static_cast<std::uint64_t>(ts.tv_nsec) / 1000000;
}

}  // namespace chatd::io
