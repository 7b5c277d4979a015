#include "shard/shard.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cstring>
#include <functional>

#include <spdlog/spdlog.h>

#include "chat/sanitize.hpp"

namespace chatd::shard {
namespace {

constexpr std::uint32_t kNotMember = 0xffffffffu;
constexpr std::size_t kStashPause = 64 * 1024;  // stop reading a waiting client past this
constexpr std::uint64_t kLingerMs = 5000;       // a closing client gets this long to read
constexpr std::size_t kDrainBatch = 4096;

std::uint64_t now_ms() {
  timespec ts{};
  ::clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
  return static_cast<std::uint64_t>(ts.tv_sec) * 1000 + static_cast<std::uint64_t>(ts.tv_nsec) / 1000000;
}

}  // namespace

ServerContext::ServerContext(const ServerConfig& cfg, unsigned n)
    : config(cfg), count(n), shards(n, nullptr) {
  queues.resize(static_cast<std::size_t>(n) * n);
  for (unsigned f = 0; f < n; ++f)
    for (unsigned t = 0; t < n; ++t)
      if (f != t) queues[f * n + t] = std::make_unique<SpscQueue<Envelope>>(8192);
  live.max_line = cfg.max_line;
  live.max_outbuf = cfg.max_outbuf;
  live.line_idle_flush_ms = cfg.line_idle_flush_ms;
  live.login_timeout_s = cfg.login_timeout_s;
  live.rate = cfg.rate;
  live.burst = cfg.burst;
  live.max_conns = cfg.max_conns;
  live.max_conns_per_ip = cfg.max_conns_per_ip;
  live.rooms_per_minute = cfg.rooms_per_minute;
}

std::size_t Shard::inbox_depth() const {
  std::size_t n = 0;
  for (unsigned f = 0; f < ctx_.count; ++f)
    if (f != index_) n += ctx_.queue(f, index_).size_approx();
  return n;
}

// One client connection; lives in its shard's table, touched only there.
struct Shard::Connection {
  Connection(const ServerConfig& cfg, io::Token t, std::string peer_ip, std::uint16_t peer_port)
      : token(t),
        framer(cfg.max_line),
        session(cfg.lang, peer_port),
        ip(std::move(peer_ip)),
        port(peer_port),
        dialect(chat::line_dialect(cfg.lang)) {}

  io::Token token;
  chat::LineFramer framer;
  chat::Session session;
  OutputQueue out;
  std::string stash;  // raw input held back while the session awaits an answer
  std::string ip;
  std::uint16_t port;
  chat::DialectId dialect;  // how this client is spoken to
  std::uint32_t member_index = kNotMember;  // in local_rooms_[room_id].members
  std::uint32_t room_id = 0;
  std::uint64_t last_rx_ms = 0;
  double tokens = 0;                 // flood control bucket
  std::uint64_t tokens_at_ms = 0;
  std::uint64_t throttled_since_ms = 0;  // 0 = not throttled lately
  std::uint64_t rooms_window_ms = 0;     // room creations, per minute
  std::uint32_t rooms_in_window = 0;
  const char* reason = "closed";
  bool eof = false;         // the peer will send no more
  bool closing = false;     // flushing its last output, then closed
  bool doomed = false;      // destroyed at the end of this pass
  bool paused = false;      // reading stopped while the stash drains
  bool flush_armed = false; // an idle-flush timer is pending
  bool slow = false;        // over max-outbuf: will be dropped
  bool throttled = false;   // out of flood-control tokens: reading paused
  bool counted_ip = false;  // holds a place in per_ip
};

// The SessionHost of one connection for the duration of one call.
class Shard::Host final : public chat::SessionHost {
 public:
  Host(Shard& s, Connection& c) : s_(s), c_(c) {}

  void send(const chat::Event& e) override { s_.reply(c_, e); }

  void claim_nick(std::string_view nick) override {
    Envelope e;
    e.kind = Envelope::Kind::NickClaim;
    e.conn = c_.token;
    e.name = chat::fold_case(nick);
    s_.post(s_.nick_owner(e.name), std::move(e));
  }

