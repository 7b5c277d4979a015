#pragma once
// systemd integration: readiness/status notifications, the watchdog and
// socket activation. Without libsystemd (or outside systemd) every call is a
// harmless no-op: sd_notify does nothing when NOTIFY_SOCKET is unset.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <string_view>
#include <vector>

namespace chatd::sys {

void notify(std::string_view state);  // e.g. "READY=1", "STATUS=..."
// "RELOADING=1" with the MONOTONIC_USEC= stamp that systemd >= 253 requires
// for Type=notify-reload (older managers ignore the extra field).
void notify_reloading();
// Sockets passed by systemd (LISTEN_FDS), made non-blocking; empty if none.
std::vector<int> activated_sockets();
// WatchdogSec= as the manager passed it (WATCHDOG_USEC), or zero when no
// watchdog is set for this process.
std::chrono::milliseconds watchdog_timeout();

// Decides each main-loop pass whether to send WATCHDOG=1: only while every
// shard loop has shown a heartbeat within the watchdog timeout, so a stuck
// shard stops the pings and systemd restarts the daemon.
class Watchdog {
 public:
  // A loop counts as stuck once its heartbeat is older than the larger of
  // `timeout` and `min_stall`.
  Watchdog(std::chrono::milliseconds timeout, std::chrono::milliseconds min_stall)
      : timeout_(timeout), stall_(std::max(timeout, min_stall)) {}
  bool enabled() const { return timeout_.count() > 0; }
  // How often to ping: half the timeout, as sd_watchdog_enabled(3) advises.
  std::chrono::milliseconds interval() const { return timeout_ / 2; }
  // Pings when healthy. `oldest_heartbeat_ms` and `now_ms` are on
  // CLOCK_MONOTONIC_COARSE (io::coarse_now_ms). Returns false while withholding pings.
  bool tick(std::uint64_t oldest_heartbeat_ms, std::uint64_t now_ms);

 private:
  std::chrono::milliseconds timeout_;
  std::chrono::milliseconds stall_;
  bool withholding_ = false;
};

}  // namespace chatd::sys
