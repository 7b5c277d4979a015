#pragma once
// The shards' mail: one bounded SPSC queue per ordered pair of shards (the
// Mesh), and each shard's end of it (its Mailbox): posting with an overflow
// list, draining in batches, and the sleep/wake handshake.
#include <atomic>
#include <cstddef>
#include <deque>
#include <memory>
#include <vector>

#include "io/reactor.hpp"
#include "shard/envelope.hpp"
#include "shard/spsc_queue.hpp"

namespace chatd::shard {

class Mailbox;

// Built before the shard threads start and read-only afterwards (the
// queues themselves are SPSC: one producer thread, one consumer thread).
// Participants 0..count-1 are the shards; after them come the services
// (threads that do slow work for the shards: the store, password hashing),
// which talk to shards only, never to each other.
struct Mesh {
  Mesh(unsigned shards, unsigned services = 0);
  SpscQueue<Envelope>& queue(unsigned from, unsigned to) { return *queues[from * size + to]; }
  bool linked(unsigned from, unsigned to) const { return queues[from * size + to] != nullptr; }

  unsigned count;  // shards
  unsigned size;   // shards and services
  std::vector<std::unique_ptr<SpscQueue<Envelope>>> queues;  // size x size; null where unlinked
  std::vector<Mailbox*> boxes;                               // by participant
};

// One shard's end of the Mesh. Owned by its shard thread; other threads
// touch only `sleeping_`, through wake_if_sleeping().
class Mailbox {
 public:
  Mailbox(Mesh& mesh, unsigned index, io::Reactor& reactor);
  Mailbox(const Mailbox&) = delete;
  Mailbox& operator=(const Mailbox&) = delete;

  // Sends `e` to shard `to` (this shard too: then it is handled in this
  // pass's drain). Never blocks: a full queue keeps the item in a local
  // overflow list, FIFO per destination.
  void post(unsigned to, Envelope&& e);

  // Handles everything waiting: a batch from each peer's queue, then local
  // mail for a few rounds (handling may post more). `handle` takes Envelope&&.
  template <typename F>
  void drain(F&& handle);

  // End of pass: moves overflow into the queues, then wakes each shard
  // posted to since the last flush if it announced a nap.
  void flush();

  bool has_local_mail() const { return !local_.empty(); }
  std::size_t overflow_size(unsigned to) const { return overflow_[to].size(); }
  bool has_overflow() const;

  // The nap handshake. Announce the nap, then look at the inbound queues
  // once more: true means mail is already there (do not sleep). A producer
  // that pushed before seeing the flag is caught by that look; one that
  // pushes after it sees the flag in flush() and wakes us.
  bool prepare_to_sleep();
  void woke() { sleeping_.store(false, std::memory_order_relaxed); }

  // Items waiting in this shard's inbound queues (approximate; any thread).
  std::size_t inbound_depth() const;

 private:
  void wake_if_sleeping();  // called on the *destination's* mailbox by a producer

  static constexpr std::size_t kDrainBatch = 4096;
  static constexpr int kLocalRounds = 4;

  Mesh& mesh_;
  const unsigned index_;
  io::Reactor& reactor_;
  std::vector<Envelope> local_;
  std::vector<Envelope> local_batch_;
  std::vector<std::deque<Envelope>> overflow_;  // per destination, when its queue is full
  std::vector<bool> need_wake_;                 // per destination, since the last flush
  std::atomic<bool> sleeping_{false};
};

template <typename F>
void Mailbox::drain(F&& handle) {
  for (unsigned f = 0; f < mesh_.size; ++f)
    if (mesh_.linked(f, index_)) mesh_.queue(f, index_).drain(handle, kDrainBatch);
  // Local mail may beget local mail (an owner answering itself): a few
  // rounds here, the rest next pass.
  for (int round = 0; round < kLocalRounds && !local_.empty(); ++round) {
    local_batch_.clear();
    local_batch_.swap(local_);
    for (auto& e : local_batch_) handle(std::move(e));
  }
}

}  // namespace chatd::shard
