#pragma once
// A connection's unsent output: references to shared texts, oldest first.
// Owned by the connection's shard thread. Holds no memory while empty, so
// an idle connection costs nothing here.
#include <sys/uio.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

#include "shard/shared_text.hpp"

namespace chatd::shard {

class OutputQueue {
 public:
  OutputQueue() = default;
  OutputQueue(const OutputQueue&) = delete;
  OutputQueue& operator=(const OutputQueue&) = delete;

  void push(LocalText* l) {
    if (count_ == cap_) grow();
    ring_[(head_ + count_) & (cap_ - 1)] = l;
    ++count_;
    bytes_ += l->text->size();
  }

  bool empty() const { return count_ == 0; }
  std::size_t bytes() const { return bytes_ - offset_; }

  // Hands out the oldest entries; they stay pinned (see drop_unsent) until
  // the next consume() says the send that used them is over.
  std::size_t gather(std::span<iovec> out) {
    std::size_t n = count_ < out.size() ? count_ : out.size();
    pinned_ = static_cast<std::uint32_t>(n);
    for (std::size_t i = 0; i < n; ++i) {
      auto v = ring_[(head_ + i) & (cap_ - 1)]->text->view();
      std::size_t skip = i == 0 ? offset_ : 0;
      out[i].iov_base = const_cast<char*>(v.data() + skip);
      out[i].iov_len = v.size() - skip;
    }
    return n;
  }

  // `n` bytes were written: drop what is fully sent.
  void consume(std::size_t n, LocalTextPool& pool) {
    pinned_ = 0;  // that send is over; nothing of ours is in the kernel's hands
    while (n > 0 && count_ > 0) {
      LocalText* l = ring_[head_];
      std::size_t left = l->text->size() - offset_;
      if (n < left) {
        offset_ += static_cast<std::uint32_t>(n);
        return;
      }
      n -= left;
      pop(pool);
    }
    if (count_ == 0) shrink();
  }

  // Everything, sent or not. Only once no send can be in flight (after
  // Reactor::close).
  void clear(LocalTextPool& pool) {
    while (count_ > 0) pop(pool);
    pinned_ = 0;
    shrink();
  }

  // Drops what has not started to go out, keeping a partly sent line (so
  // the peer never sees half a line glued to the next) and whatever an
  // in-flight send was handed (the kernel may still be reading it).
  void drop_unsent(LocalTextPool& pool) {
    std::uint32_t keep = pinned_;
    if (offset_ > 0 && keep == 0) keep = 1;
    while (count_ > keep) {
      LocalText* l = ring_[(head_ + count_ - 1) & (cap_ - 1)];
      bytes_ -= l->text->size();
      --count_;
      pool.unref(l);
    }
    if (count_ == 0) {
      offset_ = 0;
      shrink();
    }
  }

 private:
  void pop(LocalTextPool& pool) {
    LocalText* l = ring_[head_];
    bytes_ -= l->text->size();
    offset_ = 0;
    head_ = (head_ + 1) & (cap_ - 1);
    --count_;
    pool.unref(l);
  }
  void grow() {
    std::uint32_t cap = cap_ ? cap_ * 2 : 4;
    auto ring = std::make_unique<LocalText*[]>(cap);
    for (std::uint32_t i = 0; i < count_; ++i) ring[i] = ring_[(head_ + i) & (cap_ - 1)];
    ring_ = std::move(ring);
    cap_ = cap;
    head_ = 0;
  }
  void shrink() {
    // Big rings came from a burst; give the memory back once drained.
    if (cap_ > 64) {
      ring_.reset();
      cap_ = 0;
    }
    head_ = 0;
  }

  std::unique_ptr<LocalText*[]> ring_;
  std::size_t bytes_ = 0;
  std::uint32_t cap_ = 0;
  std::uint32_t head_ = 0;
  std::uint32_t count_ = 0;
  std::uint32_t offset_ = 0;  // bytes of the oldest entry already sent
  std::uint32_t pinned_ = 0;  // oldest entries handed to a send not yet reported
};

}  // namespace chatd::shard
