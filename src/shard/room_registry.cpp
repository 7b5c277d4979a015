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

namespace {

constexpr char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

// `needle` is lower case already; no copy of the name is made.
bool contains_folded(std::string_view name, std::string_view needle) {
  if (needle.size() > name.size()) return false;
  for (std::size_t at = 0; at + needle.size() <= name.size(); ++at) {
    std::size_t i = 0;
    while (i < needle.size() && lower(name[at + i]) == needle[i]) ++i;
    if (i == needle.size()) return true;
  }
  return false;
}

}  // namespace

RoomCatalog::Page RoomCatalog::page(std::string_view folded_filter, std::size_t skip, std::size_t count,
                                    std::vector<std::string>& scratch) const {
  if (folded_filter.empty()) {
    const std::size_t from = std::min(skip, names_.size());
    const std::size_t n = std::min(count, names_.size() - from);
    return {std::span<const std::string>(names_).subspan(from, n), names_.size()};
  }
  scratch.clear();
  std::size_t total = 0;
  for (const std::string& name : names_) {
    if (!contains_folded(name, folded_filter)) continue;
    if (total >= skip && scratch.size() < count) scratch.push_back(name);
    ++total;
  }
  return {scratch, total};
}

}  // namespace chatd::shard
