// The shard's loop, its timers, its shutdown, and the dispatch of mail.
#include "shard/shard.hpp"

#include <unistd.h>

#include <spdlog/spdlog.h>

#include "io/clock.hpp"
#include "shard/routing.hpp"

namespace chatd::shard {
namespace {
// Connection lines per shard per second; a churn beyond that is summarised.
constexpr std::uint32_t kConnectionLinesPerSecond = 200;
}  // namespace

Shard::Shard(ServerContext& ctx, unsigned index, std::unique_ptr<io::Reactor> reactor,
             std::vector<ShardListener> listeners)
    : ctx_(ctx),
      index_(index),
      reactor_(std::move(reactor)),
      listeners_(std::move(listeners)),
      mailbox_(ctx.mesh, index, *reactor_),
      rooms_(ctx.mesh.count),
      conn_log_(ctx.config.log_connections, kConnectionLinesPerSecond) {
  // Before the server says it is ready: the first clients already inherit the options.
  limits_generation_ = ctx_.live.generation();
  lim_ = ctx_.live.snapshot();
  tune_listeners();
}

Shard::~Shard() {
  std::vector<Connection*> left;
  conns_.for_each([&](Connection& c) { left.push_back(&c); });
  for (Connection* c : left) destroy(*c);
}

unsigned Shard::owner(std::string_view key) const { return owner_of(key, ctx_.mesh.count); }

// ---------------------------------------------------------------- loop

void Shard::run() {
  for (const ShardListener& l : listeners_) reactor_->add_listener(l.fd, static_cast<std::uint32_t>(l.kind));
  now_ms_ = io::coarse_now_ms();
  // Listening: the first heartbeat lets main send READY=1 without waiting
  // for an idle first pass (connections queue in the backlog meanwhile).
  stats_.heartbeat_ms.store(now_ms_, std::memory_order_relaxed);
  for (;;) {
    now_ms_ = io::coarse_now_ms();
    catch_up_limits();
    resume_accepting_when_due();
    if (!stopping_ && ctx_.stopping.load(std::memory_order_acquire)) begin_shutdown();
    if (stopping_ && shutdown_done()) break;

    int timeout = next_timeout_ms();
    if (timeout != 0 && (mailbox_.prepare_to_sleep() || ctx_.stopping.load(std::memory_order_relaxed)))
      timeout = 0;
    reactor_->run_once(*this, timeout);
    mailbox_.woke();

    now_ms_ = io::coarse_now_ms();
    // A reload may land while this shard sleeps or drains: mail sent after
    // it (a /history another shard read after the reload was logged) must
    // meet the new limits here too, as client data does in on_data.
    mailbox_.drain([this](Envelope&& e) {
      catch_up_limits();
      handle(std::move(e));
    });
    catch_up_limits();
    timers_.run_due(now_ms_, [this](io::Token t, TimerKind k) { on_timer(t, k); });
    reap();
    if (const auto n = conn_log_.take_suppressed(now_ms_))
      spdlog::info("shard {}: {} connection log line(s) left out in the last second (at most {}/s per shard)", index_,
                   n, kConnectionLinesPerSecond);
    mailbox_.flush();
    stats_.loops.fetch_add(1, std::memory_order_relaxed);
    stats_.heartbeat_ms.store(now_ms_, std::memory_order_relaxed);
  }
  conns_.for_each([this](Connection& c) {
    if (c.doomed()) return;
    c.reason = "server shutdown";
    doom(c);
  });
  reap();
  hand_over_mail();
}

// Mail still waiting in overflow lists (history writes to the store, above
// all) goes out before the thread ends: the services outlive the shards and
// drain their queues. Bounded, in case a queue never empties.
void Shard::hand_over_mail() {
  const std::uint64_t give_up_ms = io::coarse_now_ms() + 5000;
  mailbox_.flush();
  while (mailbox_.has_overflow() && io::coarse_now_ms() < give_up_ms) {
    ::usleep(1000);
    mailbox_.flush();
  }
  if (mailbox_.has_overflow()) spdlog::error("shard {}: mail left undelivered at shutdown", index_);
}

int Shard::next_timeout_ms() const {
  if (mailbox_.has_local_mail() || !doomed_.empty() || !slow_.empty()) return 0;
  if (mailbox_.has_overflow()) return 1;  // a peer's queue was full: retry soon
  int t = stopping_ ? 50 : 1000;
  if (!timers_.empty()) {
    const auto due = timers_.next_due_ms();
    t = due <= now_ms_ ? 0 : static_cast<int>(std::min<std::uint64_t>(due - now_ms_, t));
  }
  return t;
}

// A new snapshot of the live limits: only when a reload bumped their
// generation (catch_up_limits), not every pass.
void Shard::refresh_limits() {
  limits_generation_ = ctx_.live.generation();
  lim_ = ctx_.live.snapshot();
  if (lim_.tcp_keepalive_s != listener_keepalive_s_) tune_listeners();
}

void Shard::resume_accepting_when_due() {
  if (accept_paused_until_ms_ && now_ms_ >= accept_paused_until_ms_ && !stopping_) {
    accept_paused_until_ms_ = 0;
    reactor_->set_accepting(true);
  }
}

void Shard::begin_shutdown() {
  stopping_ = true;
  stop_deadline_ms_ = now_ms_ + ctx_.config.shutdown_timeout_s * 1000ull;
  reactor_->set_accepting(false);
  // Not a disconnect(): every room is going away, so no one is told of
  // anyone's departure; each client only hears that the server stops.
  const auto notice = chat::Event::error_of(chat::ErrorCode::ShuttingDown);
  conns_.for_each([&](Connection& c) {
    if (c.closing()) return;
    emit(c, notice);
    if (c.web_state) c.web_state->close_code = 1001;  // going away
    c.reason = "server shutdown";
    finish(c);
  });
}

bool Shard::shutdown_done() const { return conns_.size() == 0 || now_ms_ >= stop_deadline_ms_; }

// ---------------------------------------------------------------- timers

void Shard::on_timer(io::Token t, TimerKind kind) {
  Connection* c = find(t);
  if (!c) return;
  if (c->closing()) {
    if (kind == TimerKind::Linger) doom(*c);  // it had its chance to read
    return;
  }
  switch (kind) {
    case TimerKind::Linger:
      return;
    case TimerKind::Login:
      if (c->session.logging_in()) {
        stats_.limit_disconnects.fetch_add(1, std::memory_order_relaxed);
        disconnect(*c, chat::ErrorCode::LoginTimeout, "login timeout");
      }
      return;
    case TimerKind::Throttle:
      if (!c->throttled) return;
      if (lim_.flood_disconnect_s > 0 && now_ms_ - c->throttled_since_ms >= lim_.flood_disconnect_s * 1000ull) {
        c->stash.clear();
        stats_.limit_disconnects.fetch_add(1, std::memory_order_relaxed);
        disconnect(*c, chat::ErrorCode::Flood, "flood");
        return;
      }
      c->throttled = false;
      resume(*c);
      return;
    case TimerKind::IdleFlush:
      flush_idle_line(*c);
      return;
    case TimerKind::WebPing:
      web_ping(*c);
      return;
    case TimerKind::WebIdle:
      web_idle(*c);
      return;
    case TimerKind::TlsHandshake:
      tls_handshake_timeout(*c);
      return;
  }
}

// ---------------------------------------------------------------- mail

void Shard::handle(Envelope&& e) {
  using K = Envelope::Kind;
  switch (e.kind) {
    // Owner side: this shard owns the room or nickname named.
    case K::Publish: return own_publish(e);
    case K::NickClaim: return own_nick_claim(e);
    case K::NickRelease: return own_nick_release(e);
    case K::NickConfirm: return own_nick_confirm(e);
    case K::Create: return own_create(e);
    case K::Join: return own_join(e);
    case K::Leave: return own_leave(e);
    // Member side: answers and deliveries for this shard's connections.
    case K::Deliver: return deliver(e);
    case K::RoomAdded: return catalog_.add(e.room_id, std::move(e.name));
    case K::NickResult: return on_nick_result(e);
    case K::CreateResult: return on_create_result(e);
    case K::JoinResult: return on_join_result(e);
    // Rooms: history, topics, members.
    case K::HistoryAsk: return own_history_ask(e);
    case K::TopicAsk: return own_topic_ask(e);
    case K::MembersAsk: return own_members_ask(e);
    case K::MemberUpdate: return own_member_update(e);
    case K::HistoryBatch: return on_history_batch(e);
    case K::TopicInfo: return on_topic_info(e);
    case K::MembersInfo: return on_members_info(e);
    // Identity: the nickname owner's side, then the requester's.
    case K::AccountAsk: return own_account_ask(e);
    case K::AccountCreate: return own_account_create(e);
    case K::AccountSet: return own_account_set(e);
    case K::StoreAck: return own_store_ack(e);
    case K::PmSend: return own_pm_send(e);
    case K::WhoisAsk: return own_whois_ask(e);
    case K::AccountInfo: return on_account_info(e);
    case K::AccountDone: return on_account_done(e);
    case K::AuthResult: return on_auth_result(e);
    case K::PendingPms: return on_pending_pms(e);
    case K::PmDeliver: return on_pm_deliver(e);
    case K::PmResult: return on_pm_result(e);
    case K::WhoisLocal: return on_whois_local(e);
    case K::WhoisInfo: return on_whois_info(e);
    // Cluster: from this node's RedisLink, and between shards because of it.
    case K::ClusterWatched: return own_cluster_watched(e);
    case K::ClusterDeliver: return own_cluster_deliver(e);
    case K::ClusterLost: return own_cluster_notice(e, K::RoomNotice);
    case K::ClusterCreated: return own_cluster_created(e);
    case K::ClusterRoomAdded: return own_cluster_room_added(e);
    case K::ClusterNickClaimed: return own_cluster_nick_claimed(e);
    case K::ClusterPmIn: return own_cluster_pm_in(e);
    case K::ClusterFailed: return on_cluster_failed(e);
    case K::ClusterAccountFresh: return own_cluster_account_fresh(e);
    case K::RoomNotice: return on_room_notice(e);
    case K::ClusterPause: return own_cluster_notice(e, K::RoomPause);
    case K::RoomPause: return on_room_notice(e);
    case K::ClusterWatch:
    case K::ClusterPublish:
    case K::ClusterCreate:
    case K::ClusterNickClaim:
    case K::ClusterNickRelease:
    case K::ClusterPmSend:
    case K::ClusterAccountGet:
    case K::ClusterAccountWrite:
    case K::ClusterPmsTake:
    // For the services only.
    case K::StoreWrite:
    case K::StoreHistory:
    case K::StorePms:
    case K::AuthCheck:
    case K::AuthHash:
      return;
  }
}

}  // namespace chatd::shard
