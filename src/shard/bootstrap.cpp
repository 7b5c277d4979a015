#include "shard/bootstrap.hpp"

#include "chat/sanitize.hpp"
#include "shard/routing.hpp"
#include "shard/shard.hpp"

namespace chatd::shard {

std::vector<ShardBootstrap> load_bootstrap(store::Store& store, unsigned shards, std::size_t recent_per_room) {
  std::vector<ShardBootstrap> out(shards);
  std::vector<store::RoomRecord> rooms = store.rooms();
  for (std::uint32_t id = 0; id < rooms.size(); ++id) {
    store::RoomRecord& r = rooms[id];
    for (auto& b : out) b.catalog.emplace_back(id, r.name);
    ShardBootstrap::OwnedRoom owned{id, std::move(r), {}};
    owned.recent = store.history(owned.record.name, 0, recent_per_room);
    out[owner_of(owned.record.name, shards)].rooms.push_back(std::move(owned));
  }
  for (store::Account& a : store.accounts()) {
    const unsigned to = owner_of(a.folded, shards);
    out[to].accounts.push_back(std::move(a));
  }
  return out;
}

void Shard::bootstrap(ShardBootstrap&& b) {
  for (auto& owned : b.rooms) {
    RoomRegistry::Room& room = rooms_.create(owned.record.name, owned.id);
    room.topic = std::move(owned.record.topic);
    room.last_message = owned.record.last_seq;
    for (const store::StoredMessage& m : owned.recent) {
      EventRef e(SharedEvent::create(chat::EventKind::Message, m.nick, m.room, m.text, m.time_ms));
      e->set_seq(m.seq);
      room.recent.push_back(std::move(e));
    }
  }
  for (auto& [id, name] : b.catalog) catalog_.add(id, std::move(name));
  for (store::Account& a : b.accounts) accounts_.put(std::move(a));
}

}  // namespace chatd::shard
