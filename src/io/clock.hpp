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

// Wall-clock time in ms since the Unix epoch (CLOCK_REALTIME_COARSE): when
// a message was said, for history and clients. May jump; never for timers.
inline std::int64_t coarse_wall_ms() {
  timespec ts{};
  ::clock_gettime(CLOCK_REALTIME_COARSE, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}

}  // namespace chatd::io
