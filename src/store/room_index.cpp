#include "store/room_index.hpp"

namespace chatd::store::sqlite {

void RoomIndex::reset(std::vector<std::pair<std::string, Room>> rooms) {
  staged_.clear();
  committed_.clear();
  for (auto& [name, room] : rooms) committed_.emplace(std::move(name), room);
}

std::optional<RoomIndex::Room> RoomIndex::find(std::string_view name) const {
  if (auto s = staged_.find(name); s != staged_.end()) return s->second.room;
  if (auto c = committed_.find(name); c != committed_.end()) return c->second;
  return std::nullopt;
}

void RoomIndex::stage_create(std::string_view name, std::int64_t id) {
  staged_[std::string(name)] = Staged{Room{id, 0}, false};
}

void RoomIndex::stage_append(std::string_view name, std::uint64_t seq) {
  auto s = staged_.find(name);
  if (s == staged_.end()) {
    // First append to this room in the batch: stage from the committed view.
    s = staged_.emplace(std::string(name), Staged{committed_.find(name)->second, false}).first;
  }
  s->second.room.last_seq = seq;
  s->second.bumped = true;
}

std::vector<RoomIndex::Bump> RoomIndex::staged_bumps() const {
  std::vector<Bump> out;
  for (const auto& [name, s] : staged_)
    if (s.bumped) out.push_back({s.room.id, s.room.last_seq});
  return out;
}

void RoomIndex::commit() {
  for (auto& [name, s] : staged_) committed_.insert_or_assign(name, s.room);
  staged_.clear();
}

}  // namespace chatd::store::sqlite
