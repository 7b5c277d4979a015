#pragma once
// --backend auto|uring|epoll for the load generator: io::choose_backend and
// io::make_reactor with the load generator's reactor sizes.
#include <memory>
#include <string_view>

#include "io/reactor.hpp"

namespace chatd::loadgen {

// `wanted` is "auto", "uring" or "epoll" (the option's validator checks).
// Throws std::runtime_error ("--backend uring: <why>") when uring is asked
// for and refused.
io::BackendChoice pick_backend(std::string_view wanted);
// One worker's reactor of the picked kind; throws when the kernel refuses.
std::unique_ptr<io::Reactor> make_reactor(io::BackendKind kind);

}  // namespace chatd::loadgen
