#include "tls/cipher_buffer.hpp"

#include <algorithm>
#include <cstring>

namespace chatd::tls {

void CipherBuffer::append(std::span<const char> bytes) {
  while (!bytes.empty()) {
    if (head_ == chunks_.size() || chunks_.back().end == chunks_.back().cap) {
      // Dead chunks before head_ go once they are the larger part of the
      // list, so the list stays short without a move per consume.
      if (head_ > 0 && head_ * 2 >= chunks_.size()) {
        chunks_.erase(chunks_.begin(), chunks_.begin() + static_cast<std::ptrdiff_t>(head_));
        head_ = 0;
      }
      const std::size_t cap = std::max(kChunk, std::min(bytes.size(), std::size_t{1} << 20));
      chunks_.push_back(Chunk{std::make_unique_for_overwrite<char[]>(cap), static_cast<std::uint32_t>(cap), 0, 0});
    }
    Chunk& c = chunks_.back();
    const std::size_t n = std::min<std::size_t>(bytes.size(), c.cap - c.end);
    std::memcpy(c.data.get() + c.end, bytes.data(), n);
    c.end += static_cast<std::uint32_t>(n);
    size_ += n;
    bytes = bytes.subspan(n);
  }
}

std::span<const char> CipherBuffer::front() const {
  if (size_ == 0) return {};
  const Chunk& c = chunks_[head_];
  return {c.data.get() + c.begin, c.end - c.begin};
}

std::size_t CipherBuffer::gather(std::span<iovec> out) const {
  std::size_t n = 0;
  for (std::size_t i = head_; i < chunks_.size() && n < out.size(); ++i) {
    const Chunk& c = chunks_[i];
    if (c.end == c.begin) continue;
    out[n].iov_base = const_cast<char*>(c.data.get() + c.begin);
    out[n].iov_len = c.end - c.begin;
    ++n;
  }
  return n;
}

void CipherBuffer::consume(std::size_t n) {
  n = std::min(n, size_);
  size_ -= n;
  while (n > 0) {
    Chunk& c = chunks_[head_];
    const std::size_t left = c.end - c.begin;
    if (n < left) {
      c.begin += static_cast<std::uint32_t>(n);
      break;
    }
    n -= left;
    c.begin = c.end;
    if (head_ + 1 < chunks_.size()) {
      c.data.reset();  // a dead chunk keeps no memory while it waits to be erased
      c.cap = c.begin = c.end = 0;
      ++head_;
    }
  }
  if (size_ == 0) clear();
}

void CipherBuffer::clear() {
  // swap, not clear(): the list's own array goes too.
  std::vector<Chunk>().swap(chunks_);
  head_ = 0;
  size_ = 0;
}

std::size_t CipherBuffer::heap_bytes() const {
  std::size_t n = chunks_.capacity() * sizeof(Chunk);
  for (const Chunk& c : chunks_) n += c.cap;
  return n;
}

}  // namespace chatd::tls
