// Shard::Host: a Session's requests become mail to the shard that owns the
// nickname or room concerned (possibly this one).
#include <algorithm>

#include "chat/sanitize.hpp"
#include "io/clock.hpp"
#include "shard/shard_host.hpp"

namespace chatd::shard {

Envelope Shard::Host::to_owner(Envelope::Kind kind) const {
  Envelope e;
  e.kind = kind;
  e.conn = c_.token;
  return e;
}

void Shard::Host::claim_nick(std::string_view nick) {
  Envelope e = to_owner(Envelope::Kind::NickClaim);
  e.name = chat::fold_case(nick);
  const unsigned to = s_.owner(e.name);
  s_.mailbox_.post(to, std::move(e));
}

void Shard::Host::release_nick() {
  Envelope e = to_owner(Envelope::Kind::NickRelease);
  e.name = chat::fold_case(c_.session.nick());
  const unsigned to = s_.owner(e.name);
  s_.mailbox_.post(to, std::move(e));
}

void Shard::Host::create_room(std::string_view room) {
  // Per connection here (no lock); per address at the owner, which charges
  // only rooms that really get created (a thousand clients of one address
  // asking for the same existing room create nothing).
  if (!c_.room_creations.admit(s_.lim_.rooms_per_minute, s_.now_ms_)) {
    // Answered through our own mailbox: the session awaits a result.
    Envelope e = to_owner(Envelope::Kind::CreateResult);
    e.created = chat::CreateStatus::RateLimited;
    s_.mailbox_.post(s_.index_, std::move(e));
    return;
  }
  Envelope e = to_owner(Envelope::Kind::Create);
  e.name = std::string(room);
  e.text = c_.ip;  // for the per-address cap
  s_.mailbox_.post(s_.owner(room), std::move(e));
}

void Shard::Host::join_room(std::string_view room) {
  Envelope e = to_owner(Envelope::Kind::Join);
  e.name = std::string(room);
  e.nick = c_.session.nick();
  s_.mailbox_.post(s_.owner(room), std::move(e));
}

void Shard::Host::leave_room(std::uint32_t room_id, std::string_view room, chat::LeaveKind kind) {
  s_.remove_member(c_);
  Envelope e = to_owner(Envelope::Kind::Leave);
  e.leave = kind;
  e.room_id = room_id;
  e.nick = c_.session.nick();
  s_.mailbox_.post(s_.owner(room), std::move(e));
}

void Shard::Host::publish(std::uint32_t room_id, std::string_view text) {
  // The event is made once here; each member shard renders it once per
  // dialect and every recipient there shares those bytes.
  Envelope e = to_owner(Envelope::Kind::Publish);
  e.room_id = room_id;
  e.event = EventRef(SharedEvent::create(chat::EventKind::Message, c_.session.nick(), c_.session.room(), text,
                                         io::coarse_wall_ms()));
  s_.stats_.messages_in.fetch_add(1, std::memory_order_relaxed);
  s_.mailbox_.post(s_.owner(c_.session.room()), std::move(e));
}

void Shard::Host::list_rooms(std::string_view filter, std::size_t page) {
  // A page at a time, whatever the number of rooms: the reply stays under
  // rooms-page-size names of at most 64 characters.
  const std::size_t size = s_.lim_.rooms_page_size > 0 ? s_.lim_.rooms_page_size : 1;
  const std::uint32_t want = static_cast<std::uint32_t>(std::clamp<std::size_t>(page, 1, 0xffffffffu));
  std::vector<std::string> scratch;
  const RoomCatalog::Page p = s_.catalog_.page(chat::fold_case(filter), std::size_t{want - 1} * size, size, scratch);
  chat::Event e = chat::Event::of(chat::EventKind::RoomList);
  e.names = p.names;
  e.number = p.total;
  e.text = filter;
  e.page = want;
  e.page_size = static_cast<std::uint32_t>(size);
  e.flag = page != 0 || !filter.empty() || p.total > size;
  s_.emit(c_, e);
}

void Shard::Host::finish() {
  c_.reason = "quit";
  s_.finish(c_);
}

}  // namespace chatd::shard
