#include "progress.hpp"

#include <fmt/format.h>

#include <cstdio>

namespace chatd::loadgen {

void Progress::tick(const ProgressSample& s, std::uint64_t now_ns) {
  if (!enabled_) return;
  if (last_ns_ != 0 && now_ns - last_ns_ < 1'000'000'000) return;
  const double dt = last_ns_ ? static_cast<double>(now_ns - last_ns_) / 1e9 : 0;
  const double rate = dt > 0 ? static_cast<double>(s.received - last_received_) / dt : 0;
  last_ns_ = now_ns;
  last_received_ = s.received;
  const std::string text = fmt::format(
      "[{:6.1f}s] {:<6} conns {} joined {}/{} sent {} delivered {} ({:.0f}/s) of {} p99 {:.1f} ms errors {}",
      s.elapsed_s, s.phase, s.open, s.joined, s.members, s.sent, s.received, rate, s.expected,
      static_cast<double>(s.p99_ns) / 1e6, s.errors);
  if (tty_) {
    fmt::print(stderr, "\r\x1b[K{}", text);
    dirty_ = true;
  } else {
    fmt::print(stderr, "{}\n", text);
  }
  std::fflush(stderr);
}

void Progress::finish() {
  if (dirty_) fmt::print(stderr, "\n");
  dirty_ = false;
}

}  // namespace chatd::loadgen
