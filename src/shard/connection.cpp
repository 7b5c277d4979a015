// Accepting connections and reading them: the input pump, the stash that
// keeps lines in order while the session waits, and flood control.
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

#include <spdlog/spdlog.h>

#include "io/clock.hpp"
#include "shard/shard.hpp"
#include "shard/shard_host.hpp"
#include "web/http_response.hpp"

namespace chatd::shard {
namespace {
constexpr std::size_t kStashPause = 64 * 1024;  // stop reading a waiting client past this

// A peer that vanished without FIN or RST (cable, sleep, NAT) is otherwise
// a member forever: TCP probes it after `idle_s` of silence, three times a
// third of that apart, and data left unacknowledged as long as that whole
// cycle ends the connection too (the probes alone stop once data is in
// flight). Redis's tcp-keepalive does the same.
// 0 turns it off (a listener may carry an older setting).
void keep_alive(int fd, unsigned idle_s) {
  const int on = idle_s > 0, idle = static_cast<int>(std::max(1u, idle_s)), interval = std::max(1, idle / 3),
            count = 3;
  const unsigned user_timeout_ms = idle_s > 0 ? (idle_s + static_cast<unsigned>(interval * count)) * 1000u : 0;
  ::setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &on, sizeof on);
  if (!on) {
    ::setsockopt(fd, IPPROTO_TCP, TCP_USER_TIMEOUT, &user_timeout_ms, sizeof user_timeout_ms);
    return;
  }
  ::setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof idle);
  ::setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &interval, sizeof interval);
  ::setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &count, sizeof count);
  ::setsockopt(fd, IPPROTO_TCP, TCP_USER_TIMEOUT, &user_timeout_ms, sizeof user_timeout_ms);
}
}  // namespace

