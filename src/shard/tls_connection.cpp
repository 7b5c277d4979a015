// Connections from a TLS listener (--tls-listen, --web-tls): ciphertext in
// through the TLS session to the same pump (or HTTP parser) as plaintext;
// plaintext out, still shared between recipients, encrypted per connection
// only when the reactor asks for the connection's output.
#include <array>

#include <spdlog/spdlog.h>

#include "shard/shard.hpp"
#include "shard/shard_host.hpp"

namespace chatd::shard {

// Contract: a connection from a TLS listener gets its TLS session here, at
// accept; nothing of the chat starts before the handshake is done, and a
// handshake not done within tls-handshake-timeout is dropped.
bool Shard::start_tls(Connection& c, ListenerKind kind) {
  std::shared_ptr<const tls::TlsContext> context = ctx_.tls_context(kind);
  if (!context) return false;
  c.tls = std::make_unique<TlsState>(*context);
  stats_.tls_connections.fetch_add(1, std::memory_order_relaxed);
  if (lim_.tls_handshake_timeout_s > 0)
    timers_.add(now_ms_ + lim_.tls_handshake_timeout_s * 1000ull, c.token, TimerKind::TlsHandshake);
  return true;
}

void Shard::tls_input(Connection& c, std::span<const char> bytes) {
  TlsState& t = *c.tls;
  tls_plain_.clear();
  const auto status = t.stream.feed(bytes, tls_plain_);
  flush_tls(c, true);  // handshake records, alerts
  if (status == tls::TlsStream::Status::Error) {
    t.failed = true;
    stats_.tls_failures.fetch_add(1, std::memory_order_relaxed);
    spdlog::debug("tls {}:{}: {}", c.ip, c.port, t.stream.reason());
    c.reason = t.ready ? "tls error" : "tls handshake failed";
    if (t.ready) {
      Host h(*this, c);
      c.session.on_disconnect(h);
    }
    return finish(c);
  }
  if (!t.ready && t.stream.handshake_done()) tls_ready(c);
  if (!tls_plain_.empty() && !c.closing()) {
    // The pump may stash these bytes (it copies), never keep the span.
    if (c.web())
      web_input(c, tls_plain_);
    else
      pump(c, tls_plain_);
  }
  if (status == tls::TlsStream::Status::Closed && !c.closing()) {
    // close_notify: the peer will send no more, like a TCP FIN.
    c.eof = true;
    if (!c.session.awaiting() && c.stash.empty()) end_input(c);
  }
}

// The handshake is done: a line client's session starts (the prompt is its
// first record); a web client's HTTP parser was ready from the start.
void Shard::tls_ready(Connection& c) {
  c.tls->ready = true;
  stats_.tls_handshakes.fetch_add(1, std::memory_order_relaxed);
  spdlog::debug("tls {}:{}: {} {}", c.ip, c.port, c.tls->stream.version(), c.tls->stream.alpn());
  if (!c.web()) start_line_session(c);
}

// Moves every queued plaintext text into the TLS session (a few records for
// many small texts) and the resulting records into the ciphertext queue.
void Shard::encrypt_pending(Connection& c) {
  std::array<iovec, 64> iov;
  std::array<std::string_view, 64> pieces;
  while (!c.out.empty()) {
    const std::size_t n = c.out.gather(iov);
    std::size_t total = 0;
    for (std::size_t i = 0; i < n; ++i) {
      pieces[i] = {static_cast<const char*>(iov[i].iov_base), iov[i].iov_len};
      total += iov[i].iov_len;
    }
    c.tls->stream.write(std::span<const std::string_view>(pieces.data(), n));
    c.out.consume(total, texts_);
  }
  flush_tls(c, false);
}

// Copies the session's waiting records into an immutable chunk at the end
// of the ciphertext queue. `notify`: ask the reactor to send (not from
// inside gather(), which is already sending).
void Shard::flush_tls(Connection& c, bool notify) {
  tls::TlsStream& s = c.tls->stream;
  if (s.pending_size() == 0) return;
  while (s.pending_size() > 0) {
    std::array<iovec, 16> iov;
    std::array<std::string_view, 16> parts;
    const std::size_t n = s.gather(iov);
    std::size_t total = 0;
    for (std::size_t i = 0; i < n; ++i) {
      parts[i] = {static_cast<const char*>(iov[i].iov_base), iov[i].iov_len};
      total += iov[i].iov_len;
    }
    LocalText* l = texts_.adopt(SharedText::create(std::span<const std::string_view>(parts.data(), n)), 1);
    ++l->refs;
    c.tls->out.push(l);
    texts_.unref(l);
    s.consume(total);
  }
  if (notify) reactor_->want_send(c.token);
}

// Contract: from finish(), once: the last plaintext is encrypted, then a
// close_notify follows it.
void Shard::close_tls(Connection& c) {
  TlsState& t = *c.tls;
  if (t.notify_queued) return;
  t.notify_queued = true;
  if (t.ready && !t.failed) {
    encrypt_pending(c);
    t.stream.close();
  }
  flush_tls(c, true);
}

void Shard::tls_handshake_timeout(Connection& c) {
  if (!c.tls || c.tls->ready) return;
  stats_.tls_handshake_timeouts.fetch_add(1, std::memory_order_relaxed);
  c.reason = "tls handshake timeout";
  doom(c);  // nothing to say to a peer that said nothing useful
}

}  // namespace chatd::shard
