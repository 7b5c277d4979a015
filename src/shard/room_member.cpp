// The member's side: rooms as this shard sees them (its local members),
// deliveries from the rooms' owners, and the owners' answers to this
// shard's sessions.
#include <algorithm>
#include <array>

#include <spdlog/spdlog.h>

#include "shard/shard.hpp"
#include "shard/shard_host.hpp"
#include "web/ws_frame.hpp"

namespace chatd::shard {

void Shard::add_member(Connection& c, std::uint32_t room_id) {
  if (room_id >= local_rooms_.size()) local_rooms_.resize(room_id + 1);
  LocalRoom& room = local_rooms_[room_id];
  c.member_index = static_cast<std::uint32_t>(room.members.size());
  c.room_id = room_id;
  room.members.push_back(io::token_slot(c.token));
  ++room.speakers[static_cast<std::size_t>(c.dialect)];
}

void Shard::remove_member(Connection& c) {
  if (c.member_index == kNotMember) return;
  LocalRoom& room = local_rooms_[c.room_id];
  --room.speakers[static_cast<std::size_t>(c.dialect)];
  auto& m = room.members;
  const std::uint32_t moved = m.back();
  m[c.member_index] = moved;
  conns_.live_at(moved).member_index = c.member_index;
  m.pop_back();
  c.member_index = kNotMember;
}

// A rendering of `e` in dialect `d` to share between this shard's
// recipients; the caller holds one guard reference (unref when done).
LocalText* Shard::render_shared(chat::DialectId d, const chat::Event& e) {
  scratch_.clear();
  chat::dialect(d).render(e, scratch_);
  if (d != chat::DialectId::Json) return texts_.adopt(SharedText::create(scratch_), 1);
  // JSON goes to WebSocket clients only: framed here, once, for all of them.
  frame_header_.clear();
  web::append_ws_header(frame_header_, web::WsOpcode::Text, scratch_.size());
  return texts_.adopt(SharedText::create({frame_header_, scratch_}), 1);
}

// One room event for this shard's members: rendered once per dialect they
// speak (not once per member), each member queueing a reference.
void Shard::deliver(Envelope& e) {
  if (e.room_id >= local_rooms_.size()) return;
  const LocalRoom& room = local_rooms_[e.room_id];
  if (room.members.empty()) return;
  const chat::Event event = e.event->view();
  const io::Token exclude = e.conn;  // a local: queue_text() may not reload it
  std::uint64_t n = 0;
  auto hand_out = [&](auto&& text_for) {
    for (std::uint32_t slot : room.members) {
      Connection& c = conns_.live_at(slot);
      // Web clients see their own events too: that is how they learn their place in the room's order.
      if ((c.token == exclude && c.dialect != chat::DialectId::Json) || c.closing() || c.slow) continue;
      queue_text(c, text_for(c));
      ++n;
    }
  };
  std::array<LocalText*, chat::kDialectCount> rendered{};
  const auto dialects = std::count_if(room.speakers.begin(), room.speakers.end(), [](auto k) { return k > 0; });
  if (dialects == 1) {
    // The common case: one dialect here, rendered up front; no per-member lookup.
    const auto d = static_cast<chat::DialectId>(
        std::find_if(room.speakers.begin(), room.speakers.end(), [](auto k) { return k > 0; }) - room.speakers.begin());
    LocalText* text = rendered[static_cast<std::size_t>(d)] = render_shared(d, event);
    hand_out([text](Connection&) { return text; });
  } else {
    hand_out([&](Connection& c) {
      LocalText*& text = rendered[static_cast<std::size_t>(c.dialect)];
      if (!text) text = render_shared(c.dialect, event);
      return text;
    });
  }
  // Each rendering held a guard reference while it was handed out.
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
    c->joined_at = e.number;
  }
  resume(*c);
}

}  // namespace chatd::shard
