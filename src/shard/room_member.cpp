// The member's side: rooms as this shard sees them (its local members),
// deliveries from the rooms' owners, and the owners' answers to this
// shard's sessions.
#include <array>

#include <spdlog/spdlog.h>

#include "shard/shard.hpp"
#include "shard/shard_host.hpp"

namespace chatd::shard {

void Shard::add_member(Connection& c, std::uint32_t room_id) {
  if (room_id >= local_rooms_.size()) local_rooms_.resize(room_id + 1);
  auto& m = local_rooms_[room_id].members;
  c.member_index = static_cast<std::uint32_t>(m.size());
  c.room_id = room_id;
  m.push_back(io::token_slot(c.token));
}

void Shard::remove_member(Connection& c) {
  if (c.member_index == kNotMember) return;
  auto& m = local_rooms_[c.room_id].members;
  const std::uint32_t moved = m.back();
  m[c.member_index] = moved;
  conns_.at_slot(moved)->member_index = c.member_index;
  m.pop_back();
  c.member_index = kNotMember;
}

// One room event for this shard's members: rendered once per dialect they
// speak (not once per member), each member queueing a reference.
void Shard::deliver(Envelope& e) {
  if (e.room_id >= local_rooms_.size()) return;
  const auto& members = local_rooms_[e.room_id].members;
  if (members.empty()) return;
  const chat::Event event = e.event->view();
  // Each rendering holds a guard reference while it is handed out.
  std::array<LocalText*, chat::kDialectCount> rendered{};
  std::uint64_t n = 0;
  for (std::uint32_t slot : members) {
    Connection& c = *conns_.at_slot(slot);
    if (c.token == e.conn || c.closing() || c.slow) continue;
    LocalText*& text = rendered[static_cast<std::size_t>(c.dialect)];
    if (!text) {
      scratch_.clear();
      chat::dialect(c.dialect).render(event, scratch_);
      text = texts_.adopt(SharedText::create(scratch_), 1);
    }
    queue_text(c, text);
    ++n;
  }
  for (LocalText* text : rendered)
    if (text) texts_.unref(text);
  stats_.deliveries.fetch_add(n, std::memory_order_relaxed);
}

void Shard::on_create_result(Envelope& e) {
  Connection* c = find(e.conn);
  if (!c) return;
  Host h(*this, *c);
  c->session.create_result(h, e.created);
  resume(*c);
}

void Shard::on_join_result(Envelope& e) {
  Connection* c = find(e.conn);
  if (!c || c->closing() || !c->session.awaiting()) {
    if (e.ok) {  // joined on the owner's books but gone here: undo it
      Envelope l;
      l.kind = Envelope::Kind::Leave;
      l.leave = chat::LeaveKind::Quit;
      l.room_id = e.room_id;
      l.conn = e.conn;
      l.nick = std::move(e.nick);
      mailbox_.post(owner(e.name), std::move(l));
    }
    return;
  }
  Host h(*this, *c);
  c->session.join_result(h, e.ok, e.room_id);
  if (e.ok) {
    if (!e.text.empty()) {
      chat::Event topic = chat::Event::of(chat::EventKind::Topic);
      topic.room = e.name;
      topic.text = e.text;
      emit(*c, topic);
    }
    if (e.payload) show_history(*c, e.payload->events);
    add_member(*c, e.room_id);
  }
  resume(*c);
}

}  // namespace chatd::shard
