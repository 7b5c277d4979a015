#include "backend.hpp"

namespace chatd::loadgen {

namespace {
io::ReactorConfig reactor_config() {
  io::ReactorConfig rc;
  rc.buf_ring_entries = 8192;
  rc.buf_size = 4096;
  return rc;
}
}  // namespace

BackendPick pick_backend(std::string_view wanted) {
  BackendPick p;
  if (wanted == "epoll") {
    p.reason = "requested";
    return p;
  }
  const io::BackendProbe probe = io::probe_uring();
  if (probe.uring_ok) {
    p.kind = io::BackendKind::Uring;
    p.reason = wanted == "uring" ? "requested" : "io_uring available";
    return p;
  }
  if (wanted == "uring") {
    p.ok = false;
    p.reason = "io_uring unavailable: " + probe.why_not;
    return p;
  }
  p.reason = "io_uring unavailable (" + probe.why_not + "), using epoll";
  return p;
}

std::unique_ptr<io::Reactor> make_reactor(io::BackendKind kind) {
  if (kind == io::BackendKind::Uring) return io::make_uring_reactor(reactor_config());
  return io::make_epoll_reactor(reactor_config());
}

}  // namespace chatd::loadgen
