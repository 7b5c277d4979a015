#pragma once
// The one writer (and reader) of the store: shards post writes and reads
// to it over the mesh; it commits writes in batches, in order, in one
// transaction each, and answers reads. Nothing a shard does waits for it.
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_set>
#include <vector>

#include "shard/limits.hpp"
#include "shard/service_thread.hpp"
#include "store/store.hpp"

namespace chatd::shard {

// What a StoreWrite letter asks for (Envelope::write).
enum class WriteKind : std::uint8_t {
  AppendMessage,  // event: a Message event, stamped (room, seq, time, nick, text)
  CreateRoom,     // name = room, number = created ms, room_id = its place in the creation order
  SetTopic,       // name = room, text = topic
  PutAccount,     // payload.account
  SetPassword,    // name = folded, payload.hash
  SetStatus,      // name = folded, text = status
  SetLastSeen,    // name = folded, number = ms
  QueuePm,        // name = folded recipient, nick = sender, text, number = ms
  DeletePms,      // name = folded, number = up to id
};

// Figures for /metrics; written by the store thread, read by anyone.
struct StoreStats {
  std::atomic<std::uint64_t> committed{0};        // writes stored
  std::atomic<std::uint64_t> batches{0};
  std::atomic<std::uint64_t> failures{0};         // batches the database refused
  std::atomic<std::uint64_t> dropped{0};          // writes given up (backlog over its bound, or refused)
  std::atomic<std::uint64_t> pending{0};          // writes waiting for a commit
};

// Runs on its own thread (see ServiceThread); owns the Store.
class StoreService final : public ServiceThread {
 public:
  StoreService(Mesh& mesh, unsigned index, std::unique_ptr<store::Store> store, const LiveLimits& limits);
  const StoreStats& stats() const { return stats_; }

 private:
  // Someone waiting for the commit of pending write `index`.
  struct Waiter {
    std::size_t index;
    Envelope ack;  // a StoreAck, ready to send
  };

  void handle(Envelope&& e) override;
  int tick(std::uint64_t now_ms) override;
  void drain() override;

  void queue_write(Envelope&& e);
  void commit(std::uint64_t now_ms);
  void answer_history(Envelope&& e);
  void answer_pms(Envelope&& e);
  void answer(Waiter& w, chat::AccountStatus status);
  void give_up(const std::string& why);

  std::unique_ptr<store::Store> store_;
  const LiveLimits& limits_;
  std::vector<store::Write> pending_;  // in arrival order: committed in that order
  std::vector<Waiter> waiters_;
  std::unordered_set<std::string> broken_rooms_;  // history writes given up: no more until restart
  std::uint64_t first_pending_ms_ = 0;
  std::uint64_t retry_at_ms_ = 0;    // after a failed commit
  std::uint64_t next_trim_ms_ = 0;
  std::uint64_t last_warning_ms_ = 0;
  StoreStats stats_;
};

}  // namespace chatd::shard
