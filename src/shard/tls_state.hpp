#pragma once
// A connection from a TLS listener: its TLS session and the ciphertext on
// its way out. Held behind a pointer, so a plaintext client pays 8 bytes.
#include <memory>

#include "shard/output_queue.hpp"
#include "tls/tls_context.hpp"
#include "tls/tls_stream.hpp"

namespace chatd::shard {

// Owned by its connection, touched only by its shard's thread.
//
// Plaintext is queued as for anyone (shared texts in Connection::out) and
// encrypted per connection when the reactor asks for output; the records
// are copied into immutable chunks here, so a send in flight (io_uring)
// never points into a buffer that OpenSSL may grow or move.
struct TlsState {
  explicit TlsState(const tls::TlsContext& ctx) : stream(ctx) {}
  tls::TlsStream stream;
  OutputQueue out;             // ciphertext, oldest first
  bool ready = false;          // handshake done: the session (or HTTP) has started
  bool notify_queued = false;  // our close_notify is in `out`
  bool failed = false;         // a fatal TLS error: no close_notify may follow
};

}  // namespace chatd::shard
