#include "sys/signals.hpp"

#include <signal.h>
#include <time.h>

namespace chatd::sys {
namespace {
sigset_t handled_set() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGHUP);
  return set;
}
}  // namespace

void block_signals() {
  // A peer that resets mid-write must never kill the daemon.
  ::signal(SIGPIPE, SIG_IGN);
  sigset_t set = handled_set();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

SignalEvent wait_signal(std::chrono::milliseconds timeout) {
  sigset_t set = handled_set();
  timespec ts{};
  ts.tv_sec = static_cast<time_t>(timeout.count() / 1000);
  ts.tv_nsec = static_cast<long>((timeout.count() % 1000) * 1000000);
  int sig = sigtimedwait(&set, nullptr, &ts);
  if (sig == SIGINT || sig == SIGTERM) return SignalEvent::Stop;
  if (sig == SIGHUP) return SignalEvent::Reload;
  return SignalEvent::None;
}

}  // namespace chatd::sys