  void release_nick() override {
    Envelope e;
    e.kind = Envelope::Kind::NickRelease;
    e.conn = c_.token;
    e.name = chat::fold_case(c_.session.nick());
    s_.post(s_.nick_owner(e.name), std::move(e));
  }

  void create_room(std::string_view room) override {
    Envelope e;
    e.conn = c_.token;
    if (s_.lim_.rooms_per_minute > 0) {
      if (s_.now_ms_ - c_.rooms_window_ms >= 60000) {
        c_.rooms_window_ms = s_.now_ms_;
        c_.rooms_in_window = 0;
      }
      if (++c_.rooms_in_window > s_.lim_.rooms_per_minute) {
        // Answered here, through our own mailbox: the session awaits a result.
        e.kind = Envelope::Kind::CreateResult;
        e.status = static_cast<std::uint8_t>(chat::CreateStatus::RateLimited);
        s_.post(s_.index_, std::move(e));
        return;
      }
    }
    e.kind = Envelope::Kind::Create;
    e.name = std::string(room);
    s_.post(s_.room_owner(room), std::move(e));
  }

  void join_room(std::string_view room) override {
    Envelope e;
    e.kind = Envelope::Kind::Join;
    e.conn = c_.token;
    e.name = std::string(room);
    e.nick = c_.session.nick();
    s_.post(s_.room_owner(room), std::move(e));
  }

  void leave_room(std::uint32_t room_id, std::string_view room, chat::LeaveKind kind) override {
    s_.remove_member(c_);
    Envelope e;
    e.kind = Envelope::Kind::Leave;
    e.status = static_cast<std::uint8_t>(kind);
    e.conn = c_.token;
    e.room_id = room_id;
    e.nick = c_.session.nick();
    s_.post(s_.room_owner(room), std::move(e));
  }

  void publish(std::uint32_t room_id, std::string_view text) override {
    // Formatted once here; every recipient shares these bytes.
    const chat::Event m{.kind = chat::EventKind::Message, .nick = c_.session.nick(),
                        .room = c_.session.room(), .text = text};
    SharedText* t = SharedText::create(s_.render(s_.dialect_, m));
    Envelope e;
    e.kind = Envelope::Kind::Publish;
    e.conn = c_.token;
    e.room_id = room_id;
    e.text = t;
    s_.stats_.messages_in.fetch_add(1, std::memory_order_relaxed);
    s_.post(s_.room_owner(c_.session.room()), std::move(e));
  }

  void list_rooms() override {
    s_.reply(c_, {.kind = chat::EventKind::RoomList, .names = s_.catalog_.names()});
  }

  void finish() override {
    c_.reason = "quit";
    s_.finish(c_);
  }

