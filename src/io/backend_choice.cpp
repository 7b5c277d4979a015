// choose_backend() and make_reactor(): the one place that turns --backend
// into a reactor, for the daemon and the load generator alike.
#include <stdexcept>
#include <string>

#include "io/reactor.hpp"

namespace chatd::io {

BackendChoice choose_backend(BackendKind requested) {
  if (requested == BackendKind::Epoll) return {BackendKind::Epoll, "requested"};
  const BackendProbe probe = probe_uring();
  if (probe.uring_ok)
    return {BackendKind::Uring, requested == BackendKind::Uring ? "requested" : "io_uring available"};
  // Asked for explicitly: refuse rather than quietly run something else.
  if (requested == BackendKind::Uring) throw std::runtime_error("--backend uring: " + probe.why_not);
  return {BackendKind::Epoll, "io_uring unavailable (" + probe.why_not + "); falling back to epoll"};
}

std::unique_ptr<Reactor> make_reactor(BackendKind resolved, const ReactorConfig& cfg) {
  switch (resolved) {
    case BackendKind::Uring: return make_uring_reactor(cfg);
    case BackendKind::Epoll: return make_epoll_reactor(cfg);
    case BackendKind::Auto: break;
  }
  throw std::invalid_argument("make_reactor: resolve BackendKind::Auto with choose_backend first");
}

}  // namespace chatd::io
