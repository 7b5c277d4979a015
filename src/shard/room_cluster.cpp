// --cluster, the shards' side: a room's owner hears from this node's
// RedisLink (positions, numbered events, losses, creations, nickname
// claims, PMs from other nodes) and hands them on exactly as it hands on
// its own events without a cluster. Nothing here waits on Redis.
#include <spdlog/spdlog.h>

#include "io/clock.hpp"
#include "shard/shard.hpp"

namespace chatd::shard {

// A room this node did not know yet (created here or on another node):
// a local id, and every shard's /rooms learns it.
RoomRegistry::Room* Shard::add_room(const std::string& name) {
  if (auto* room = rooms_.find(name)) return room;
  std::uint32_t id = ctx_.rooms.load(std::memory_order_relaxed);
  do {
    if (id >= lim_.max_rooms) {
      spdlog::error("cluster: room '{}' exists in Redis but this node holds --max-rooms already", name);
      return nullptr;
    }
  } while (!ctx_.rooms.compare_exchange_weak(id, id + 1, std::memory_order_relaxed));
  RoomRegistry::Room& room = rooms_.create(name, id);
  for (unsigned s = 0; s < ctx_.mesh.count; ++s) {
    Envelope a;
    a.kind = Envelope::Kind::RoomAdded;
    a.room_id = id;
    a.name = name;
    mailbox_.post(s, std::move(a));
  }
  return &room;
}

void Shard::own_cluster_room_added(Envelope& e) { add_room(e.name); }

void Shard::own_cluster_created(Envelope& e) {
  if (e.created == chat::CreateStatus::Created || e.created == chat::CreateStatus::Exists) {
    if (!add_room(e.name)) e.created = chat::CreateStatus::Limit;
  }
  Envelope r;
  r.kind = Envelope::Kind::CreateResult;
  r.conn = e.conn;
  r.created = e.created;
  mailbox_.post(e.reply_shard, std::move(r));
}

// The link follows the room now: where it stands, its topic and newest
// messages. The joins that waited go on, in the order they came.
void Shard::own_cluster_watched(Envelope& e) {
  auto* room = rooms_.find(e.name);
  auto waiting = std::move(cluster_joins_[e.name]);
  cluster_joins_.erase(e.name);
  if (!room) return;
  if (e.ok) {
    room->watch = RoomRegistry::Room::Watch::Live;
    room->topic = e.text;
    room->recent.clear();
    if (e.payload)
      for (EventRef& ev : e.payload->events) room->recent.push_back(std::move(ev));
  } else {
    room->watch = RoomRegistry::Room::Watch::None;  // Redis unreachable: the next join asks again
  }
  for (Envelope& j : waiting) {
    if (e.ok) {
      own_join(j);
      continue;
    }
    Envelope r;
    r.kind = Envelope::Kind::JoinResult;
    r.conn = j.conn;
    r.name = j.name;
    mailbox_.post(j.from, std::move(r));
  }
}

// One of the room's events, numbered by Redis (seq = its offset), in the
// room's order: to this node's members as fan_out does on one node.
void Shard::own_cluster_deliver(Envelope& e) {
  auto* room = rooms_.find(e.name);
  if (!room) return;
  ++room->events;
  const chat::EventKind kind = e.event->kind();
  if (kind == chat::EventKind::Message) {
    room->last_message = e.event->seq();
    room->recent.push_back(e.event.share());
    while (room->recent.size() > std::max(lim_.history_max_request, lim_.history_on_join)) room->recent.pop_front();
  } else if (kind == chat::EventKind::TopicChanged) {
    room->topic = std::string(e.event->view().text);
  }
  deliver_local(*room, std::move(e.event), e.conn, e.reply_shard);
}

// The link's notices about a room — events that cannot be recovered
// (ClusterLost), chat across nodes paused or resumed (ClusterPause, ok =
// paused) — go to every local member in the room's order: they take the
// same queues as deliveries, so a "resumed" comes after what the gap fill
// delivered.
void Shard::own_cluster_notice(Envelope& e, Envelope::Kind to_members) {
  auto* room = rooms_.find(e.name);
  if (!room) return;
  for (unsigned s = 0; s < ctx_.mesh.count; ++s) {
    if (room->members_on[s] == 0) continue;
    Envelope n;
    n.kind = to_members;
    n.room_id = room->id;
    n.number = e.number;
    n.ok = e.ok;
    mailbox_.post(s, std::move(n));
  }
}

void Shard::on_room_notice(Envelope& e) {
  if (e.room_id >= local_rooms_.size()) return;
  chat::Event ev = e.kind == Envelope::Kind::RoomNotice
                       ? chat::Event::error_of(chat::ErrorCode::MessagesLost)
                       : chat::Event::of(e.ok ? chat::EventKind::ClusterPaused : chat::EventKind::ClusterResumed);
  ev.number = e.number;
  for (std::uint32_t slot : local_rooms_[e.room_id].members) {
    Connection& c = conns_.live_at(slot);
    if (c.closing()) continue;
    ev.room = c.session.room();
    emit(c, ev);
  }
}

// A message Redis did not take (down, or too slow): its sender hears it.
void Shard::on_cluster_failed(Envelope& e) {
  Connection* c = find(e.conn);
  if (!c || c->closing()) return;
  chat::Event ev = chat::Event::error_of(chat::ErrorCode::ClusterUnavailable);
  ev.text = e.text;
  emit(*c, ev);
}

// Redis said whether the nickname is free across nodes.
void Shard::own_cluster_nick_claimed(Envelope& e) {
  Envelope r;
  r.kind = Envelope::Kind::NickResult;
  r.conn = e.conn;
  r.purpose = e.purpose;
  r.name = e.name;
  r.ok = e.number != 0;  // a rename
  if (e.ok) {
    r.nick_status = chat::NickStatus::Ok;
    if (const store::Account* a = accounts_.find(e.name)) {
      // Held for this connection while it proves it owns the account.
      r.nick_status = chat::NickStatus::NeedsPassword;
      r.extra().hash = a->password_hash;
      r.extra().account.status = a->status;
    }
  } else {
    nicks_.release(e.name, {e.reply_shard, e.conn});
    r.nick_status = chat::NickStatus::Taken;
  }
  mailbox_.post(e.reply_shard, std::move(r));
}

// A PM from another node to a nickname held here.
void Shard::own_cluster_pm_in(Envelope& e) {
  const NickRegistry::Holder* h = nicks_.holder(e.name);
  if (!h || !h->confirmed) return;
  Envelope d;
  d.kind = Envelope::Kind::PmDeliver;
  d.conn = h->conn;
  d.nick = std::move(e.nick);
  d.text = std::move(e.text);
  d.number = e.number;
  mailbox_.post(h->shard, std::move(d));
}

}  // namespace chatd::shard