 private:
  Shard& s_;
  Connection& c_;
};

Shard::Shard(ServerContext& ctx, unsigned index, std::unique_ptr<io::Reactor> reactor,
             std::vector<int> listeners)
    : ctx_(ctx),
      cfg_(ctx.config),
      dialect_(chat::dialect(chat::line_dialect(ctx.config.lang))),
      log_(ctx.config.lang),
      index_(index),
      reactor_(std::move(reactor)),
      listeners_(std::move(listeners)),
      rooms_(ctx.count),
      overflow_(ctx.count),
      need_wake_(ctx.count, false) {}

Shard::~Shard() {
  for (auto& c : conns_)
    if (c) destroy(*c);
}

Shard::Connection* Shard::find(io::Token t) {
  const auto slot = io::token_slot(t);
  if (slot >= conns_.size() || !conns_[slot]) return nullptr;
  Connection* c = conns_[slot].get();
  return c->token == t && !c->doomed ? c : nullptr;
}

// ---------------------------------------------------------------- loop

void Shard::run() {
  for (int fd : listeners_) reactor_->add_listener(fd);
  now_ms_ = now_ms();
  // Listening: the first heartbeat lets main send READY=1 without waiting
  // for an idle first pass (connections queue in the backlog meanwhile).
  stats_.heartbeat_ms.store(now_ms_, std::memory_order_relaxed);
  for (;;) {
    now_ms_ = now_ms();
    refresh_limits();
    if (!stopping_ && ctx_.stopping.load(std::memory_order_acquire)) begin_shutdown();
    if (stopping_ && shutdown_done()) break;

    int timeout = next_timeout_ms();
    if (timeout != 0) {
      // Announce the nap, then look once more: a producer that pushed before
      // seeing the flag is caught here, one that pushes after will wake us.
      sleeping_.store(true, std::memory_order_seq_cst);
      bool pending = false;
      for (unsigned f = 0; f < ctx_.count && !pending; ++f)
        if (f != index_ && !ctx_.queue(f, index_).empty_approx()) pending = true;
      if (pending || ctx_.stopping.load(std::memory_order_relaxed)) timeout = 0;
    }
    reactor_->run_once(*this, timeout);
    sleeping_.store(false, std::memory_order_relaxed);

    now_ms_ = now_ms();
    drain_mail();
    run_timers();
    reap();
    flush_overflow();
    send_wakes();
    stats_.loops.fetch_add(1, std::memory_order_relaxed);
    stats_.heartbeat_ms.store(now_ms_, std::memory_order_relaxed);
  }
  for (auto& c : conns_)
    if (c && !c->doomed) {
      c->reason = "server shutdown";
      c->doomed = true;
      doomed_.push_back(io::token_slot(c->token));
    }
  reap();
}

int Shard::next_timeout_ms() const {
  if (!local_mail_.empty() || !doomed_.empty()) return 0;
  for (auto& q : overflow_)
    if (!q.empty()) return 1;
  int t = stopping_ ? 50 : 1000;
  if (!timers_.empty()) {
    const auto due = timers_.top().due_ms;
    t = due <= now_ms_ ? 0 : static_cast<int>(std::min<std::uint64_t>(due - now_ms_, t));
  }
  return t;
}

void Shard::begin_shutdown() {
  stopping_ = true;
  stop_deadline_ms_ = now_ms_ + cfg_.shutdown_timeout_s * 1000ull;
  reactor_->set_accepting(false);
  for (auto& c : conns_) {
    if (!c || c->doomed || c->closing) continue;
    reply(*c, chat::Event::error_of(chat::ErrorCode::ShuttingDown));
    c->reason = "server shutdown";
    finish(*c);
  }
}

bool Shard::shutdown_done() const { return live_ == 0 || now_ms_ >= stop_deadline_ms_; }

// ---------------------------------------------------------------- I/O events

void Shard::on_accept(int fd, const sockaddr_storage& peer) {
  if (stopping_) {
    ::close(fd);
    return;
  }
  auto [ip, port] = io::describe_peer(peer);
  if (!admit(fd, ip)) return;
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  std::uint32_t slot;
  if (!free_slots_.empty()) {
    slot = free_slots_.back();
    free_slots_.pop_back();
  } else {
    slot = static_cast<std::uint32_t>(conns_.size());
    conns_.emplace_back();
    generations_.push_back(0);
  }
  const io::Token token = (static_cast<std::uint64_t>(++generations_[slot]) << 32) | slot;
  conns_[slot] = std::make_unique<Connection>(cfg_, token, std::move(ip), port);
  Connection& c = *conns_[slot];
  c.framer.set_max_line(lim_.max_line);
  c.counted_ip = lim_.max_conns_per_ip > 0;
  c.last_rx_ms = now_ms_;
  c.tokens = lim_.burst;
  c.tokens_at_ms = now_ms_;
  ++live_;
  stats_.accepted.fetch_add(1, std::memory_order_relaxed);
  stats_.connections.fetch_add(1, std::memory_order_relaxed);
  reactor_->add_connection(fd, token);
  spdlog::info("{}", log_.new_connection(c.ip, c.port));
  if (lim_.login_timeout_s > 0)
    timers_.push({now_ms_ + lim_.login_timeout_s * 1000ull, token, TimerKind::Login});
  Host h(*this, c);
  c.session.start(h);
}

void Shard::on_accept_error(int err) {
  stats_.refused.fetch_add(1, std::memory_order_relaxed);
  if (err == EMFILE || err == ENFILE || err == ENOBUFS || err == ENOMEM) {
    // Out of descriptors: the listener would fire again at once. Leave the
    // newcomers in the backlog and look again shortly; clients already
    // connected are served meanwhile.
    if (accept_paused_until_ms_ == 0)
      spdlog::warn("shard {}: cannot accept: {}; pausing accepts (raise LimitNOFILE / ulimit -n)",
                   index_, std::strerror(err));
    reactor_->set_accepting(false);
    accept_paused_until_ms_ = now_ms_ + 100;
    return;
  }
  spdlog::warn("shard {}: accept failed: {}", index_, std::strerror(err));
}

bool Shard::admit(int fd, const std::string& ip) {
  const char* refusal = nullptr;
  std::string text;
  const auto total = ctx_.connections.fetch_add(1, std::memory_order_relaxed) + 1;
  if (lim_.max_conns > 0 && total > lim_.max_conns) {
    text = render(dialect_, chat::Event::error_of(chat::ErrorCode::ServerFull));
    refusal = "max-conns";
  } else if (lim_.max_conns_per_ip > 0) {
    std::lock_guard lock(ctx_.per_ip_mutex);
    auto& n = ctx_.per_ip[ip];
    if (n >= lim_.max_conns_per_ip) {
      text = render(dialect_, chat::Event::error_of(chat::ErrorCode::TooManyFromIp));
      refusal = "max-conns-per-ip";
      if (n == 0) ctx_.per_ip.erase(ip);
    } else {
      ++n;
    }
  }
  if (!refusal) return true;
  ctx_.connections.fetch_sub(1, std::memory_order_relaxed);
  stats_.refused.fetch_add(1, std::memory_order_relaxed);
  spdlog::debug("refused {} ({})", ip, refusal);
  // One line, best effort, never blocking: the socket buffer is empty.
  [[maybe_unused]] auto r = ::send(fd, text.data(), text.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
  ::close(fd);
  return false;
}

void Shard::release_ip(const std::string& ip) {
  std::lock_guard lock(ctx_.per_ip_mutex);
  auto it = ctx_.per_ip.find(ip);
  if (it != ctx_.per_ip.end() && --it->second == 0) ctx_.per_ip.erase(it);
}

void Shard::refresh_limits() {
  const LiveLimits& l = ctx_.live;
  constexpr auto r = std::memory_order_relaxed;
  lim_ = {l.max_line.load(r), l.max_outbuf.load(r), l.line_idle_flush_ms.load(r),
          l.login_timeout_s.load(r), l.burst.load(r), l.max_conns.load(r),
          l.max_conns_per_ip.load(r), l.rooms_per_minute.load(r), l.rate.load(r)};
  if (accept_paused_until_ms_ && now_ms_ >= accept_paused_until_ms_ && !stopping_) {
    accept_paused_until_ms_ = 0;
    reactor_->set_accepting(true);
  }
}

bool Shard::take_token(Connection& c) {
  if (lim_.rate <= 0) return true;
  const double burst = lim_.burst;
  c.tokens = std::min(burst, c.tokens + static_cast<double>(now_ms_ - c.tokens_at_ms) * lim_.rate / 1000.0);
  c.tokens_at_ms = now_ms_;
  if (c.tokens < 1.0) return false;
  c.tokens -= 1.0;
  return true;
}

void Shard::throttle(Connection& c) {
  // Stop reading: TCP pushes back on the sender; its lines wait, in order.
  c.throttled = true;
  if (!c.paused) {
    c.paused = true;
    reactor_->set_reading(c.token, false);
  }
  if (c.throttled_since_ms == 0) c.throttled_since_ms = now_ms_;
  const auto wait = static_cast<std::uint64_t>((1.0 - c.tokens) * 1000.0 / lim_.rate) + 1;
  timers_.push({now_ms_ + wait, c.token, TimerKind::Throttle});
}

void Shard::on_data(io::Token t, std::span<const char> bytes) {
  Connection* c = find(t);
  if (!c) return;
  c->last_rx_ms = now_ms_;
  stats_.bytes_in.fetch_add(bytes.size(), std::memory_order_relaxed);
  pump(*c, bytes);
}

void Shard::pump(Connection& c, std::span<const char> input) {
  if (c.closing) return;  // after /quit the rest is ignored
  if (!c.stash.empty() || c.session.awaiting() || c.throttled) {
    c.stash.append(input.data(), input.size());
    if (c.stash.size() > kStashPause && !c.paused) {
      c.paused = true;
      reactor_->set_reading(c.token, false);
    }
    return;
  }
  while (!input.empty()) {
    if (!take_token(c)) {
      throttle(c);
      pump(c, input);  // into the stash
      return;
    }
    const auto status = c.framer.next(input);
    if (status == chat::FrameStatus::NeedMore) {
      c.tokens += lim_.rate > 0 ? 1.0 : 0.0;  // no line, no charge
      break;
    }
    Host h(*this, c);
    if (status == chat::FrameStatus::TooLong) {
      c.session.on_line_too_long(h, c.framer.max_line());
      continue;
    }
    c.session.on_line(h, c.framer.line());
    if (c.closing) return;
    if (c.session.awaiting()) {
      // Hold the rest until the owning shard answers; lines keep their order.
      if (!input.empty()) pump(c, input);
      return;
    }
  }
  if (lim_.idle_flush_ms > 0 && !c.flush_armed && c.framer.idle_pending()) {
    c.flush_armed = true;
    timers_.push({now_ms_ + lim_.idle_flush_ms, c.token, TimerKind::IdleFlush});
  }
}

void Shard::resume(Connection& c) {
  if (c.session.awaiting() || c.closing || c.throttled) return;
  if (!c.stash.empty()) {
    std::string held = std::move(c.stash);
    c.stash.clear();
    pump(c, held);
  } else {
    c.throttled_since_ms = 0;  // caught up: the flood, if any, is over
  }
  if (c.paused && c.stash.size() <= kStashPause && !c.closing && !c.throttled) {
    c.paused = false;
    reactor_->set_reading(c.token, true);
  }
  if (c.eof && c.stash.empty() && !c.session.awaiting()) end_input(c);
}

void Shard::end_input(Connection& c) {
  if (c.closing || c.doomed) return;
  Host h(*this, c);
  // A last line without its newline still counts (the original client).
  if (auto last = c.framer.flush_partial()) {
    c.session.on_line(h, *last);
    if (c.closing || c.session.awaiting()) return;
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
  if (!c->closing) c->reason = err == ECONNRESET || err == EPIPE ? "connection reset" : "connection error";
  // Output is freed in destroy(), after Reactor::close: a send may be in flight.
  c->closing = true;
  c->doomed = true;
  doomed_.push_back(io::token_slot(t));
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
  if (c->closing && c->out.empty() && !c->doomed) {
    c->doomed = true;
    doomed_.push_back(io::token_slot(t));
  }
}

// ---------------------------------------------------------------- output

void Shard::queue_text(Connection& c, LocalText* l) {
  ++l->refs;
  c.out.push(l);
  reactor_->want_send(c.token);
  if (c.out.bytes() > lim_.max_outbuf && !c.slow && !c.closing) {
    // Dealt with in reap(): we may be iterating over its room right now.
    c.slow = true;
    doomed_.push_back(io::token_slot(c.token));
  }
}

void Shard::reply(Connection& c, std::string_view text) {
  if (c.doomed) return;
  LocalText* l = texts_.adopt(SharedText::create(text), 1);
  queue_text(c, l);
  texts_.unref(l);
}

void Shard::reply(Connection& c, const chat::Event& e) {
  if (c.doomed) return;
  reply(c, render(chat::dialect(c.dialect), e));
}

std::string_view Shard::render(const chat::Dialect& d, const chat::Event& e) {
  render_buf_.clear();
  d.render(e, render_buf_);
  return render_buf_;
}

void Shard::finish(Connection& c) {
  if (c.closing) return;
  c.closing = true;
  if (!c.eof) reactor_->set_reading(c.token, false);
  if (c.out.empty()) {
    c.doomed = true;
    doomed_.push_back(io::token_slot(c.token));
  } else {
    timers_.push({now_ms_ + kLingerMs, c.token, TimerKind::Linger});
  }
}

void Shard::reap() {
  // Index loop: finishing a slow consumer may doom nothing new, but be safe.
  for (std::size_t i = 0; i < doomed_.size(); ++i) {
    const auto slot = doomed_[i];
    if (slot >= conns_.size() || !conns_[slot]) continue;
    Connection& c = *conns_[slot];
    if (c.slow && !c.doomed) {
      c.slow = false;
      c.out.drop_unsent(texts_);
      stats_.slow_disconnects.fetch_add(1, std::memory_order_relaxed);
      Host h(*this, c);
      c.session.on_disconnect(h);
      reply(c, chat::Event::error_of(chat::ErrorCode::SlowConsumer));
      c.reason = "slow consumer (output over max-outbuf)";
      finish(c);
      continue;
    }
    if (c.doomed) destroy(c);
  }
  doomed_.clear();
}

void Shard::destroy(Connection& c) {
  const auto slot = io::token_slot(c.token);
  remove_member(c);
  reactor_->close(c.token);  // first: no send of ours is in flight after it
  c.out.clear(texts_);
  const std::string& nick = c.session.nick();
  if (!nick.empty() && (c.session.registered() || c.session.closed())) {
    spdlog::info("{}", log_.disconnected(nick, c.ip, c.port, c.reason));
  } else {
    spdlog::debug("connection {}:{} closed before registering: {}", c.ip, c.port, c.reason);
  }
  if (c.counted_ip) release_ip(c.ip);
  ctx_.connections.fetch_sub(1, std::memory_order_relaxed);
  conns_[slot].reset();
  free_slots_.push_back(slot);
  --live_;
  stats_.connections.fetch_sub(1, std::memory_order_relaxed);
}

// ---------------------------------------------------------------- timers

void Shard::run_timers() {
  while (!timers_.empty() && timers_.top().due_ms <= now_ms_) {
    const Timer tm = timers_.top();
    timers_.pop();
    Connection* c = find(tm.token);
    if (!c) continue;
    if (c->closing) {
      if (tm.kind == TimerKind::Linger) {  // it had its chance to read
        c->doomed = true;
        doomed_.push_back(io::token_slot(c->token));
      }
      continue;
    }
    switch (tm.kind) {
      case TimerKind::Linger:
        break;
      case TimerKind::Login:
        if (c->session.phase() == chat::Session::Phase::Nickname) {
          Host h(*this, *c);
          reply(*c, chat::Event::error_of(chat::ErrorCode::LoginTimeout));
          c->session.on_disconnect(h);
          c->reason = "login timeout";
          stats_.limit_disconnects.fetch_add(1, std::memory_order_relaxed);
          finish(*c);
        }
        break;
      case TimerKind::Throttle:
        if (!c->throttled) break;
        if (cfg_.flood_disconnect_s > 0 &&
            now_ms_ - c->throttled_since_ms >= cfg_.flood_disconnect_s * 1000ull) {
          Host h(*this, *c);
          c->stash.clear();
          reply(*c, chat::Event::error_of(chat::ErrorCode::Flood));
          c->session.on_disconnect(h);
          c->reason = "flood";
          stats_.limit_disconnects.fetch_add(1, std::memory_order_relaxed);
          finish(*c);
          break;
        }
        c->throttled = false;
        resume(*c);
        break;
      case TimerKind::IdleFlush: {
        c->flush_armed = false;
        if (!c->framer.idle_pending()) break;
        const std::uint64_t quiet_since = c->last_rx_ms + lim_.idle_flush_ms;
        if (quiet_since > now_ms_ || c->session.awaiting() || !c->stash.empty() || c->throttled) {
          c->flush_armed = true;
          timers_.push({std::max(quiet_since, now_ms_ + 1), c->token, TimerKind::IdleFlush});
          break;
        }
        if (auto line = c->framer.flush_partial()) {
          Host h(*this, *c);
          c->session.on_line(h, *line);
        }
        break;
      }
    }
  }
}

// ---------------------------------------------------------------- rooms

void Shard::add_member(Connection& c, std::uint32_t room_id) {
  if (room_id >= local_rooms_.size()) local_rooms_.resize(room_id + 1);
  auto& m = local_rooms_[room_id].members;
  c.member_index = static_cast<std::uint32_t>(m.size());
  c.room_id = room_id;
  m.push_back(io::token_slot(c.token));
}

void Shard::remove_member(Connection& c) {
  if (c.member_index == kNotMember) return;
  auto& m = local_rooms_[c.room_id].members;
  const std::uint32_t moved = m.back();
  m[c.member_index] = moved;
  conns_[moved]->member_index = c.member_index;
  m.pop_back();
  c.member_index = kNotMember;
}

void Shard::deliver(std::uint32_t room_id, SharedText* text, io::Token exclude) {
  if (room_id >= local_rooms_.size() || local_rooms_[room_id].members.empty()) {
    text->release();
    return;
  }
  // The guard reference keeps the text alive while we hand it out.
  LocalText* l = texts_.adopt(text, 1);
  std::uint64_t n = 0;
  for (std::uint32_t slot : local_rooms_[room_id].members) {
    Connection& c = *conns_[slot];
    if (c.token == exclude || c.closing || c.slow) continue;
    queue_text(c, l);
    ++n;
  }
  texts_.unref(l);
  stats_.deliveries.fetch_add(n, std::memory_order_relaxed);
}

void Shard::fan_out(chat::RoomRegistry::Room& room, SharedText* text, io::Token exclude,
                    unsigned exclude_shard) {
  ++room.events;
  std::uint32_t shards = 0;
  for (auto n : room.members_on) shards += n > 0;
  if (shards == 0) {
    text->release();
    return;
  }
  text->add_shard_refs(shards - 1);
  for (unsigned s = 0; s < ctx_.count; ++s) {
    if (room.members_on[s] == 0) continue;
    Envelope e;
    e.kind = Envelope::Kind::Deliver;
    e.room_id = room.id;
    e.text = text;
    e.conn = s == exclude_shard ? exclude : 0;
    post(s, std::move(e));
  }
}

void Shard::own_publish(Envelope& e) {
  auto* room = rooms_.find(e.room_id);
  SharedText* text = std::exchange(e.text, nullptr);
  if (!room) {
    text->release();
    return;
  }
  fan_out(*room, text, e.conn, e.from);
}

void Shard::own_join(Envelope& e) {
  Envelope r;
  r.kind = Envelope::Kind::JoinResult;
  r.conn = e.conn;
  r.name = e.name;
  auto* room = rooms_.find(e.name);
  if (room) {
    rooms_.add_member(*room, e.from);
    const chat::Event joined{.kind = chat::EventKind::Joined, .nick = e.nick, .room = room->name};
    fan_out(*room, SharedText::create(render(dialect_, joined)), e.conn, e.from);
    r.status = 1;
    r.room_id = room->id;
    r.nick = std::move(e.nick);
  }
  post(e.from, std::move(r));
}

void Shard::own_leave(Envelope& e) {
  auto* room = rooms_.find(e.room_id);
  if (!room) return;
  rooms_.remove_member(*room, e.from);
  const auto kind = static_cast<chat::LeaveKind>(e.status);
  const chat::Event left{.kind = kind == chat::LeaveKind::Quit ? chat::EventKind::Quit : chat::EventKind::Left,
                         .nick = e.nick, .room = room->name};
  fan_out(*room, SharedText::create(render(dialect_, left)), e.conn, e.from);
}

void Shard::own_create(Envelope& e) {
  Envelope r;
  r.kind = Envelope::Kind::CreateResult;
  r.conn = e.conn;
  if (rooms_.find(e.name)) {
    r.status = static_cast<std::uint8_t>(chat::CreateStatus::Exists);
    post(e.from, std::move(r));
    return;
  }
  // Ids are dense (they index every shard's member table): only take one
  // when the room will exist.
  std::uint32_t id = ctx_.rooms.load(std::memory_order_relaxed);
  do {
    if (id >= cfg_.max_rooms) {
      r.status = static_cast<std::uint8_t>(chat::CreateStatus::Limit);
      post(e.from, std::move(r));
      return;
    }
  } while (!ctx_.rooms.compare_exchange_weak(id, id + 1, std::memory_order_relaxed));
  rooms_.create(e.name, id);
  for (unsigned s = 0; s < ctx_.count; ++s) {
    Envelope a;
    a.kind = Envelope::Kind::RoomAdded;
    a.room_id = id;
    a.name = e.name;
    post(s, std::move(a));
  }
  r.status = static_cast<std::uint8_t>(chat::CreateStatus::Created);
  post(e.from, std::move(r));
}

// ---------------------------------------------------------------- mail

unsigned Shard::room_owner(std::string_view room) const {
  return ctx_.count == 1 ? 0 : static_cast<unsigned>(std::hash<std::string_view>{}(room) % ctx_.count);
}

unsigned Shard::nick_owner(std::string_view folded) const { return room_owner(folded); }

void Shard::post(unsigned to, Envelope&& e) {
  e.from = static_cast<std::uint16_t>(index_);
  if (to == index_) {
    local_mail_.push_back(std::move(e));
    return;
  }
  need_wake_[to] = true;
  // FIFO per destination: once something waits in overflow, all later items do.
  if (!overflow_[to].empty() || !ctx_.queue(index_, to).try_push(std::move(e)))
    overflow_[to].push_back(std::move(e));
}

void Shard::flush_overflow() {
  for (unsigned to = 0; to < ctx_.count; ++to) {
    auto& q = overflow_[to];
    while (!q.empty() && ctx_.queue(index_, to).try_push(std::move(q.front()))) q.pop_front();
  }
}

void Shard::send_wakes() {
  // A seq_cst read-modify-write after our pushes pairs with the seq_cst
  // store of `sleeping_` before the consumer's last look at its queues
  // (Dekker): either it sees our items or we see it asleep. One per
  // destination per pass, not per item.
  for (unsigned to = 0; to < ctx_.count; ++to) {
    if (!need_wake_[to]) continue;
    need_wake_[to] = false;
    Shard* s = ctx_.shards[to];
    if (s->sleeping_.exchange(false, std::memory_order_seq_cst)) s->reactor_->wake();
  }
}

void Shard::drain_mail() {
  for (unsigned f = 0; f < ctx_.count; ++f) {
    if (f == index_) continue;
    ctx_.queue(f, index_).drain([this](Envelope&& e) { handle(std::move(e)); }, kDrainBatch);
  }
  // Local mail may beget local mail (an owner answering itself); a few
  // rounds here, the rest next pass.
  for (int round = 0; round < 4 && !local_mail_.empty(); ++round) {
    local_batch_.clear();
    local_batch_.swap(local_mail_);
    for (auto& e : local_batch_) handle(std::move(e));
  }
}

void Shard::handle(Envelope&& e) {
  using K = Envelope::Kind;
  switch (e.kind) {
    case K::Publish:
      own_publish(e);
      return;
    case K::Deliver:
      deliver(e.room_id, std::exchange(e.text, nullptr), e.conn);
      return;
    case K::NickClaim: {
      Envelope r;
      r.kind = K::NickResult;
      r.conn = e.conn;
      r.status = nicks_.claim(e.name, {e.from, e.conn});
      post(e.from, std::move(r));
      return;
    }
    case K::NickRelease:
      nicks_.release(e.name, {e.from, e.conn});
      return;
    case K::Create:
      own_create(e);
      return;
    case K::Join:
      own_join(e);
      return;
    case K::Leave:
      own_leave(e);
      return;
    case K::RoomAdded:
      catalog_.add(e.room_id, std::move(e.name));
      return;
    case K::NickResult: {
      Connection* c = find(e.conn);
      if (!c) return;  // gone: its release is already on the way
      Host h(*this, *c);
      c->session.nick_result(h, e.status != 0);
      if (c->session.registered()) {
        spdlog::info("{}", log_.registered(c->session.nick(), c->ip, c->port));
      }
      resume(*c);
      return;
    }
    case K::CreateResult: {
      Connection* c = find(e.conn);
      if (!c) return;
      Host h(*this, *c);
      c->session.create_result(h, static_cast<chat::CreateStatus>(e.status));
      resume(*c);
      return;
    }
    case K::JoinResult: {
      Connection* c = find(e.conn);
      if (!c || c->closing || !c->session.awaiting()) {
        if (e.status) {  // joined on the owner's books but gone here: undo it
          Envelope l;
          l.kind = K::Leave;
          l.status = static_cast<std::uint8_t>(chat::LeaveKind::Quit);
          l.room_id = e.room_id;
          l.conn = e.conn;
          l.nick = std::move(e.nick);
          post(room_owner(e.name), std::move(l));
        }
        return;
      }
      Host h(*this, *c);
      c->session.join_result(h, e.status != 0, e.room_id);
      if (e.status) add_member(*c, e.room_id);
      resume(*c);
      return;
    }
  }
}

}  // namespace chatd::shard
