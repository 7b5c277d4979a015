// Output and the end of a connection's life: queueing shared texts,
// handing them to the reactor, and finish -> doom -> destroy.
#include <malloc.h>

#include <spdlog/spdlog.h>

#include "chat/sanitize.hpp"
#include "io/clock.hpp"
#include "shard/shard.hpp"
#include "shard/shard_host.hpp"

namespace chatd::shard {
namespace {
constexpr std::uint64_t kLingerMs = 5000;  // a closing client gets this long to read

// The slow-consumer rule judges how a client reads, not one large reply: a
// client is dropped when its unsent output stays over max-outbuf for
// kSlowGraceMs while more keeps coming (it reads slower than it is fed), or
// at once past the ceiling, 2 x max-outbuf + kReplyAllowance, which bounds
// the memory one client can pin. A prompt reader drains a big reply (a
// full /rooms page of the largest size is < 300 KiB) long before either.
constexpr std::uint32_t kSlowGraceMs = 2000;
constexpr std::size_t kReplyAllowance = 512 * 1024;

// Output this large, once sent, leaves free memory behind in the allocator:
// the shard gives it back to the kernel (malloc_trim) at most once per
// kTrimIntervalMs.
constexpr std::size_t kBigOutput = 256 * 1024;
constexpr std::uint64_t kTrimIntervalMs = 1000;
}  // namespace

std::size_t Shard::gather(io::Token t, std::span<iovec> out) {
  Connection* c = find(t);
  if (!c) return 0;
  if (!c->tls) return c->out.gather(out);
  // TLS: encrypted now, per connection, as late as possible (many texts, few records).
  if (c->tls->ready && !c->tls->failed) encrypt_pending(*c);
  return c->tls->out.gather(out);
}

bool Shard::output_idle(const Connection& c) const {
  return c.out.empty() && (!c.tls || c.tls->out.empty());
}

void Shard::on_sent(io::Token t, std::size_t bytes) {
  Connection* c = find(t);
  if (!c) return;
  stats_.bytes_out.fetch_add(bytes, std::memory_order_relaxed);
  (c->tls ? c->tls->out : c->out).consume(bytes, texts_);
  if (c->over_outbuf && unsent(*c) <= lim_.max_outbuf) c->over_outbuf = false;  // caught up
  if (c->big_output && output_idle(*c)) {
    c->big_output = false;
    trim_wanted_ = true;
  }
  if (c->closing() && output_idle(*c)) doom(*c);
}

std::size_t Shard::unsent(const Connection& c) const { return c.out.bytes() + (c.tls ? c.tls->out.bytes() : 0); }

void Shard::queue_text(Connection& c, LocalText* l) {
  ++l->refs;
  c.out.push(l);
  reactor_->want_send(c.token);
  const std::size_t bytes = unsent(c);
  if (bytes >= kBigOutput) c.big_output = true;
  if (bytes <= lim_.max_outbuf || c.slow || c.closing()) return;
  const auto now = static_cast<std::uint32_t>(now_ms_);
  if (!c.over_outbuf) {
    c.over_outbuf = true;
    c.over_since_ms = now;
  }
  const bool past_ceiling = bytes > 2 * lim_.max_outbuf + kReplyAllowance;
  const bool fed_while_behind = static_cast<std::uint32_t>(now - c.over_since_ms) >= kSlowGraceMs;
  if (past_ceiling || fed_while_behind) {
    // Dropped in reap(): we may be iterating over its room right now.
    c.slow = true;
    slow_.push_back(io::token_slot(c.token));
  }
}

// Renders `e` in the connection's dialect, for it alone.
void Shard::emit(Connection& c, const chat::Event& e) {
  if (c.doomed() || (c.web_state && c.web_state->close_sent)) return;
  LocalText* l = render_shared(c.dialect, e);
  queue_text(c, l);
  texts_.unref(l);
}

// Contract: the connection takes no more input and closes once its queued
// output is sent, or after kLingerMs if the peer does not read it. The
// session must already be over (quit or on_disconnect). Idempotent.
void Shard::finish(Connection& c) {
  if (c.closing()) return;
  if (c.websocket()) send_close_frame(c);
  if (c.tls) close_tls(c);
  c.life = Connection::Life::Closing;
  if (!c.eof) reactor_->set_reading(c.token, false);
  if (output_idle(c)) {
    doom(c);
  } else {
    timers_.add(now_ms_ + kLingerMs, c.token, TimerKind::Linger);
  }
}

// Contract: ends a session for a server-side reason — tells the client
// `why`, announces its departure to its room and frees its nickname like a
// dropped connection, then finish(). `reason` goes to the log.
void Shard::disconnect(Connection& c, chat::ErrorCode why, const char* reason) {
  Host h(*this, c);
  emit(c, chat::Event::error_of(why));
  if (c.web_state) c.web_state->close_code = why == chat::ErrorCode::ShuttingDown ? 1001 : 1008;
  c.session.on_disconnect(h);
  c.reason = reason;
  finish(c);
}

// Contract: the connection is destroyed at the end of this pass; from now
// on find() does not see it, so nothing more is queued or read.
void Shard::doom(Connection& c) {
  if (c.doomed()) return;
  c.life = Connection::Life::Doomed;
  doomed_.push_back(io::token_slot(c.token));
}

// Contract: runs once per pass, after the reactor's callbacks, the mail and
// the timers — never while a room's member list is being walked. Drops the
// slow consumers found this pass, then destroys the doomed connections.
void Shard::reap() {
  // Index loops: dropping may doom, and destroying never adds.
  for (std::size_t i = 0; i < slow_.size(); ++i)
    if (Connection* c = conns_.at_slot(slow_[i]); c && c->slow && !c->doomed()) drop_slow(*c);
  slow_.clear();
  for (std::size_t i = 0; i < doomed_.size(); ++i)
    if (Connection* c = conns_.at_slot(doomed_[i]); c && c->doomed()) destroy(*c);
  doomed_.clear();
  give_memory_back();
}

// After a spike (big replies sent, or big queues dropped) glibc keeps the
// freed pages for reuse; malloc_trim hands them back. It walks the heap, so
// at most once per kTrimIntervalMs per shard; a shard's loop passes at
// least once a second, so a pending trim happens soon even when idle.
void Shard::give_memory_back() {
  if (!trim_wanted_ || now_ms_ - last_trim_ms_ < kTrimIntervalMs) return;
  trim_wanted_ = false;
  last_trim_ms_ = now_ms_;
  ::malloc_trim(0);
}

// Over max-outbuf: what has not started to go out is dropped (a partly sent
// line and what an in-flight send holds are kept), then a notice.
void Shard::drop_slow(Connection& c) {
  c.slow = false;
  c.out.drop_unsent(texts_);
  stats_.slow_disconnects.fetch_add(1, std::memory_order_relaxed);
  disconnect(c, chat::ErrorCode::SlowConsumer, "slow consumer (output over max-outbuf)");
}

// Contract: only from reap() (or the destructor). Leaves the room list,
// closes the socket — after which no send of ours is in flight, so the
// output can be freed — logs the departure and frees the slot.
void Shard::destroy(Connection& c) {
  remove_member(c);
  reactor_->close(c.token);
  if (c.big_output) trim_wanted_ = true;
  c.out.clear(texts_);
  if (c.tls) {
    c.tls->out.clear(texts_);
    stats_.tls_connections.fetch_sub(1, std::memory_order_relaxed);
  }
  const std::string& nick = c.session.nick();
  if (!nick.empty() && (c.session.registered() || c.session.closed())) {
    if (conn_log_.admit(now_ms_)) spdlog::info("{}", ctx_.log.disconnected(nick, c.ip, c.port, c.reason));
  }
  else
    spdlog::debug("connection {}:{} closed before registering: {}", c.ip, c.port, c.reason);
  ctx_.admission.release(c.ip, c.counted_ip);
  stats_.connections.fetch_sub(1, std::memory_order_relaxed);
  conns_.erase(c.token);
}

}  // namespace chatd::shard
