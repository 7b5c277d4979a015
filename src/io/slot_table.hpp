#pragma once
// SlotTable<T>: the objects a reactor's owner addresses by Token (its
// connections), in a dense table. Slots are reused through a free list so
// reactors can keep per-slot state in a vector; every reuse bumps the slot's
// generation, so a Token of an erased object finds nothing rather than its
// successor (late callbacks and timers for it are harmless).
#include <cstddef>
#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

#include "io/reactor.hpp"

namespace chatd::io {

// Single-threaded: used only by the thread that owns it (a shard, the
// metrics server, a load-generator worker), like the reactor it feeds.
template <class T>
class SlotTable {
 public:
  // Takes a free slot (or a new one), constructs T(token, args...) there and
  // returns it. The object is heap-held: references to it stay valid until
  // it is erased, whatever is emplaced meanwhile.
  template <class... A>
  T& emplace(A&&... args) {
    std::uint32_t slot;
    if (!free_.empty()) {
      slot = free_.back();
      free_.pop_back();
    } else {
      slot = static_cast<std::uint32_t>(slots_.size());
      slots_.emplace_back();
    }
    // Generation 0 is never live, so Token{} (0) names nothing.
    std::uint32_t generation = slots_[slot].generation + 1;
    if (generation == 0) generation = 1;
    std::unique_ptr<T> object;
    try {
      object = std::make_unique<T>(make_token(slot, generation), std::forward<A>(args)...);
    } catch (...) {
      free_.push_back(slot);
      throw;
    }
    Slot& s = slots_[slot];  // looked up again: T's constructor may have used the table
    s.object = std::move(object);
    s.generation = generation;
    ++live_;
    return *s.object;
  }

  // The live object `t` names; nullptr once it was erased (or never existed).
  T* find(Token t) {
    const std::uint32_t slot = token_slot(t);
    if (slot >= slots_.size()) return nullptr;
    Slot& s = slots_[slot];
    return s.object && s.generation == token_generation(t) ? s.object.get() : nullptr;
  }
  const T* find(Token t) const { return const_cast<SlotTable*>(this)->find(t); }

  // The live object in `slot`, whatever its generation; nullptr if empty.
  T* at_slot(std::uint32_t slot) {
    return slot < slots_.size() ? slots_[slot].object.get() : nullptr;
  }
  const T* at_slot(std::uint32_t slot) const { return const_cast<SlotTable*>(this)->at_slot(slot); }

  // The live object in `slot`, unchecked: for hot loops over slots the
  // caller knows are live (a room's member list).
  T& live_at(std::uint32_t slot) { return *slots_[slot].object; }

  // Destroys the object `t` names and frees its slot for reuse; false (and
  // nothing happens) when `t` names nothing live.
  bool erase(Token t) {
    if (!find(t)) return false;
    const std::uint32_t slot = token_slot(t);
    // Moved out first: T's destructor may look the table up (or erase).
    std::unique_ptr<T> doomed = std::move(slots_[slot].object);
    free_.push_back(slot);
    --live_;
    return true;
  }

  // Live objects.
  std::size_t size() const { return live_; }
  bool empty() const { return live_ == 0; }
  // Slots ever used (live or free): the bound for at_slot.
  std::size_t slot_count() const { return slots_.size(); }

  // Calls f(T&) for every live object, in slot order. `f` may erase any
  // object (the one it was given only as its last use of it) and may
  // emplace; objects emplaced during the walk may or may not be visited.
  template <class F>
  void for_each(F&& f) {
    const std::size_t n = slots_.size();
    for (std::size_t i = 0; i < n; ++i)
      if (T* obj = slots_[i].object.get()) f(*obj);
  }
  template <class F>
  void for_each(F&& f) const {
    for (const Slot& s : slots_)
      if (s.object) f(static_cast<const T&>(*s.object));
  }

 private:
  struct Slot {
    std::unique_ptr<T> object;    // null: free
    std::uint32_t generation = 0;  // of the current (or last) occupant
  };

  std::vector<Slot> slots_;
  std::vector<std::uint32_t> free_;  // LIFO: a hot slot is reused first
  std::size_t live_ = 0;
};

}  // namespace chatd::io
