// Rooms beyond joining and talking: history, topics and member lists —
// the Host's requests, the owner's answers, and their rendering here.
#include <algorithm>

#include "chat/sanitize.hpp"
#include "io/clock.hpp"
#include "shard/shard_host.hpp"
#include "shard/store_service.hpp"

namespace chatd::shard {
namespace {

constexpr std::size_t kDefaultHistory = 20;

Envelope ask(Envelope::Kind kind, io::Token conn, std::uint32_t room_id) {
  Envelope e;
  e.kind = kind;
  e.conn = conn;
  e.room_id = room_id;
  return e;
}

}  // namespace

// ---------------------------------------------------------------- Host

void Shard::Host::request_history(std::uint32_t room_id, std::string_view room, std::size_t count) {
  Envelope e = ask(Envelope::Kind::HistoryAsk, c_.token, room_id);
  e.number = count;
  s_.mailbox_.post(s_.owner(room), std::move(e));
}

// Who is in the room is known where the members are: each shard is asked
// for its own (a rare command; the owner keeps no member list, so joins and
// leaves cost nothing extra), and the answers are put together here.
void Shard::Host::list_members(std::uint32_t room_id, std::string_view room) {
  // One /who at a time per connection: a repeat while the answer is being
  // put together is answered by that answer.
  auto [it, fresh] = s_.who_.try_emplace(c_.token);
  if (!fresh) return;
  auto& g = it->second;
  g.room = std::string(room);
  g.waiting = s_.ctx_.mesh.count;
  for (unsigned s = 0; s < s_.ctx_.mesh.count; ++s)
    s_.mailbox_.post(s, ask(Envelope::Kind::MembersAsk, c_.token, room_id));
}

void Shard::Host::topic(std::uint32_t room_id, std::string_view room, const std::string_view* text) {
  Envelope e = ask(Envelope::Kind::TopicAsk, c_.token, room_id);
  if (text) {
    e.ok = true;
    e.text = std::string(*text);
    e.nick = c_.session.nick();
  }
  s_.mailbox_.post(s_.owner(room), std::move(e));
}

// ---------------------------------------------------------------- owner

void Shard::own_history_ask(Envelope& e) {
  auto* room = rooms_.find(e.room_id);
  if (!room) return;
  const std::size_t want =
      std::min<std::size_t>(e.number ? e.number : kDefaultHistory, lim_.history_max_request);
  const auto& recent = room->recent;
  const std::size_t from_memory = std::min(want, recent.size());
  const std::uint64_t oldest_in_memory = recent.empty() ? room->last_message + 1 : recent.front()->seq();
  Envelope r;
  r.conn = e.conn;
  r.name = room->name;
  auto& events = r.extra().events;
  for (auto it = recent.end() - static_cast<std::ptrdiff_t>(from_memory); it != recent.end(); ++it)
    events.push_back(it->share());
  if (from_memory == want || oldest_in_memory <= 1 || !ctx_.store_history) {
    r.kind = Envelope::Kind::HistoryBatch;
    return mailbox_.post(e.from, std::move(r));
  }
  // Older than memory holds: the store adds them in front, off this thread.
  r.kind = Envelope::Kind::StoreHistory;
  r.reply_shard = e.from;
  r.number = oldest_in_memory;
  r.room_id = static_cast<std::uint32_t>(want - from_memory);  // how many more
  mailbox_.post(ctx_.store_index, std::move(r));
}

void Shard::own_topic_ask(Envelope& e) {
  auto* room = rooms_.find(e.room_id);
  if (!room) return;
  if (!e.ok) {
    Envelope r;
    r.kind = Envelope::Kind::TopicInfo;
    r.conn = e.conn;
    r.name = room->name;
    r.text = room->topic;
    return mailbox_.post(e.from, std::move(r));
  }
  room->topic = e.text;
  Envelope w;
  w.kind = Envelope::Kind::StoreWrite;
  w.write = static_cast<std::uint8_t>(WriteKind::SetTopic);
  w.name = room->name;
  w.text = e.text;
  mailbox_.post(ctx_.store_index, std::move(w));
  // Everyone sees the change, the setter included, in the room's order.
  fan_out(*room, EventRef(SharedEvent::create(chat::EventKind::TopicChanged, e.nick, room->name, e.text,
                                              io::coarse_wall_ms())),
          0, ctx_.mesh.count);
}

// Any shard: its own members of the room, for a /who gathered elsewhere.
void Shard::own_members_ask(Envelope& e) {
  Envelope r;
  r.kind = Envelope::Kind::MembersInfo;
  r.conn = e.conn;
  Payload& p = r.extra();
  if (e.room_id < local_rooms_.size())
    for (std::uint32_t slot : local_rooms_[e.room_id].members) {
      const Connection& c = conns_.live_at(slot);
      if (c.closing()) continue;
      p.names.push_back(c.session.nick());
      p.details.push_back(c.session.status());
      p.order.push_back(c.joined_at);
    }
  mailbox_.post(e.from, std::move(r));
}

// A member changed its nickname (nick = new, text = old): announced in the
// room's order.
void Shard::own_member_update(Envelope& e) {
  auto* room = rooms_.find(e.room_id);
  if (!room) return;
  fan_out(*room, EventRef(SharedEvent::create(chat::EventKind::NickChanged, e.text, room->name, e.nick,
                                              io::coarse_wall_ms())),
          e.conn, e.from);
}

// ---------------------------------------------------------------- member

void Shard::on_history_batch(Envelope& e) {
  Connection* c = find(e.conn);
  if (!c) return;
  const Payload& p = e.extra();
  if (p.stored.empty() && p.events.empty()) {
    chat::Event ev = chat::Event::of(chat::EventKind::HistoryEmpty);
    ev.room = e.name;
    return emit(*c, ev);
  }
  for (const store::StoredMessage& m : p.stored) {
    chat::Event ev = chat::Event::of(chat::EventKind::HistoryMessage);
    ev.nick = m.nick;
    ev.room = m.room;
    ev.text = m.text;
    ev.number = m.seq;
    ev.time_ms = m.time_ms;
    emit(*c, ev);
  }
  show_history(*c, p.events);
}

void Shard::show_history(Connection& c, const std::vector<EventRef>& events) {
  for (const EventRef& ref : events) {
    chat::Event ev = ref->view();
    ev.kind = chat::EventKind::HistoryMessage;
    emit(c, ev);
  }
}

void Shard::on_topic_info(Envelope& e) {
  Connection* c = find(e.conn);
  if (!c) return;
  chat::Event ev = chat::Event::of(chat::EventKind::Topic);
  ev.room = e.name;
  ev.text = e.text;
  emit(*c, ev);
}

void Shard::on_members_info(Envelope& e) {
  auto it = who_.find(e.conn);
  if (it == who_.end()) return;
  WhoGather& g = it->second;
  Payload& p = e.extra();
  for (std::size_t i = 0; i < p.names.size(); ++i)
    g.members.push_back({p.order[i], std::move(p.names[i]), std::move(p.details[i])});
  if (--g.waiting > 0) return;
  if (Connection* c = find(e.conn)) {
    // In the order they joined, whichever shard holds them.
    std::sort(g.members.begin(), g.members.end(),
              [](const WhoGather::Member& a, const WhoGather::Member& b) { return a.joined_at < b.joined_at; });
    std::vector<std::string> names, details;
    for (auto& m : g.members) {
      names.push_back(std::move(m.nick));
      details.push_back(std::move(m.status));
    }
    chat::Event ev = chat::Event::of(chat::EventKind::MemberList);
    ev.room = g.room;
    ev.names = names;
    ev.details = details;
    emit(*c, ev);
  }
  who_.erase(it);
}

}  // namespace chatd::shard
