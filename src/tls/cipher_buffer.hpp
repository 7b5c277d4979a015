#pragma once
// Ciphertext waiting for the socket, oldest first, in chunks.
#include <sys/uio.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

namespace chatd::tls {

// Owned by one thread (its connection's shard). Bytes never move once
// appended, so a send (io_uring) may read pending() while more is appended;
// a consumed chunk is freed at once, and an empty buffer holds no memory:
// an idle connection costs nothing here however large its last burst was.
// consume() only moves an offset, so many small sends cost O(n) overall.
class CipherBuffer {
 public:
  CipherBuffer() = default;
  CipherBuffer(CipherBuffer&&) noexcept = default;
  CipherBuffer& operator=(CipherBuffer&&) noexcept = default;

  void append(std::span<const char> bytes);

  // The oldest contiguous run: all of it, unless a burst spans chunks.
  std::span<const char> front() const;
  // Up to out.size() runs, oldest first; returns how many were filled.
  std::size_t gather(std::span<iovec> out) const;
  void consume(std::size_t n);
  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  // Bytes of heap held (chunks and the chunk list), for tests and metrics.
  std::size_t heap_bytes() const;

 private:
  struct Chunk {
    std::unique_ptr<char[]> data;
    std::uint32_t cap = 0, begin = 0, end = 0;
  };
  // One chunk usually holds a whole flight: a full record is 16 KiB + 22.
  static constexpr std::size_t kChunk = 17 * 1024;

  void clear();

  std::vector<Chunk> chunks_;  // [head_, size) are live
  std::size_t head_ = 0;
  std::size_t size_ = 0;
};

}  // namespace chatd::tls
