#include "shard/room_registry.hpp"

#include <algorithm>

namespace chatd::shard {

RoomRegistry::Room* RoomRegistry::find(std::string_view name) {
  auto it = by_name_.find(std::string(name));
  return it == by_name_.end() ? nullptr : find(it->second);
}

RoomRegistry::Room* RoomRegistry::find(std::uint32_t id) {
  auto it = by_id_.find(id);
  return it == by_id_.end() ? nullptr : &it->second;
}

RoomRegistry::Room& RoomRegistry::create(std::string_view name, std::uint32_t id) {
  by_name_.emplace(std::string(name), id);
  Room& r = by_id_[id];
  r.id = id;
  r.name = std::string(name);
  r.members_on.assign(shards_, 0);
  return r;
}

void RoomCatalog::add(std::uint32_t id, std::string name) {
  // Announcements from different owners may arrive out of id order.
  auto pos = std::upper_bound(ids_.begin(), ids_.end(), id);
  auto at = pos - ids_.begin();
  ids_.insert(pos, id);
  names_.insert(names_.begin() + at, std::move(name));
}

}  // namespace chatd::shard
