#include "shard/shared_text.hpp"

#include <cstring>
#include <new>

namespace chatd::shard {

SharedText* SharedText::create(std::span<const std::string_view> parts) {
  std::size_t size = 0;
  for (auto p : parts) size += p.size();
  // Header and bytes in one block: one malloc per message, not two.
  void* mem = ::operator new(sizeof(SharedText) + size);
  auto* t = ::new (mem) SharedText(static_cast<std::uint32_t>(size));
  char* out = t->data();
  for (auto p : parts) {
    if (!p.empty()) std::memcpy(out, p.data(), p.size());
    out += p.size();
  }
  return t;
}

void SharedText::release() {
  if (refs_.fetch_sub(1, std::memory_order_acq_rel) == 1) {
    this->~SharedText();
    ::operator delete(this);
  }
}

LocalText* LocalTextPool::adopt(SharedText* t, std::uint32_t refs) {
  if (!free_) {
    constexpr std::size_t kBlock = 256;
    auto& block = blocks_.emplace_back(kBlock);
    for (auto& l : block) {
      l.next_free = free_;
      free_ = &l;
    }
  }
  LocalText* l = free_;
  free_ = l->next_free;
  l->text = t;
  l->refs = refs;
  ++in_use_;
  return l;
}

void LocalTextPool::recycle(LocalText* l) {
  l->text->release();
  l->text = nullptr;
  l->next_free = free_;
  free_ = l;
  --in_use_;
}

}  // namespace chatd::shard
