#pragma once
// systemd integration: readiness/status notifications and socket activation.
// Without libsystemd (or outside systemd) every call is a harmless no-op.
#include <chrono>
#include <string_view>
#include <vector>

namespace chatd::sys {

void notify(std::string_view state);  // e.g. "READY=1", "STATUS=..."
// Sockets passed by systemd (LISTEN_FDS), made non-blocking; empty if none.
std::vector<int> activated_sockets();
// The interval to send WATCHDOG=1 at, or zero when no watchdog is set.
std::chrono::milliseconds watchdog_interval();

}  // namespace chatd::sys
