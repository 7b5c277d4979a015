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

io::BackendChoice pick_backend(std::string_view wanted) {
  const io::BackendKind requested = wanted == "uring"   ? io::BackendKind::Uring
                                    : wanted == "epoll" ? io::BackendKind::Epoll
                                                        : io::BackendKind::Auto;
  return io::choose_backend(requested);
}

std::unique_ptr<io::Reactor> make_reactor(io::BackendKind kind) {
  return io::make_reactor(kind, reactor_config());
}

}  // namespace chatd::loadgen
