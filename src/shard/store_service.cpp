#include "shard/store_service.hpp"

#include "io/clock.hpp"

#include <spdlog/spdlog.h>

#include "store/apply_dropping_rejected.hpp"
#include "store/store_error.hpp"

namespace chatd::shard {
namespace {

constexpr std::size_t kBatchMax = 4096;         // writes per transaction
constexpr std::size_t kBacklogMax = 200'000;    // pending writes before history is given up
constexpr std::uint64_t kRetryMs = 1000;        // after the database refused a batch
constexpr std::uint64_t kTrimEveryMs = 60'000;
constexpr std::uint64_t kWarnEveryMs = 10'000;  // at most one failure warning per this

store::Write to_write(Envelope& e) {
  switch (static_cast<WriteKind>(e.write)) {
    case WriteKind::AppendMessage: {
      const chat::Event v = e.event->view();
      return store::AppendMessage{{std::string(v.room), v.number, v.time_ms, std::string(v.nick), std::string(v.text)}};
    }
    case WriteKind::CreateRoom:
      return store::CreateRoom{std::move(e.name), static_cast<std::int64_t>(e.number), e.room_id};
    case WriteKind::SetTopic:
      return store::SetTopic{std::move(e.name), std::move(e.text)};
    case WriteKind::PutAccount:
      return store::PutAccount{e.extra().account};
    case WriteKind::SetPassword:
      return store::SetPassword{std::move(e.name), e.extra().hash};
    case WriteKind::SetStatus:
      return store::SetStatus{std::move(e.name), std::move(e.text)};
    case WriteKind::SetLastSeen:
      return store::SetLastSeen{std::move(e.name), static_cast<std::int64_t>(e.number)};
    case WriteKind::QueuePm:
      return store::QueuePm{std::move(e.name), std::move(e.nick), static_cast<std::int64_t>(e.number),
                            std::move(e.text)};
    case WriteKind::DeletePms:
      return store::DeletePms{std::move(e.name), e.number};
  }
  return store::DeletePms{};
}

}  // namespace

StoreService::StoreService(Mesh& mesh, unsigned index, std::unique_ptr<store::Store> store,
                           const LiveLimits& limits)
    : ServiceThread(mesh, index, "chatd-store"), store_(std::move(store)), limits_(limits) {}

void StoreService::handle(Envelope&& e) {
  switch (e.kind) {
    case Envelope::Kind::StoreWrite:
      return queue_write(std::move(e));
    case Envelope::Kind::StoreHistory:
      return answer_history(std::move(e));
    case Envelope::Kind::StorePms:
      return answer_pms(std::move(e));
    default:
      return;
  }
}

void StoreService::queue_write(Envelope&& e) {
  if (static_cast<WriteKind>(e.write) == WriteKind::AppendMessage &&
      broken_rooms_.count(std::string(e.event->view().room))) {
    stats_.dropped.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  if (pending_.empty()) first_pending_ms_ = io::coarse_now_ms();
  Envelope ack;
  const bool wants_ack = e.ok;
  if (wants_ack) {
    ack.kind = Envelope::Kind::StoreAck;
    ack.purpose = e.purpose;
    ack.reply_shard = e.reply_shard;
    ack.conn = e.conn;
    ack.name = e.name;
    ack.nick = e.nick;
    ack.payload = std::make_unique<Payload>();
    if (e.payload) {
      ack.payload->account = e.payload->account;
      ack.payload->hash = e.payload->hash;
    }
  }
  const unsigned to = e.from;
  pending_.push_back(to_write(e));
  if (wants_ack) waiters_.push_back({pending_.size() - 1, std::move(ack)});
  if (wants_ack) waiters_.back().ack.number = to;  // where the ack goes
  stats_.pending.store(pending_.size(), std::memory_order_relaxed);
  if (pending_.size() > kBacklogMax) give_up("the write backlog passed its bound");
}

int StoreService::tick(std::uint64_t now_ms) {
  const Limits lim = limits_.snapshot();
  if (!pending_.empty() && now_ms >= retry_at_ms_) {
    const bool due = now_ms - first_pending_ms_ >= lim.history_flush_ms || !waiters_.empty() ||
                     pending_.size() >= kBatchMax;
    if (due) commit(now_ms);
  }
  if (now_ms >= next_trim_ms_) {
    next_trim_ms_ = now_ms + kTrimEveryMs;
    if (lim.history_keep > 0 || lim.history_max_age_s > 0) {
      const std::int64_t oldest =
          lim.history_max_age_s > 0 ? io::coarse_wall_ms() - std::int64_t{lim.history_max_age_s} * 1000 : 0;
      try {
        if (auto n = store_->trim(lim.history_keep, oldest)) spdlog::debug("store: trimmed {} messages", n);
      } catch (const store::StoreError& err) {
        spdlog::warn("store: trimming history failed: {}", err.what());
      }
    }
  }
  if (pending_.empty()) return 1000;
  if (now_ms < retry_at_ms_) return static_cast<int>(retry_at_ms_ - now_ms);
  const std::uint64_t due = first_pending_ms_ + lim.history_flush_ms;
  return due > now_ms ? static_cast<int>(due - now_ms) : 0;
}

void StoreService::commit(std::uint64_t now_ms) {
  if (pending_.empty() || now_ms < retry_at_ms_) return;
  const std::size_t n = std::min(pending_.size(), kBatchMax);
  const std::span<const store::Write> batch(pending_.data(), n);
  std::vector<store::Rejection> rejected;
  try {
    rejected = store::apply_dropping_rejected(*store_, batch);
  } catch (const store::StoreError& err) {
    stats_.failures.fetch_add(1, std::memory_order_relaxed);
    if (now_ms - last_warning_ms_ >= kWarnEveryMs) {
      last_warning_ms_ = now_ms;
      spdlog::error("store: cannot commit {} writes ({}); chat goes on, history and account changes wait; "
                    "retrying every {} ms", n, err.what(), kRetryMs);
    }
    retry_at_ms_ = now_ms + kRetryMs;
    // Account changes are not left hanging: their requesters hear that
    // nothing changed, and the writes are withdrawn.
    std::vector<bool> withdraw(pending_.size(), false);
    for (auto& w : waiters_) {
      withdraw[w.index] = true;
      answer(w, chat::AccountStatus::Unavailable);
    }
    waiters_.clear();
    std::size_t keep = 0;
    for (std::size_t i = 0; i < pending_.size(); ++i) {
      if (withdraw[i]) continue;
      // Never onto itself: a variant moved onto itself is left empty.
      if (keep != i) pending_[keep] = std::move(pending_[i]);
      ++keep;
    }
    pending_.resize(keep);
    stats_.pending.store(pending_.size(), std::memory_order_relaxed);
    return;
  }
  if (retry_at_ms_) spdlog::info("store: commits work again");
  retry_at_ms_ = 0;
  std::vector<bool> refused(n, false);
  for (auto& r : rejected) {
    refused[r.index] = true;
    if (now_ms - last_warning_ms_ >= kWarnEveryMs) {
      last_warning_ms_ = now_ms;
      spdlog::warn("store: write refused ({} in this batch): {}", rejected.size(), r.reason);
    }
  }
  stats_.committed.fetch_add(n - rejected.size(), std::memory_order_relaxed);
  stats_.dropped.fetch_add(rejected.size(), std::memory_order_relaxed);
  stats_.batches.fetch_add(1, std::memory_order_relaxed);
  std::vector<Waiter> later;
  for (auto& w : waiters_) {
    if (w.index >= n) {
      w.index -= n;
      later.push_back(std::move(w));
      continue;
    }
    answer(w, refused[w.index] ? chat::AccountStatus::AlreadyRegistered : chat::AccountStatus::Ok);
  }
  waiters_ = std::move(later);
  pending_.erase(pending_.begin(), pending_.begin() + static_cast<std::ptrdiff_t>(n));
  first_pending_ms_ = now_ms;
  stats_.pending.store(pending_.size(), std::memory_order_relaxed);
}

void StoreService::answer(Waiter& w, chat::AccountStatus status) {
  const auto to = static_cast<unsigned>(w.ack.number);
  w.ack.number = 0;
  w.ack.account_status = status;
  post(to, std::move(w.ack));
}

// The backlog is over its bound (the disk is gone or far too slow): the
// room messages waiting are dropped, and those rooms stop recording until
// a restart, so that what is stored stays a prefix of each room's order.
void StoreService::give_up(const std::string& why) {
  std::size_t kept = 0, dropped = 0;
  std::vector<std::size_t> new_index(pending_.size());
  for (std::size_t i = 0; i < pending_.size(); ++i) {
    if (auto* m = std::get_if<store::AppendMessage>(&pending_[i])) {
      broken_rooms_.insert(m->message.room);
      ++dropped;
      continue;
    }
    new_index[i] = kept;
    if (kept != i) pending_[kept] = std::move(pending_[i]);  // never onto itself
    ++kept;
  }
  pending_.resize(kept);
  for (auto& w : waiters_) w.index = new_index[w.index];
  stats_.dropped.fetch_add(dropped, std::memory_order_relaxed);
  stats_.pending.store(pending_.size(), std::memory_order_relaxed);
  spdlog::error("store: {}: dropped {} messages; {} rooms record no history until a restart", why, dropped,
                broken_rooms_.size());
}

void StoreService::answer_history(Envelope&& e) {
  commit(io::coarse_now_ms());  // what was said before the request is in the answer
  Envelope r;
  r.kind = Envelope::Kind::HistoryBatch;
  r.conn = e.conn;
  r.name = e.name;
  Payload& p = r.extra();
  try {
    p.stored = store_->history(e.name, e.number, e.room_id);
  } catch (const store::StoreError& err) {
    spdlog::warn("store: reading the history of a room failed: {}", err.what());
  }
  if (e.payload) p.events = std::move(e.payload->events);
  post(e.reply_shard, std::move(r));
}

void StoreService::answer_pms(Envelope&& e) {
  commit(io::coarse_now_ms());
  Envelope r;
  r.kind = Envelope::Kind::PendingPms;
  r.conn = e.conn;
  r.name = e.name;
  try {
    r.extra().pms = store_->pending_pms(e.name);
  } catch (const store::StoreError& err) {
    spdlog::warn("store: reading queued private messages failed: {}", err.what());
  }
  post(e.from, std::move(r));
}

void StoreService::drain() {
  // Everything, batch after batch, unless the database refuses.
  while (!pending_.empty()) {
    const std::size_t before = pending_.size();
    retry_at_ms_ = 0;
    commit(io::coarse_now_ms());
    if (pending_.size() >= before) break;
  }
  if (!pending_.empty()) spdlog::error("store: {} writes could not be committed before stopping", pending_.size());
}

}  // namespace chatd::shard
