#pragma once
// A room event (message, join, leave, quit) as data, shared by every shard
// that has members in the room. Each member shard renders it once per
// dialect its members speak; no shard renders it once per member.
//
// Created by one shard, stamped with the room's sequence number by the
// room's owner while it still holds the only reference, then immutable and
// read by many. The count of *shard* references is atomic; within a shard,
// the rendered texts carry the per-member counts (see LocalText).
#include <atomic>
#include <cstdint>
#include <string_view>
#include <utility>

#include "chat/event.hpp"

namespace chatd::shard {

class SharedEvent {
 public:
  // One allocation holding the header and the strings; starts with one
  // shard reference, owned by the caller. `kind` is a room event: Message,
  // Joined, Left, Quit, TopicChanged, or NickChanged (text = the new nick).
  static SharedEvent* create(chat::EventKind kind, std::string_view nick, std::string_view room,
                             std::string_view text, std::int64_t time_ms);

  chat::Event view() const;
  std::uint64_t seq() const { return seq_; }
  chat::EventKind kind() const { return kind_; }
  // The owner's stamp of the room order; only before the event is shared.
  void set_seq(std::uint64_t seq) { seq_ = seq; }

  void add_shard_refs(std::uint32_t n) { refs_.fetch_add(n, std::memory_order_relaxed); }
  void release();  // drop one shard reference; frees at zero

  SharedEvent(const SharedEvent&) = delete;
  SharedEvent& operator=(const SharedEvent&) = delete;

 private:
  SharedEvent(chat::EventKind kind, std::uint32_t nick, std::uint32_t room, std::uint32_t text,
              std::int64_t time_ms)
      : kind_(kind), nick_len_(nick), room_len_(room), text_len_(text), time_ms_(time_ms) {}
  ~SharedEvent() = default;
  const char* data() const { return reinterpret_cast<const char*>(this + 1); }

  std::atomic<std::uint32_t> refs_{1};
  chat::EventKind kind_;
  std::uint32_t nick_len_, room_len_, text_len_;
  std::uint64_t seq_ = 0;
  std::int64_t time_ms_;
};

// One shard reference to a SharedEvent, as a value: moving hands it on,
// destruction releases it (mail dropped at shutdown frees its events).
// Owned by whichever thread holds it; handed between threads by the queues.
class EventRef {
 public:
  EventRef() = default;
  explicit EventRef(SharedEvent* e) : e_(e) {}
  EventRef(EventRef&& o) noexcept : e_(std::exchange(o.e_, nullptr)) {}
  EventRef& operator=(EventRef&& o) noexcept {
    if (this != &o) {
      if (e_) e_->release();
      e_ = std::exchange(o.e_, nullptr);
    }
    return *this;
  }
  EventRef(const EventRef&) = delete;
  EventRef& operator=(const EventRef&) = delete;
  ~EventRef() {
    if (e_) e_->release();
  }
  SharedEvent* get() const { return e_; }
  SharedEvent* operator->() const { return e_; }
  explicit operator bool() const { return e_ != nullptr; }
  // Another shard reference for another holder.
  EventRef share() const {
    e_->add_shard_refs(1);
    return EventRef(e_);
  }

 private:
  SharedEvent* e_ = nullptr;
};

}  // namespace chatd::shard
