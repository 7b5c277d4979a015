#include "sys/systemd.hpp"

#include <fcntl.h>
#include <time.h>

#include <string>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "chatd_config.h"
#if CHATD_HAVE_SYSTEMD
#include <systemd/sd-daemon.h>
#endif

namespace chatd::sys {

void notify(std::string_view state) {
#if CHATD_HAVE_SYSTEMD
  // unset_environment = 0: later notifications need NOTIFY_SOCKET too.
  sd_notify(0, std::string(state).c_str());
#else
  (void)state;
#endif
}

void notify_reloading() {
  timespec ts{};
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  const auto usec = static_cast<std::uint64_t>(ts.tv_sec) * 1000000 +
                    static_cast<std::uint64_t>(ts.tv_nsec) / 1000;
  notify(fmt::format("RELOADING=1\nMONOTONIC_USEC={}", usec));
}

std::vector<int> activated_sockets() {
  std::vector<int> fds;
#if CHATD_HAVE_SYSTEMD
  // unset_environment = 1: the variables describe this process only; a child
  // must not believe the fds were passed to it.
  int n = sd_listen_fds(1);
  for (int i = 0; i < n; ++i) {
    int fd = SD_LISTEN_FDS_START + i;
    if (sd_is_socket(fd, 0, SOCK_STREAM, 1) <= 0) {
      spdlog::warn("socket activation: fd {} is not a listening stream socket; ignored", fd);
      continue;
    }
    ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
    ::fcntl(fd, F_SETFD, FD_CLOEXEC);
    fds.push_back(fd);
  }
#endif
  return fds;
}

std::chrono::milliseconds watchdog_timeout() {
#if CHATD_HAVE_SYSTEMD
  std::uint64_t usec = 0;
  if (sd_watchdog_enabled(0, &usec) > 0) return std::chrono::milliseconds(usec / 1000);
#endif
  return std::chrono::milliseconds(0);
}

bool Watchdog::tick(std::uint64_t oldest_heartbeat_ms, std::uint64_t now_ms) {
  if (!enabled()) return true;
  const auto limit = static_cast<std::uint64_t>(stall_.count());
  const std::uint64_t age = now_ms > oldest_heartbeat_ms ? now_ms - oldest_heartbeat_ms : 0;
  if (age > limit) {
    if (!withholding_)
      spdlog::critical("a shard loop has not run for {} ms (limit {} ms): withholding "
                       "watchdog pings so that systemd restarts chatd", age, limit);
    withholding_ = true;
    return false;
  }
  if (withholding_) spdlog::warn("every shard loop is running again; watchdog pings resume");
  withholding_ = false;
  // The main loop passes here at least every interval(); a ping per pass
  // (about one a second) costs a datagram.
  notify("WATCHDOG=1");
  return true;
}

}  // namespace chatd::sys
