#include "worker.hpp"

#include <sys/socket.h>

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>

#include "clock.hpp"
#include "payload.hpp"

namespace chatd::loadgen {

// Binds the dialect's callbacks to one client.
class Worker::Sink final : public SessionSink {
 public:
  Sink(Worker& w, Client& c) : w_(w), c_(c) {}
  std::string_view nick() override {
    w_.nick_.clear();
    w_.plan_.dialect->make_nick(w_.nick_, w_.cfg_.nick_prefix, w_.plan_.thread_of(c_.id), c_.id);
    return w_.nick_;
  }
  std::string_view room() override { return w_.plan_.room_names[c_.room]; }
  bool is_publisher() override { return c_.role == Role::Publisher; }
  void send(std::string_view bytes) override {
    if (c_.state != State::Closed) w_.queue(c_, bytes);
  }
  void registered() override {
    if (c_.state == State::Handshake) w_.registered(c_);
  }
  void joined() override {
    if (c_.state == State::Handshake) w_.joined(c_);
  }
  void failed(Stage stage, std::string_view why) override {
    if (c_.state != State::Closed && !c_.close_requested) w_.failed(c_, stage, why);
  }
  void delivery(std::string_view text) override {
    if (c_.state == State::Joined || c_.state == State::Quitting) w_.delivery(c_, text);
  }
  void publish_ack(std::int64_t receivers) override {
    if (receivers > 0) w_.counters_.publish_acks += static_cast<std::uint64_t>(receivers);
  }

