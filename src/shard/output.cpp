// Output and the end of a connection's life: queueing shared texts,
// handing them to the reactor, and finish -> doom -> destroy.
#include <spdlog/spdlog.h>

#include "chat/sanitize.hpp"
#include "io/clock.hpp"
#include "shard/shard.hpp"
#include "shard/shard_host.hpp"

namespace chatd::shard {
namespace {
constexpr std::uint64_t kLingerMs = 5000;  // a closing client gets this long to read
}

std::size_t Shard::gather(io::Token t, std::span<iovec> out) {
  Connection* c = find(t);
  return c ? c->out.gather(out) : 0;
}

void Shard::on_sent(io::Token t, std::size_t bytes) {
  Connection* c = find(t);
  if (!c) return;
  stats_.bytes_out.fetch_add(bytes, std::memory_order_relaxed);
  c->out.consume(bytes, texts_);
  if (c->closing() && c->out.empty()) doom(*c);
}

void Shard::queue_text(Connection& c, LocalText* l) {
  ++l->refs;
  c.out.push(l);
  reactor_->want_send(c.token);
  if (c.out.bytes() > lim_.max_outbuf && !c.slow && !c.closing()) {
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
  c.life = Connection::Life::Closing;
  if (!c.eof) reactor_->set_reading(c.token, false);
  if (c.out.empty()) {
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
  c.out.clear(texts_);
  const std::string& nick = c.session.nick();
  if (!nick.empty() && (c.session.registered() || c.session.closed()))
    spdlog::info("{}", ctx_.log.disconnected(nick, c.ip, c.port, c.reason));
  else
    spdlog::debug("connection {}:{} closed before registering: {}", c.ip, c.port, c.reason);
  ctx_.admission.release(c.ip, c.counted_ip);
  stats_.connections.fetch_sub(1, std::memory_order_relaxed);
  conns_.erase(c.token);
}

}  // namespace chatd::shard
