#pragma once
// Formatted-once, immutable message bytes shared by every recipient.
//
// Reference counting is split so a delivery costs no atomic operation:
// SharedText counts, atomically, the *shards* holding it; on each shard a
// LocalText counts, plainly, that shard's queued references to it.
#include <atomic>
#include <cstdint>
#include <initializer_list>
#include <span>
#include <string_view>
#include <vector>

namespace chatd::shard {

// Created on any shard, read by many, freed by whichever shard drops the
// last shard reference. Immutable after create().
class SharedText {
 public:
  // One allocation holding the header and the bytes; starts with one
  // shard reference, owned by the caller.
  static SharedText* create(std::string_view text) { return create({text}); }
  static SharedText* create(std::initializer_list<std::string_view> parts) {
    return create(std::span<const std::string_view>(parts.begin(), parts.size()));
  }
  static SharedText* create(std::span<const std::string_view> parts);

  std::string_view view() const { return {data(), size_}; }
  std::uint32_t size() const { return size_; }
  void add_shard_refs(std::uint32_t n) { refs_.fetch_add(n, std::memory_order_relaxed); }
  void release();  // drop one shard reference; frees at zero

  SharedText(const SharedText&) = delete;
  SharedText& operator=(const SharedText&) = delete;

 private:
  explicit SharedText(std::uint32_t size) : size_(size) {}
  ~SharedText() = default;
  char* data() { return reinterpret_cast<char*>(this + 1); }
  const char* data() const { return reinterpret_cast<const char*>(this + 1); }

  std::atomic<std::uint32_t> refs_{1};
  std::uint32_t size_;
};

// One shard's hold on a SharedText: the plain count of that shard's queued
// references. Owned by one shard thread; pooled by LocalTextPool.
struct LocalText {
  SharedText* text = nullptr;
  std::uint32_t refs = 0;
  LocalText* next_free = nullptr;
};

// Free list of LocalText records so a delivery never calls malloc.
// Owned by one shard thread.
class LocalTextPool {
 public:
  LocalTextPool() = default;
  LocalTextPool(const LocalTextPool&) = delete;
  LocalTextPool& operator=(const LocalTextPool&) = delete;

  // Takes over one shard reference of `t` (the caller's).
  LocalText* adopt(SharedText* t, std::uint32_t refs);
  // Drops one local reference; at zero drops the shard reference.
  void unref(LocalText* l) {
    if (--l->refs == 0) recycle(l);
  }
  std::size_t in_use() const { return in_use_; }

 private:
  void recycle(LocalText* l);

  std::vector<std::vector<LocalText>> blocks_;
  LocalText* free_ = nullptr;
  std::size_t in_use_ = 0;
};

}  // namespace chatd::shard
