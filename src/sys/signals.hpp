#pragma once
// Signals are handled synchronously by the main thread (sigtimedwait); the
// shard threads block them all.
#include <chrono>

namespace chatd::sys {

enum class SignalEvent { None, Stop, Reload };

// Blocks SIGINT, SIGTERM, SIGHUP in the calling thread (and threads it
// starts later) and ignores SIGPIPE. Call before starting any thread.
void block_signals();

// Waits up to `timeout` for a blocked signal.
SignalEvent wait_signal(std::chrono::milliseconds timeout);

}  // namespace chatd::sys
