#pragma once
// What a failed accept means for the listener: one policy for every
// backend, so epoll and io_uring pause, retry and report alike.
#include <cstdint>
#include <string_view>

namespace chatd::io {

enum class AcceptOutcome : std::uint8_t {
  // The new connection failed, the listener is fine (the peer reset it, a
  // network error of the new socket, a firewall refusal, a signal): keep
  // accepting, report nothing. A non-blocking accept loop stops at EAGAIN
  // instead: the backlog is empty.
  Retry,
  // Out of descriptors or memory (EMFILE, ENFILE, ENOBUFS, ENOMEM): retrying
  // now would fail again at once. Stop accepting on the listener and report
  // to ReactorHandler::on_accept_error; the owner resumes later.
  Exhausted,
  // Anything else: unexpected, so also logged. Stop and report, as above.
  Failed,
};

// Pure: depends on `err` (an errno value) only. Thread-safe.
AcceptOutcome classify_accept_error(int err);

// The log line for AcceptOutcome::Failed (warn level), worded the same for
// every backend; `backend` is Reactor::name().
void log_accept_failure(std::string_view backend, int listen_fd, int err);

}  // namespace chatd::io
