#pragma once
// Picks the reactor backend for --backend auto|uring|epoll.
#include <memory>
#include <string>
#include <string_view>

#include "io/reactor.hpp"

namespace chatd::loadgen {

struct BackendPick {
  io::BackendKind kind = io::BackendKind::Epoll;
  std::string reason;  // why (for auto, and for a refused uring)
  bool ok = true;
};

BackendPick pick_backend(std::string_view wanted);
// Makes one reactor of the picked kind; nullptr when the backend refuses.
std::unique_ptr<io::Reactor> make_reactor(io::BackendKind kind);

}  // namespace chatd::loadgen
