#include "sys/systemd.hpp"

#include <fcntl.h>

#include <string>

#include "chatd_config.h"
#if CHATD_HAVE_SYSTEMD
#include <systemd/sd-daemon.h>
#endif

namespace chatd::sys {

void notify(std::string_view state) {
#if CHATD_HAVE_SYSTEMD
  sd_notify(0, std::string(state).c_str());
#else
  (void)state;
#endif
}

std::vector<int> activated_sockets() {
  std::vector<int> fds;
#if CHATD_HAVE_SYSTEMD
  int n = sd_listen_fds(1);
  for (int i = 0; i < n; ++i) {
    int fd = SD_LISTEN_FDS_START + i;
    if (sd_is_socket(fd, 0, SOCK_STREAM, 1) <= 0) continue;
    ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
    fds.push_back(fd);
  }
#endif
  return fds;
}

std::chrono::milliseconds watchdog_interval() {
#if CHATD_HAVE_SYSTEMD
  std::uint64_t usec = 0;
  if (sd_watchdog_enabled(0, &usec) > 0) return std::chrono::milliseconds(usec / 2000);
#endif
  return std::chrono::milliseconds(0);
}

}  // namespace chatd::sys