 private:
  Worker& w_;
  Client& c_;
};

Worker::Worker(unsigned index, const Plan& plan, SharedState& shared, std::unique_ptr<io::Reactor> reactor)
    : index_(index), plan_(plan), cfg_(*plan.cfg), shared_(shared), report_(*shared.reports[index]),
      reactor_(std::move(reactor)),
      connector_(plan.servers, plan.sources,
                 static_cast<std::uint64_t>(cfg_.connect_timeout * 1e9)) {
  const unsigned t = plan_.threads;
  inflight_limit_ = std::max(1u, cfg_.inflight / t + (index_ < cfg_.inflight % t ? 1 : 0));
  if (plan_.dialect->separate_publishers() && plan_.sends_messages()) {
    for (unsigned i = 0; i < cfg_.redis_publishers; ++i) {
      Client& c = new_client(Role::Publisher, i);
      publishers_.push_back(c.slot);
      setup_order_.push_back(c.slot);
    }
  }
  for (std::uint32_t id = index_; id < plan_.members; id += t) {
    Client& c = new_client(plan_.is_slow(id) ? Role::Slow : Role::Member, id);
    c.room = plan_.room_of(id);
    members_.push_back(c.slot);
    setup_order_.push_back(c.slot);
  }
  setup_left_ = setup_order_.size();
  churn_hold_ns_ = static_cast<std::uint64_t>(cfg_.churn_hold * 1e9);
  if (cfg_.tls) tls_ = std::make_unique<TlsClientContext>(cfg_.proto == Proto::Ws ? "http/1.1" : "");
}

Worker::~Worker() = default;

Worker::Client& Worker::new_client(Role role, std::uint32_t id) {
  Client* c = nullptr;
  if (!free_slots_.empty()) {
    c = &clients_[free_slots_.back()];
    free_slots_.pop_back();
    const std::uint32_t slot = c->slot;
    const std::uint32_t gen = c->gen + 1;
    *c = Client{};
    c->slot = slot;
    c->gen = gen;
  } else {
    c = &clients_.emplace_back();
    c->slot = static_cast<std::uint32_t>(clients_.size() - 1);
    c->gen = 1;
  }
  c->role = role;
  c->id = id;
  return *c;
}

Worker::Client* Worker::lookup(io::Token t) {
  const std::uint32_t slot = io::token_slot(t);
  if (slot >= clients_.size()) return nullptr;
  Client& c = clients_[slot];
  if (c.gen != io::token_generation(t) || !c.in_reactor) return nullptr;
  return &c;
}

void Worker::note_error(std::string_view what) {
  if (first_error_.empty()) first_error_ = std::string(what);
  if (cfg_.verbose) fmt::print(stderr, "chatd-loadgen[{}]: {}\n", index_, what);
}

// ---------------------------------------------------------------- loop

void Worker::run() {
  for (;;) {
    std::uint64_t now = mono_ns();
    const Phase p = shared_.phase.load(std::memory_order_acquire);
    if (p != phase_) enter(p, now);
    if (phase_ == Phase::Done) break;
    if (phase_ == Phase::Setup) start_setup(now);
    connector_.poll(now, [this](std::uint64_t key, Fd fd, int err) { on_connect_done(key, std::move(fd), err); });
    if (phase_ == Phase::Run) {
      drive_sends(now);
      drive_churn(now);
    }
    if (phase_ == Phase::Quit && !quit_done_) {
      bool flushed = true;
      for (const Client& c : clients_)
        if (c.in_reactor && (c.off < c.sending.size() || !c.pending.empty())) {
          flushed = false;
          break;
        }
      if (flushed || now >= quit_deadline_ns_) finish_quit();
    }
    reactor_->run_once(*this, timeout_ms(now));
    publish(mono_ns(), false);
  }
  publish(mono_ns(), true);
}

int Worker::timeout_ms(std::uint64_t now) const {
  if (connector_.pending() > 0) return 1;
  if (phase_ == Phase::Quit) return 5;
  std::uint64_t wait = 20'000'000;
  if (phase_ == Phase::Run && sending_) wait = std::min(wait, next_send_ns_ > now ? next_send_ns_ - now : 0);
  if (phase_ == Phase::Run && churn_interval_ns_) {
    wait = std::min(wait, next_churn_ns_ > now ? next_churn_ns_ - now : 0);
    if (!holding_.empty()) wait = std::min<std::uint64_t>(wait, 10'000'000);
  }
  return static_cast<int>((wait + 999'999) / 1'000'000);
}

void Worker::publish(std::uint64_t now, bool force) {
  if (!force && now - last_publish_ns_ < 20'000'000) return;
  last_publish_ns_ = now;
  const bool hist = force || now - last_hist_publish_ns_ >= 250'000'000;
  if (hist) last_hist_publish_ns_ = now;
  std::uint64_t slow_open = 0;
  if (cfg_.scenario == Scenario::Slow)
    for (const std::uint32_t s : members_)
      if (clients_[s].role == Role::Slow && clients_[s].in_reactor) ++slow_open;
  std::lock_guard lock(report_.mu);
  report_.counters = counters_;
  report_.open = open_;
  report_.last_join_ns = last_join_ns_;
  report_.slow_open = slow_open;
  report_.setup_done = setup_left_ == 0;
  report_.send_done = send_done_;
  report_.quit_done = quit_done_;
  if (report_.first_error.empty()) report_.first_error = first_error_;
  if (hist) {
    report_.latency = latency_;
    report_.setup = setup_;
    report_.registration = register_;
    report_.join = join_;
  }
}

// ---------------------------------------------------------------- phases

void Worker::enter(Phase p, std::uint64_t now) {
  while (phase_ < p) {
    phase_ = static_cast<Phase>(static_cast<int>(phase_) + 1);
    switch (phase_) {
      case Phase::Setup: break;
      case Phase::Run: enter_run(now); break;
      case Phase::Drain:
        sending_ = false;
        churn_interval_ns_ = 0;
        send_done_ = true;
        break;
      case Phase::Reopen: enter_reopen(); break;
      case Phase::Quit: enter_quit(now); break;
      case Phase::Done: break;
    }
  }
  publish(now, true);
}

void Worker::abandon_setup() {
  // Setup timed out: what has not joined by now counts as failed.
  for (const std::uint32_t s : setup_order_) {
    Client& c = clients_[s];
    if (c.state == State::Idle || c.state == State::Connecting) {
      ++counters_.connect_errors;
      note_error("setup timed out before the connection was established");
    } else if (c.state == State::Handshake && c.tls && !c.tls->ready()) {
      ++counters_.connect_errors;
      note_error("setup timed out during the TLS handshake");
    } else if (c.state == State::Handshake) {
      ++counters_.register_errors;
      note_error("setup timed out before registration and join completed");
      if (cfg_.verbose > 1)
        fmt::print(stderr, "chatd-loadgen[{}]: client {} stuck at protocol stage {}, {} bytes unsent\n", index_,
                   c.id, c.wire.stage, c.pending.size() + c.sending.size() - c.off);
    } else {
      continue;
    }
    if (c.setup_pending) setup_finished(c);
    close_client(c);
  }
  setup_left_ = 0;
}

void Worker::enter_run(std::uint64_t now) {
  abandon_setup();
  measure_start_ns_ = shared_.measure_start_ns.load(std::memory_order_acquire);
  send_end_ns_ = shared_.send_end_ns.load(std::memory_order_acquire);
  const std::uint64_t run_start = shared_.run_start_ns.load(std::memory_order_acquire);
  for (const std::uint32_t s : members_) {
    Client& c = clients_[s];
    if (c.state != State::Joined) continue;
    if (c.role == Role::Member) senders_.push_back(s);
    if (c.role == Role::Slow) reactor_->set_reading(token(c), false);
  }
  switch (cfg_.scenario) {
    case Scenario::Report:
      for (unsigned m = 0; m < cfg_.messages; ++m)
        for (const std::uint32_t s : senders_) send_message(clients_[s], now);
      send_done_ = true;
      break;
    case Scenario::Fanout:
    case Scenario::Churn:
    case Scenario::Slow: {
      const double per_thread = cfg_.rate / plan_.threads;
      if (per_thread > 0 && !senders_.empty()) {
        send_interval_ns_ = static_cast<std::uint64_t>(1e9 / per_thread);
        // Stagger the threads so their sends interleave.
        next_send_ns_ = run_start + send_interval_ns_ * index_ / plan_.threads;
        sending_ = true;
      } else {
        send_done_ = true;
      }
      if (cfg_.scenario == Scenario::Churn && cfg_.churn_rate > 0) {
        churn_interval_ns_ = static_cast<std::uint64_t>(1e9 * plan_.threads / cfg_.churn_rate);
        next_churn_ns_ = run_start + churn_interval_ns_ * index_ / plan_.threads;
      }
      break;
    }
    case Scenario::Storm:
    case Scenario::Idle:
      send_done_ = true;
      break;
  }
}

void Worker::enter_reopen() {
  // A slow member now reads what the server still holds for it (MBs, when
  // it was dropped) through a receive window it keeps small on purpose:
  // widen it, or on a busy machine the drain outlasts the wait for EOF.
  const int wide = 4 << 20;
  for (const std::uint32_t s : members_) {
    Client& c = clients_[s];
    if (c.role != Role::Slow || !c.in_reactor) continue;
    ::setsockopt(c.fd, SOL_SOCKET, SO_RCVBUF, &wide, sizeof wide);
    reactor_->set_reading(token(c), true);
  }
}

void Worker::enter_quit(std::uint64_t now) {
  for (Client& c : clients_) {
    if (!c.in_reactor) continue;
    if (c.role == Role::Slow) continue;  // not reading: just close
    plan_.dialect->format_quit(c.wire, c.pending);
    arm(c);
    c.state = State::Quitting;
  }
  quit_deadline_ns_ = now + 1'500'000'000;
}

void Worker::finish_quit() {
  if (cfg_.verbose > 1) {
    std::size_t unsent = 0, inflight = 0, missing = 0;
    for (const std::uint32_t s : members_) {
      const Client& c = clients_[s];
      if (c.pending.size() > 6 || c.sending.size() - c.off > 6) ++unsent;
      if (c.inflight_bytes) ++inflight;
      if (c.role == Role::Member && c.state != State::Closed && c.received + 1 < plan_.room_capacity) {
        ++missing;
        if (missing <= 5) fmt::print(stderr, "  reader {} got {}\n", c.id, c.received);
      }
    }
    fmt::print(stderr, "chatd-loadgen[{}]: at quit: {} members with unsent output, {} with a send in flight, "
               "{} readers missing senders\n", index_, unsent, inflight, missing);
  }
  for (Client& c : clients_)
    if (c.in_reactor) close_client(c);
  quit_done_ = true;
}

// ---------------------------------------------------------------- connections

void Worker::start_setup(std::uint64_t now) {
  while (inflight_ < inflight_limit_ && next_start_ < setup_order_.size()) {
    Client& c = clients_[setup_order_[next_start_++]];
    c.setup_pending = true;
    ++inflight_;
    start_connect(c, now);
  }
}

void Worker::start_connect(Client& c, std::uint64_t now) {
  c.state = State::Connecting;
  c.t0_ns = now;
  if (c.role != Role::Churner && c.role != Role::Publisher) ++counters_.connects_started;
  Connector::Options opt;
  if (c.role == Role::Slow) opt.rcvbuf = static_cast<int>(cfg_.slow_rcvbuf);
  opt.server = c.role == Role::Member ? plan_.server_of(c.id) : c.id % plan_.servers.size();
  Connector::Started r = connector_.start(token(c), now, opt);
  if (r.fd) {
    connected(c, std::move(r.fd));
  } else if (r.err) {
    connect_failed(c, r.err);
  }
}

void Worker::on_connect_done(std::uint64_t key, Fd fd, int err) {
  const std::uint32_t slot = io::token_slot(key);
  if (slot >= clients_.size()) return;
  Client& c = clients_[slot];
  if (c.gen != io::token_generation(key) || c.state != State::Connecting) return;
  if (err) {
    connect_failed(c, err);
  } else {
    connected(c, std::move(fd));
  }
}

void Worker::connected(Client& c, Fd fd) {
  c.fd = fd.get();
  reactor_->add_connection(fd.release(), token(c));
  c.in_reactor = true;
  c.state = State::Handshake;
  ++open_;
  if (tls_) {
    // Counted as connected once the handshake is done (tls_open).
    c.tls = std::make_unique<TlsClient>(*tls_, "localhost");
    arm(c);  // the ClientHello; the dialect's first bytes wait for the handshake
  } else if (c.role == Role::Member || c.role == Role::Slow) {
    ++counters_.connected;
  }
  Sink sink(*this, c);
  plan_.dialect->on_connected(c.wire, sink);
  if (c.close_requested) close_client(c);
}

void Worker::connect_failed(Client& c, int err) {
  if (err == EMFILE || err == ENFILE) ++counters_.emfile;
  if (c.role == Role::Churner) {
    ++counters_.churn_errors;
  } else {
    ++counters_.connect_errors;
  }
  note_error(fmt::format("connect: {}", std::strerror(err)));
  c.state = State::Closed;
  if (c.setup_pending) setup_finished(c);
  if (c.role == Role::Churner) free_slots_.push_back(c.slot);
}

bool Worker::tls_open(Client& c, std::span<const char> bytes) {
  tls_plain_.clear();
  const bool was_ready = c.tls->ready();
  if (c.tls->feed(bytes, tls_plain_) == TlsClient::Status::Failed) {
    if (was_ready) {
      failed(c, c.state == State::Handshake ? Stage::Register : Stage::Session,
             fmt::format("TLS: {}", c.tls->reason()));
      if (c.setup_pending) setup_finished(c);
      close_client(c);
    } else {
      tls_failed(c, c.tls->reason());
    }
    return false;
  }
  if (!was_ready && c.tls->ready() && (c.role == Role::Member || c.role == Role::Slow)) ++counters_.connected;
  if (c.tls->has_output() || (c.tls->ready() && !c.pending.empty())) arm(c);
  return true;
}

void Worker::tls_failed(Client& c, std::string_view why) {
  // A handshake that fails is a connect that fails.
  if (c.role == Role::Churner) {
    ++counters_.churn_errors;
  } else {
    ++counters_.connect_errors;
  }
  note_error(fmt::format("TLS handshake: {}", why));
  if (c.setup_pending) setup_finished(c);
  close_client(c);
}

void Worker::setup_finished(Client& c) {
  if (!c.setup_pending) return;
  c.setup_pending = false;
  --inflight_;
  if (setup_left_ > 0) --setup_left_;
}

void Worker::close_client(Client& c) {
  if (c.in_reactor) {
    reactor_->close(token(c));
    c.in_reactor = false;
    --open_;
  }
  if (c.reader_counted) {
    shared_.room_readers[c.room].fetch_sub(1, std::memory_order_relaxed);
    c.reader_counted = false;
  }
  const bool was_closed = c.state == State::Closed;
  c.state = State::Closed;
  c.close_requested = false;
  c.want = false;
  c.inflight_bytes = 0;
  std::string().swap(c.sending);
  std::string().swap(c.pending);
  c.wire = Wire{};
  c.tls.reset();
  if (c.role == Role::Churner && !was_closed) free_slots_.push_back(c.slot);
}

void Worker::on_accept(int fd, const sockaddr_storage&, std::uint32_t) { ::close(fd); }

void Worker::on_closed(io::Token t, int err) {
  Client* cp = lookup(t);
  if (!cp) return;
  Client& c = *cp;
  const bool quitting = c.state == State::Quitting || phase_ >= Phase::Quit;
  if (c.tls && !c.tls->ready() && !quitting) {
    tls_failed(c, err ? std::strerror(err) : "closed by the server");
    return;
  }
  switch (c.role) {
    case Role::Churner:
      if (c.state == State::Quitting) {
        ++counters_.churn_completed;
      } else {
        ++counters_.churn_errors;
        note_error(fmt::format("churner closed by the server ({})", err ? std::strerror(err) : "EOF"));
      }
      break;
    case Role::Slow:
      if (c.state == State::Joined && phase_ >= Phase::Run) {
        ++counters_.slow_disconnected;
        break;
      }
      [[fallthrough]];
    case Role::Member:
    case Role::Publisher:
      if (quitting) break;
      if (c.state == State::Handshake) {
        ++counters_.register_errors;
        note_error(fmt::format("closed during registration ({})", err ? std::strerror(err) : "EOF"));
      } else {
        ++counters_.closed_unexpected;
        note_error(fmt::format("connection closed by the server ({})", err ? std::strerror(err) : "EOF"));
      }
      break;
  }
  if (c.setup_pending) setup_finished(c);
  close_client(c);
}

// ---------------------------------------------------------------- protocol

void Worker::on_data(io::Token t, std::span<const char> bytes) {
  Client* cp = lookup(t);
  if (!cp) return;
  Client& c = *cp;
  now_ns_ = mono_ns();
  if (c.tls) {
    if (!tls_open(c, bytes)) return;
    if (tls_plain_.empty()) return;
    bytes = tls_plain_;
  }
  Sink sink(*this, c);
  if (!plan_.dialect->on_bytes(c.wire, bytes, sink) && !c.close_requested)
    failed(c, c.state == State::Handshake ? Stage::Register : Stage::Session, "unparseable reply");
  if (c.close_requested) {
    if (c.setup_pending) setup_finished(c);
    close_client(c);
  }
}

void Worker::registered(Client& c) {
  c.t_reg_ns = mono_ns();
  if (c.role == Role::Member || c.role == Role::Slow) register_.record(c.t_reg_ns - c.t0_ns);
}

void Worker::joined(Client& c) {
  const std::uint64_t now = mono_ns();
  c.state = State::Joined;
  switch (c.role) {
    case Role::Member:
      shared_.room_readers[c.room].fetch_add(1, std::memory_order_relaxed);
      c.reader_counted = true;
      c.seqs.reserve(plan_.room_capacity);
      [[fallthrough]];
    case Role::Slow:
      ++counters_.joined;
      if (c.role == Role::Slow) ++counters_.slow_members;
      setup_.record(now - c.t0_ns);
      if (c.t_reg_ns) join_.record(now - c.t_reg_ns);
      last_join_ns_ = now;
      break;
    case Role::Churner:
      c.t0_ns = now;
      holding_.push_back(c.slot);
      break;
    case Role::Publisher:
      break;
  }
  setup_finished(c);
}

void Worker::failed(Client& c, Stage stage, std::string_view why) {
  if (c.role == Role::Churner) {
    ++counters_.churn_errors;
  } else if (c.state == State::Handshake) {
    if (stage == Stage::Join) {
      ++counters_.join_errors;
    } else {
      ++counters_.register_errors;
    }
  } else {
    ++counters_.closed_unexpected;
  }
  note_error(fmt::format("{} refused: {}", stage == Stage::Join ? "join" : stage == Stage::Register ? "registration" : "session", why));
  c.close_requested = true;
}

void Worker::delivery(Client& c, std::string_view text) {
  switch (c.role) {
    case Role::Churner: ++counters_.churn_received; return;
    case Role::Slow:
    case Role::Publisher: return;
    case Role::Member: break;
  }
  if (phase_ >= Phase::Reopen) {
    ++counters_.late;  // past the deadline: not a delivery the run waited for
    return;
  }
  const auto p = parse_payload(text);
  if (!p || p->sender >= plan_.members || plan_.room_of(p->sender) != c.room) {
    ++counters_.foreign;
    if (counters_.foreign == 1) note_error(fmt::format("unexpected message text: {:.80}", text));
    return;
  }
  ++counters_.received;
  ++c.received;
  counters_.last_delivery_ns = now_ns_;
  switch (c.seqs.on_message(plan_.position_of(p->sender), p->seq)) {
    case SeqOutcome::InOrder: break;
    case SeqOutcome::Gap: ++counters_.gaps; break;
    case SeqOutcome::Late: ++counters_.out_of_order; break;
    case SeqOutcome::Duplicate: ++counters_.duplicated; break;
  }
  if (p->sent_ns >= measure_start_ns_ && now_ns_ >= p->sent_ns) latency_.record(now_ns_ - p->sent_ns);
}

void Worker::queue(Client& c, std::string_view bytes) {
  c.pending.append(bytes);
  arm(c);
}

void Worker::arm(Client& c) {
  if (c.want || !c.in_reactor) return;
  c.want = true;
  reactor_->want_send(token(c));
}

std::size_t Worker::gather(io::Token t, std::span<iovec> out) {
  Client* cp = lookup(t);
  if (!cp || out.empty()) return 0;
  Client& c = *cp;
  c.want = false;
  if (c.inflight_bytes) return 0;  // one gathered block at a time
  if (c.off == c.sending.size()) refill(c);
  if (c.off == c.sending.size()) return 0;
  out[0].iov_base = c.sending.data() + c.off;
  out[0].iov_len = c.sending.size() - c.off;
  c.inflight_bytes = out[0].iov_len;
  return 1;
}

void Worker::refill(Client& c) {
  c.sending.clear();
  c.off = 0;
  if (!c.tls) {
    c.sending.swap(c.pending);
    return;
  }
  if (c.tls->ready() && !c.pending.empty()) {
    c.tls->write(c.pending);
    c.pending.clear();
  }
  c.tls->take_output(c.sending);
}

void Worker::on_sent(io::Token t, std::size_t bytes) {
  Client* cp = lookup(t);
  if (!cp) return;
  Client& c = *cp;
  c.off = std::min(c.off + bytes, c.sending.size());
  c.inflight_bytes = 0;
  if (c.off < c.sending.size() || !c.pending.empty() || (c.tls && c.tls->has_output())) {
    c.want = false;
    arm(c);
  }
}

// ---------------------------------------------------------------- load

void Worker::send_message(Client& s, std::uint64_t stamp_ns) {
  if (s.state != State::Joined) return;
  Client* conn = &s;
  if (plan_.dialect->separate_publishers()) {
    if (publishers_.empty()) return;
    conn = &clients_[publishers_[s.id % publishers_.size()]];
    if (conn->state != State::Joined) return;
  }
  payload_.clear();
  append_payload(payload_, Payload{s.id, s.seq++, stamp_ns}, cfg_.size);
  plan_.dialect->format_message(conn->wire, plan_.room_names[s.room], payload_, conn->pending);
  arm(*conn);
  ++counters_.sent;
  if (stamp_ns >= measure_start_ns_) ++counters_.sent_measured;
  const std::int32_t readers = shared_.room_readers[s.room].load(std::memory_order_relaxed);
  const std::int32_t self = plan_.dialect->echoes_to_sender() || !s.reader_counted ? 0 : 1;
  if (readers > self) counters_.expected += static_cast<std::uint64_t>(readers - self);
}

void Worker::drive_sends(std::uint64_t now) {
  if (!sending_) return;
  // Open loop: every message due by now goes out, stamped with the time
  // it was due, whether or not the server keeps up.
  while (next_send_ns_ <= now && next_send_ns_ < send_end_ns_) {
    for (std::size_t tries = 0; tries < senders_.size(); ++tries) {
      Client& s = clients_[senders_[next_sender_]];
      next_sender_ = (next_sender_ + 1) % senders_.size();
      if (s.state == State::Joined) {
        send_message(s, next_send_ns_);
        break;
      }
    }
    next_send_ns_ += send_interval_ns_;
  }
  if (next_send_ns_ >= send_end_ns_ || now >= send_end_ns_) {
    sending_ = false;
    send_done_ = true;
  }
}

void Worker::drive_churn(std::uint64_t now) {
  if (churn_interval_ns_) {
    while (next_churn_ns_ <= now && next_churn_ns_ < send_end_ns_) {
      const std::uint32_t id = plan_.members + index_ + plan_.threads * churn_count_++;
      Client& c = new_client(Role::Churner, id);
      c.room = plan_.room_of(id);
      ++counters_.churn_started;
      start_connect(c, now);
      next_churn_ns_ += churn_interval_ns_;
    }
  }
  for (std::size_t i = 0; i < holding_.size();) {
    Client& c = clients_[holding_[i]];
    if (c.state != State::Joined) {
      holding_[i] = holding_.back();
      holding_.pop_back();
      continue;
    }
    if (now - c.t0_ns < churn_hold_ns_) {
      ++i;
      continue;
    }
    plan_.dialect->format_quit(c.wire, c.pending);
    arm(c);
    c.state = State::Quitting;
    holding_[i] = holding_.back();
    holding_.pop_back();
  }
}

}  // namespace chatd::loadgen