void Shard::tune_listeners() {
  const bool first = listener_keepalive_s_ == ~0u;
  for (const ShardListener& l : listeners_) {
    if (first) {
      const int one = 1;
      ::setsockopt(l.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    }
    keep_alive(l.fd, lim_.tcp_keepalive_s);
  }
  if (!first) listeners_retuned_ms_ = std::max<std::uint64_t>(now_ms_, 1);
  listener_keepalive_s_ = lim_.tcp_keepalive_s;
}

Connection* Shard::find(io::Token t) {
  Connection* c = conns_.find(t);
  return c && !c->doomed() ? c : nullptr;
}

// ---------------------------------------------------------------- accepting

void Shard::on_accept(int fd, const sockaddr_storage& peer, std::uint32_t tag) {
  now_ms_ = io::coarse_now_ms();  // the loop may have slept since it last looked: deadlines start now
  catch_up_limits();
  if (stopping_) {
    ::close(fd);
    return;
  }
  auto [ip, port] = io::describe_peer(peer);
  const auto kind = static_cast<ListenerKind>(tag);
  const bool web = kind == ListenerKind::Web || kind == ListenerKind::WebTls;
  const bool tls = kind == ListenerKind::LineTls || kind == ListenerKind::WebTls;
  if (auto refusal = ctx_.admission.admit(ip, lim_.max_conns, lim_.max_conns_per_ip)) {
    stats_.refused.fetch_add(1, std::memory_order_relaxed);
    spdlog::debug("refused {} ({})", ip, *refusal == chat::ErrorCode::ServerFull ? "max-conns" : "max-conns-per-ip");
    // One line (or one HTTP answer), best effort, never blocking: the socket buffer is empty.
    const std::string text = web ? web::http_response(503, "text/plain; charset=utf-8", "server full\n", {}, false)
                                 : chat::dialect(ctx_.dialect).render(chat::Event::error_of(*refusal));
    [[maybe_unused]] auto r = ::send(fd, text.data(), text.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
    ::close(fd);
    return;
  }
  // TCP_NODELAY and keepalive come from the listener (tune_listeners). A
  // connection accepted just after tcp-keepalive was reloaded may have been
  // established before the listener took the new value: set it here then.
  if (listeners_retuned_ms_ != 0 && now_ms_ - listeners_retuned_ms_ < 1000) keep_alive(fd, lim_.tcp_keepalive_s);
  Connection& c = conns_.emplace(ctx_.config.lang, web ? chat::DialectId::Json : ctx_.dialect, lim_.max_line,
                                 std::move(ip), port);
  c.counted_ip = lim_.max_conns_per_ip > 0;
  c.last_rx_ms = now_ms_;
  c.bucket.fill(lim_.burst, now_ms_);
  stats_.accepted.fetch_add(1, std::memory_order_relaxed);
  stats_.connections.fetch_add(1, std::memory_order_relaxed);
  reactor_->add_connection(fd, c.token);
  if (tls && !start_tls(c, kind)) {
    c.reason = "no TLS certificate loaded";
    return doom(c);
  }
  // A web connection is logged as a chat client at its upgrade (most only fetch the page).
  if (web) return start_web(c);
  if (tls) return;  // the session starts once the handshake is done (tls_ready)
  start_line_session(c);
}

// Contract: a line client is ready for the chat (accepted, or its TLS
// handshake done): logged, given its login deadline, prompted.
void Shard::start_line_session(Connection& c) {
  if (conn_log_.admit(now_ms_)) spdlog::info("{}{}", ctx_.log.new_connection(c.ip, c.port), c.tls ? " (TLS)" : "");
  if (lim_.login_timeout_s > 0) timers_.add(now_ms_ + lim_.login_timeout_s * 1000ull, c.token, TimerKind::Login);
  c.session.set_secure(c.tls != nullptr || !ctx_.config.require_tls_for_login);
  Host h(*this, c);
  c.session.start(h);
}

void Shard::on_accept_error(int err) {
  stats_.refused.fetch_add(1, std::memory_order_relaxed);
  // Out of descriptors or memory: the listener would fire again at once.
  // Leave the newcomers in the backlog and look again shortly; clients
  // already connected are served meanwhile.
  if (accept_paused_until_ms_ == 0)
    spdlog::warn("shard {}: cannot accept: {}; pausing accepts (raise LimitNOFILE / ulimit -n)", index_,
                 std::strerror(err));
  reactor_->set_accepting(false);
  accept_paused_until_ms_ = now_ms_ + 100;
}

// ---------------------------------------------------------------- reading

void Shard::on_data(io::Token t, std::span<const char> bytes) {
  Connection* c = find(t);
  if (!c) return;
  now_ms_ = io::coarse_now_ms();  // see on_accept: a timer armed from here must not start in the past
  catch_up_limits();
  c->last_rx_ms = now_ms_;
  stats_.bytes_in.fetch_add(bytes.size(), std::memory_order_relaxed);
  if (c->tls) return tls_input(*c, bytes);
  if (c->web()) return web_input(*c, bytes);
  pump(*c, bytes);
}

void Shard::pump(Connection& c, std::span<const char> input) {
  if (c.closing()) return;  // after /quit the rest is ignored
  if (c.holding_input()) return hold(c, input);
  while (!input.empty()) {
    if (!c.bucket.take(lim_.rate, lim_.burst, now_ms_)) {
      throttle(c);
      return hold(c, input);
    }
    const auto status = c.framer.next(input);
    if (status == chat::FrameStatus::NeedMore) {
      c.bucket.refund(lim_.rate);  // no line, no charge
      break;
    }
    Host h(*this, c);
    if (status == chat::FrameStatus::TooLong) {
      c.session.on_line_too_long(h, c.framer.max_line());
      continue;
    }
    c.session.on_line(h, c.framer.line());
    if (c.closing()) return;
    // Hold the rest until the owning shard answers; lines keep their order.
    if (c.session.awaiting()) {
      pipeline_join(c, input);
      return hold(c, input);
    }
  }
  if (lim_.line_idle_flush_ms > 0 && !c.flush_armed && c.framer.idle_pending()) {
    c.flush_armed = true;
    timers_.add(now_ms_ + lim_.line_idle_flush_ms, c.token, TimerKind::IdleFlush);
  }
}

// A /join right behind a /create of the same room goes to the room's owner
// now, not after the create's answer: both travel to the same shard on one
// FIFO queue, so the owner makes the room before it takes the join, and the
// answers come back in order — one owner round trip instead of two (often
// a cross-shard hop each). Not with --cluster, where the room exists only
// once Redis has announced it; only for a next line the framer would give
// back as it stands.
void Shard::pipeline_join(Connection& c, std::span<const char>& input) {
  if (ctx_.cluster || !c.framer.at_line_start()) return;
  const auto* lf = static_cast<const char*>(std::memchr(input.data(), '\n', input.size()));
  if (lf == nullptr) return;
  std::string_view line(input.data(), static_cast<std::size_t>(lf - input.data()));
  if (line.size() >= c.framer.max_line() || line.find('\xff') != std::string_view::npos) return;
  if (line.ends_with('\r')) line.remove_suffix(1);
  if (!c.session.joins_pending_room(line)) return;
  if (!c.bucket.take(lim_.rate, lim_.burst, now_ms_)) return;  // the throttle takes it from here
  if (c.framer.next(input) != chat::FrameStatus::Line) return;
  Host h(*this, c);
  c.session.pipeline_join(h);
}

// Keeps raw input for later, in order; reading pauses if too much piles up.
void Shard::hold(Connection& c, std::span<const char> input) {
  c.stash.append(input.data(), input.size());
  if (c.stash.size() > kStashPause && !c.paused) {
    c.paused = true;
    reactor_->set_reading(c.token, false);
  }
}

// The session's answer came, or the throttle lifted: replays what waited.
void Shard::resume(Connection& c) {
  if (c.session.awaiting() || c.closing() || c.throttled) return;
  if (!c.stash.empty()) {
    std::string held = std::move(c.stash);
    c.stash.clear();
    pump(c, held);
  } else {
    c.throttled_since_ms = 0;  // caught up: the flood, if any, is over
  }
  if (c.paused && c.stash.size() <= kStashPause && !c.closing() && !c.throttled) {
    c.paused = false;
    reactor_->set_reading(c.token, true);
  }
  if (c.eof && c.stash.empty() && !c.session.awaiting()) end_input(c);
}

// Contract: the peer sent its last byte and every line before it has been
// handled. Handles a last unterminated line, then ends the session as a
// departure (not a /quit) and closes once output is flushed. Does nothing if
// the connection is already closing.
void Shard::end_input(Connection& c) {
  if (c.closing()) return;
  Host h(*this, c);
  // A last line without its newline still counts (the original client).
  if (auto last = c.framer.flush_partial()) {
    c.session.on_line(h, *last);
    if (c.closing() || c.session.awaiting()) return;
  }
  c.session.on_disconnect(h);
  c.reason = "connection closed by peer";
  finish(c);
}

void Shard::on_closed(io::Token t, int err) {
  Connection* c = find(t);
  if (!c) return;
  if (err == 0) {
    c->eof = true;
    if (!c->session.awaiting() && c->stash.empty()) end_input(*c);
    return;
  }
  spdlog::debug("connection {}:{}: {}", c->ip, c->port, std::strerror(err));
  Host h(*this, *c);
  c->session.on_disconnect(h);
  if (!c->closing()) c->reason = err == ECONNRESET || err == EPIPE ? "connection reset" : "connection error";
  // Output is freed in destroy(), after Reactor::close: a send may be in flight.
  doom(*c);
}

// A FIN while reading is paused. A throttled flooder's session ends now:
// its held lines go with it, as an IRC server drops a departed client's
// receive queue; relaying them at --rate could take minutes. Any other
// pause (an answer from another shard or a service) is short: the FIN is
// read after the data before it, in order.
void Shard::on_peer_hangup(io::Token t) {
  Connection* c = find(t);
  if (!c || c->closing() || !c->throttled) return;
  c->stash.clear();
  Host h(*this, *c);
  c->session.on_disconnect(h);
  if (!c->closing()) c->reason = "connection closed by peer";
  finish(*c);
}

// ---------------------------------------------------------------- flood control

void Shard::throttle(Connection& c) {
  // Stop reading: TCP pushes back on the sender; its lines wait, in order.
  c.throttled = true;
  if (!c.paused) {
    c.paused = true;
    reactor_->set_reading(c.token, false);
  }
  if (c.throttled_since_ms == 0) c.throttled_since_ms = now_ms_;
  timers_.add(now_ms_ + c.bucket.ms_until_token(lim_.rate), c.token, TimerKind::Throttle);
}

// A partial line that has been quiet for line-idle-flush counts as a line
// (the original client sends lines without a newline).
void Shard::flush_idle_line(Connection& c) {
  c.flush_armed = false;
  if (!c.framer.idle_pending()) return;
  const std::uint64_t quiet_since = c.last_rx_ms + lim_.line_idle_flush_ms;
  if (quiet_since > now_ms_ || c.holding_input()) {
    c.flush_armed = true;
    timers_.add(std::max(quiet_since, now_ms_ + 1), c.token, TimerKind::IdleFlush);
    return;
  }
  if (auto line = c.framer.flush_partial()) {
    Host h(*this, c);
    c.session.on_line(h, *line);
  }
}

}  // namespace chatd::shard
