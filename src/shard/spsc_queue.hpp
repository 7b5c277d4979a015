#pragma once
// Bounded lock-free single-producer/single-consumer FIFO: one producer
// thread calls try_push, one consumer thread calls drain. Nothing else.
#include <atomic>
#include <bit>
#include <cstddef>
#include <memory>
#include <new>
#include <utility>

namespace chatd::shard {

template <typename T>
class SpscQueue {
 public:
  explicit SpscQueue(std::size_t capacity)
      : mask_(std::bit_ceil(capacity < 2 ? 2 : capacity) - 1),
        // Not zeroed: untouched slots cost no memory until the queue fills.
        slots_(std::make_unique_for_overwrite<Slot[]>(mask_ + 1)) {}
  SpscQueue(const SpscQueue&) = delete;
  SpscQueue& operator=(const SpscQueue&) = delete;
  ~SpscQueue() {
    drain([](T&&) {}, static_cast<std::size_t>(-1));
  }

  // Producer only. False when full (the caller keeps the item and retries).
  bool try_push(T&& v) {
    const std::size_t tail = tail_.load(std::memory_order_relaxed);
    if (tail - head_cache_ > mask_) {
      head_cache_ = head_.load(std::memory_order_acquire);
      if (tail - head_cache_ > mask_) return false;
    }
    ::new (slots_[tail & mask_].bytes) T(std::move(v));
    tail_.store(tail + 1, std::memory_order_release);
    return true;
  }

  // Consumer only. Pops up to `max` items in order, calling f(T&&) on each;
  // returns how many. One acquire and one release per batch, not per item.
  template <typename F>
  std::size_t drain(F&& f, std::size_t max) {
    const std::size_t head = head_.load(std::memory_order_relaxed);
    std::size_t avail = tail_cache_ - head;
    if (avail == 0) {
      tail_cache_ = tail_.load(std::memory_order_acquire);
      avail = tail_cache_ - head;
      if (avail == 0) return 0;
    }
    const std::size_t n = avail < max ? avail : max;
    for (std::size_t i = 0; i < n; ++i) {
      T* item = std::launder(reinterpret_cast<T*>(slots_[(head + i) & mask_].bytes));
      f(std::move(*item));
      item->~T();
    }
    head_.store(head + n, std::memory_order_release);
    return n;
  }

  // Either side; a snapshot that may be stale by the time it is used.
  std::size_t size_approx() const {
    return tail_.load(std::memory_order_acquire) - head_.load(std::memory_order_acquire);
  }
  bool empty_approx() const { return size_approx() == 0; }
  std::size_t capacity() const { return mask_ + 1; }

 private:
  struct Slot {
    alignas(T) unsigned char bytes[sizeof(T)];
  };
  static constexpr std::size_t kLine = 64;  // keep the two ends off one cache line

  const std::size_t mask_;
  std::unique_ptr<Slot[]> slots_;
  alignas(kLine) std::atomic<std::size_t> tail_{0};
  std::size_t head_cache_ = 0;  // producer's view of head_
  alignas(kLine) std::atomic<std::size_t> head_{0};
  std::size_t tail_cache_ = 0;  // consumer's view of tail_
};

}  // namespace chatd::shard
