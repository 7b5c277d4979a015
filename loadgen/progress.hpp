#pragma once
// The once-a-second progress line on stderr: rewritten in place on a
// terminal, one plain line per second otherwise, nothing with --quiet.
#include <cstdint>
#include <string>

namespace chatd::loadgen {

struct ProgressSample {
  double elapsed_s = 0;
  std::string_view phase;
  std::uint64_t open = 0;
  std::uint64_t joined = 0;
  std::uint64_t members = 0;
  std::uint64_t sent = 0;
  std::uint64_t received = 0;
  std::uint64_t expected = 0;
  std::uint64_t p99_ns = 0;
  std::uint64_t errors = 0;
};

class Progress {
 public:
  Progress(bool enabled, bool tty) : enabled_(enabled), tty_(tty) {}
  // Prints when a second has passed since the last line.
  void tick(const ProgressSample& s, std::uint64_t now_ns);
  // Ends an in-place line so the summary starts on a fresh one.
  void finish();

 private:
  bool enabled_;
  bool tty_;
  bool dirty_ = false;
  std::uint64_t last_ns_ = 0;
  std::uint64_t last_received_ = 0;
};

}  // namespace chatd::loadgen
