#include "shard/shared_event.hpp"

#include <cstring>
#include <new>

namespace chatd::shard {

SharedEvent* SharedEvent::create(chat::EventKind kind, std::string_view nick, std::string_view room,
                                 std::string_view text, std::int64_t time_ms) {
  const std::size_t size = nick.size() + room.size() + text.size();
  // Header and strings in one block: one malloc per event.
  void* mem = ::operator new(sizeof(SharedEvent) + size);
  auto* e = ::new (mem) SharedEvent(kind, static_cast<std::uint32_t>(nick.size()),
                                    static_cast<std::uint32_t>(room.size()),
                                    static_cast<std::uint32_t>(text.size()), time_ms);
  char* out = reinterpret_cast<char*>(e + 1);
  for (auto part : {nick, room, text}) {
    if (!part.empty()) std::memcpy(out, part.data(), part.size());
    out += part.size();
  }
  return e;
}

chat::Event SharedEvent::view() const {
  const char* p = data();
  chat::Event e = chat::Event::of(kind_);
  e.nick = {p, nick_len_};
  e.room = {p + nick_len_, room_len_};
  e.text = {p + nick_len_ + room_len_, text_len_};
  e.number = seq_;
  e.time_ms = time_ms_;
  if (kind_ == chat::EventKind::NickChanged) e.other = std::exchange(e.text, {});  // stored as the text
  return e;
}

void SharedEvent::release() {
  if (refs_.fetch_sub(1, std::memory_order_acq_rel) == 1) {
    this->~SharedEvent();
    ::operator delete(this);
  }
}

}  // namespace chatd::shard
