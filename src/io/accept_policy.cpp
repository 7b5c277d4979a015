#include "io/accept_policy.hpp"

#include <cerrno>
#include <cstring>

#include <spdlog/spdlog.h>

namespace chatd::io {

AcceptOutcome classify_accept_error(int err) {
  switch (err) {
    // accept(2): Linux passes pending network errors of the new socket up
    // through accept; "treat them like EAGAIN by retrying".
    case ENETDOWN:
    case EPROTO:
    case ENOPROTOOPT:
    case EHOSTDOWN:
    case ENONET:
    case EHOSTUNREACH:
    case EOPNOTSUPP:
    case ENETUNREACH:
    // The peer gave up (RST) before we took it, or the connection timed out.
    case ECONNABORTED:
    case ETIMEDOUT:
    case EINTR:
    case EPERM:  // a firewall rule refused this connection
    case EAGAIN:
#if EWOULDBLOCK != EAGAIN
    case EWOULDBLOCK:
#endif
      return AcceptOutcome::Retry;
    case EMFILE:
    case ENFILE:
    case ENOBUFS:
    case ENOMEM:
      return AcceptOutcome::Exhausted;
    default:
      return AcceptOutcome::Failed;
  }
}

void log_accept_failure(std::string_view backend, int listen_fd, int err) {
  spdlog::warn("{}: accept on listening socket fd {} failed: {}; not accepting on it until "
               "accepting is resumed", backend, listen_fd, std::strerror(err));
}

}  // namespace chatd::io
