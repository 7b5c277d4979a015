#pragma once
#include <time.h>

#include <cstdint>

namespace chatd::loadgen {

// CLOCK_MONOTONIC in nanoseconds: system-wide, so stamps from one process
// can be compared in another on the same machine.
inline std::uint64_t mono_ns() {
  timespec ts{};
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<std::uint64_t>(ts.tv_sec) * 1'000'000'000ull + static_cast<std::uint64_t>(ts.tv_nsec);
}

}  // namespace chatd::loadgen
