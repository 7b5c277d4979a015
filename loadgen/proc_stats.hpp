#pragma once
// The server's CPU time and resident memory, read from /proc/PID.
#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string_view>

namespace chatd::loadgen {

struct ProcSample {
  std::uint64_t cpu_ns = 0;   // utime + stime
  std::uint64_t rss_kib = 0;  // VmRSS
  std::uint64_t threads = 0;
};

// Pure parsers (tested): utime+stime in clock ticks from /proc/PID/stat
// text; VmRSS in KiB from /proc/PID/status text.
std::optional<std::uint64_t> parse_stat_cpu_ticks(std::string_view stat);
std::optional<std::uint64_t> parse_status_kib(std::string_view status, std::string_view key);

// nullopt when the process is gone or unreadable.
std::optional<ProcSample> sample_process(pid_t pid);

}  // namespace chatd::loadgen
