#include "shard/mailbox.hpp"

namespace chatd::shard {
namespace {
constexpr std::size_t kQueueCapacity = 8192;         // between shards: the fan-out path
constexpr std::size_t kServiceQueueCapacity = 1024;  // to and from the store and hashers: overflow absorbs bursts
}

Mesh::Mesh(unsigned shards, unsigned services)
    : count(shards), size(shards + services), boxes(shards + services, nullptr) {
  queues.resize(static_cast<std::size_t>(size) * size);
  for (unsigned f = 0; f < size; ++f)
    for (unsigned t = 0; t < size; ++t)
      if (f != t && (f < shards || t < shards))
        queues[f * size + t] = std::make_unique<SpscQueue<Envelope>>(
            f < shards && t < shards ? kQueueCapacity : kServiceQueueCapacity);
}

Mailbox::Mailbox(Mesh& mesh, unsigned index, io::Reactor& reactor)
    : mesh_(mesh), index_(index), reactor_(reactor), overflow_(mesh.size), need_wake_(mesh.size, false) {
  mesh_.boxes[index] = this;
}

void Mailbox::post(unsigned to, Envelope&& e) {
  e.from = static_cast<std::uint16_t>(index_);
  if (to == index_) {
    local_.push_back(std::move(e));
    return;
  }
  need_wake_[to] = true;
  // FIFO per destination: once something waits in overflow, all later items do.
  if (!overflow_[to].empty() || !mesh_.queue(index_, to).try_push(std::move(e)))
    overflow_[to].push_back(std::move(e));
}

bool Mailbox::has_overflow() const {
  for (auto& q : overflow_)
    if (!q.empty()) return true;
  return false;
}

void Mailbox::flush() {
  for (unsigned to = 0; to < mesh_.size; ++to) {
    auto& q = overflow_[to];
    // What moves from overflow into the queue needs a wake like any post:
    // the consumer may have gone to sleep since the item was posted.
    if (!q.empty() && mesh_.queue(index_, to).try_push(std::move(q.front()))) {
      q.pop_front();
      need_wake_[to] = true;
    }
    while (!q.empty() && mesh_.queue(index_, to).try_push(std::move(q.front()))) q.pop_front();
  }
  // One wake check per destination per pass, not per item.
  for (unsigned to = 0; to < mesh_.size; ++to) {
    if (!need_wake_[to]) continue;
    need_wake_[to] = false;
    mesh_.boxes[to]->wake_if_sleeping();
  }
}

bool Mailbox::prepare_to_sleep() {
  // Dekker with wake_if_sleeping(): this seq_cst store comes before our last
  // look at the queues; the producer's seq_cst exchange comes after its
  // push. In the single total order of seq_cst operations one of the two is
  // first, so either we see its item here or it sees us asleep and wakes us.
  sleeping_.store(true, std::memory_order_seq_cst);
  for (unsigned f = 0; f < mesh_.size; ++f)
    if (mesh_.linked(f, index_) && !mesh_.queue(f, index_).empty_approx()) return true;
  return false;
}

void Mailbox::wake_if_sleeping() {
  if (sleeping_.exchange(false, std::memory_order_seq_cst)) reactor_.wake();
}

std::size_t Mailbox::inbound_depth() const {
  std::size_t n = 0;
  for (unsigned f = 0; f < mesh_.size; ++f)
    if (mesh_.linked(f, index_)) n += mesh_.queue(f, index_).size_approx();
  return n;
}

}  // namespace chatd::shard
