// The owner's side of rooms: this shard owns some rooms (by hash of their
// names). It answers creations and joins, and puts each
// room's events in one order: stamped here, then handed to every shard with
// members in the room, one queue push per shard, through FIFO queues.
#include <spdlog/spdlog.h>

#include "io/clock.hpp"
#include "shard/shard.hpp"
#include "shard/store_service.hpp"

namespace chatd::shard {
namespace {

// History writes waiting in this shard's overflow list for the store
// thread's queue: past this, rooms stop recording (about 30 MB of mail).
constexpr std::size_t kStoreBacklogMax = 100'000;

Envelope answer(Envelope::Kind kind, const Envelope& request) {
  Envelope r;
  r.kind = kind;
  r.conn = request.conn;
  return r;
}

}  // namespace

void Shard::own_create(Envelope& e) {
  if (ctx_.cluster) {
    // Created in Redis (once, whichever node asks first); every node's
    // owner adds it when Redis announces it.
    Envelope c;
    c.kind = Envelope::Kind::ClusterCreate;
    c.name = std::move(e.name);
    c.conn = e.conn;
    c.reply_shard = e.from;
    return mailbox_.post(ctx_.link_index, std::move(c));
  }
  Envelope r = answer(Envelope::Kind::CreateResult, e);
  if (rooms_.find(e.name)) {
    r.created = chat::CreateStatus::Exists;
    mailbox_.post(e.from, std::move(r));
    return;
  }
  // Shared by every shard: many connections from one address do not
  // multiply the allowance.
  if (!ctx_.admission.admit_room_creation(e.text, lim_.rooms_per_ip_minute, now_ms_)) {
    r.created = chat::CreateStatus::RateLimited;
    mailbox_.post(e.from, std::move(r));
    return;
  }
  // Ids are dense (they index every shard's member table): only take one
  // when the room will exist.
  std::uint32_t id = ctx_.rooms.load(std::memory_order_relaxed);
  do {
    if (id >= lim_.max_rooms) {
      r.created = chat::CreateStatus::Limit;
      mailbox_.post(e.from, std::move(r));
      return;
    }
  } while (!ctx_.rooms.compare_exchange_weak(id, id + 1, std::memory_order_relaxed));
  rooms_.create(e.name, id);
  Envelope w;
  w.kind = Envelope::Kind::StoreWrite;
  w.write = static_cast<std::uint8_t>(WriteKind::CreateRoom);
  w.name = e.name;
  w.room_id = id;
  w.number = static_cast<std::uint64_t>(io::coarse_wall_ms());
  mailbox_.post(ctx_.store_index, std::move(w));
  for (unsigned s = 0; s < ctx_.mesh.count; ++s) {
    Envelope a;
    a.kind = Envelope::Kind::RoomAdded;
    a.room_id = id;
    a.name = e.name;
    mailbox_.post(s, std::move(a));
  }
  r.created = chat::CreateStatus::Created;
  mailbox_.post(e.from, std::move(r));
}

void Shard::own_join(Envelope& e) {
  if (ctx_.cluster) {
    // The first join here makes this node follow the room in Redis: the
    // join waits for the room's position and history, then goes on below.
    auto* room = rooms_.find(e.name);
    if (room && room->watch != RoomRegistry::Room::Watch::Live) {
      if (room->watch == RoomRegistry::Room::Watch::None) {
        room->watch = RoomRegistry::Room::Watch::Pending;
        Envelope w;
        w.kind = Envelope::Kind::ClusterWatch;
        w.name = room->name;
        w.number = std::max(lim_.history_on_join, lim_.history_max_request);
        mailbox_.post(ctx_.link_index, std::move(w));
      }
      cluster_joins_[room->name].push_back(std::move(e));
      return;
    }
  }
  Envelope r = answer(Envelope::Kind::JoinResult, e);
  r.name = e.name;
  if (auto* room = rooms_.find(e.name)) {
    rooms_.add_member(*room, e.from);
    announce(*room, chat::EventKind::Joined, e.nick, e.conn, e.from);
    r.ok = true;
    r.number = room->events;
    r.room_id = room->id;
    r.nick = std::move(e.nick);
    r.text = room->topic;
    // The newest messages, shown to the joiner before anything newer: this
    // answer travels ahead of every later delivery on the same queue.
    const std::size_t n = std::min<std::size_t>(lim_.history_on_join, room->recent.size());
    if (n > 0) {
      auto& events = r.extra().events;
      for (auto it = room->recent.end() - static_cast<std::ptrdiff_t>(n); it != room->recent.end(); ++it)
        events.push_back(it->share());
    }
  }
  mailbox_.post(e.from, std::move(r));
}

void Shard::own_leave(Envelope& e) {
  auto* room = rooms_.find(e.room_id);
  if (!room) return;
  // Announced before the count drops: a room at the bound stays quiet for
  // the leave as it was for the join.
  const auto kind = e.leave == chat::LeaveKind::Quit ? chat::EventKind::Quit : chat::EventKind::Left;
  announce(*room, kind, e.nick, e.conn, e.from);
  rooms_.remove_member(*room, e.from);
}

// A join, leave or quit notice to the room — unless the room is larger than
// room-notices-max (IRC's "auditorium": in a room of thousands, notices
// would be most of the traffic). It keeps its place in the order either way.
void Shard::announce(RoomRegistry::Room& room, chat::EventKind kind, std::string_view nick, io::Token exclude,
                     unsigned exclude_shard) {
  if (lim_.room_notices_max > 0 && rooms_.member_count(room) > lim_.room_notices_max) {
    ++room.events;
    return;
  }
  fan_out(room, EventRef(SharedEvent::create(kind, nick, room.name, {}, io::coarse_wall_ms())), exclude,
          exclude_shard);
}

void Shard::own_publish(Envelope& e) {
  if (auto* room = rooms_.find(e.room_id)) fan_out(*room, std::move(e.event), e.conn, e.from);
}

// Sends `event` to every shard with members in the room, `exclude` (the
// sender) left out on its shard. A message gets the room's next sequence
// number, joins the room's recent history and goes to the store; any other
// event carries the number of the message it follows.
void Shard::fan_out(RoomRegistry::Room& room, EventRef event, io::Token exclude, unsigned exclude_shard) {
  if (ctx_.cluster) {
    // Redis is the room's sequencer: the event comes back, numbered, to
    // every node following the room (this one too), then deliver_local.
    Envelope p;
    p.kind = Envelope::Kind::ClusterPublish;
    p.name = room.name;
    p.event = std::move(event);
    p.conn = exclude;
    p.reply_shard = static_cast<std::uint16_t>(exclude_shard);
    return mailbox_.post(ctx_.link_index, std::move(p));
  }
  ++room.events;
  if (event->kind() == chat::EventKind::Message)
    record(room, event);
  else
    event->set_seq(room.last_message);  // a notice: its place is after that message
  deliver_local(room, std::move(event), exclude, exclude_shard);
}

// One Deliver per shard of this node with members in the room.
void Shard::deliver_local(RoomRegistry::Room& room, EventRef event, io::Token exclude, unsigned exclude_shard) {
  for (unsigned s = 0; s < ctx_.mesh.count; ++s) {
    if (room.members_on[s] == 0) continue;
    Envelope d;
    d.kind = Envelope::Kind::Deliver;
    d.room_id = room.id;
    d.event = event.share();
    d.conn = s == exclude_shard ? exclude : 0;
    mailbox_.post(s, std::move(d));
  }
}

}  // namespace chatd::shard

namespace chatd::shard {

void Shard::record(RoomRegistry::Room& room, const EventRef& event) {
  event->set_seq(++room.last_message);
  room.recent.push_back(event.share());
  while (room.recent.size() > std::max(lim_.history_max_request, lim_.history_on_join)) room.recent.pop_front();
  if (!ctx_.store_history || !room.recording) return;
  if (mailbox_.overflow_size(ctx_.store_index) > kStoreBacklogMax) {
    // The store cannot keep up (or the disk is gone): rather than let the
    // backlog grow without bound, this room stops recording until a
    // restart, so that what is stored stays a prefix of its order.
    room.recording = false;
    stats_.history_dropped.fetch_add(1, std::memory_order_relaxed);
    spdlog::error("store: room '{}': {} writes behind; the room records no history until a restart", room.name,
                  mailbox_.overflow_size(ctx_.store_index));
    return;
  }
  Envelope w;
  w.kind = Envelope::Kind::StoreWrite;
  w.write = static_cast<std::uint8_t>(WriteKind::AppendMessage);
  w.event = event.share();
  mailbox_.post(ctx_.store_index, std::move(w));
}

}  // namespace chatd::shard
