#pragma once
// The writer's copy of each room's id and last_seq, so AppendMessage is
// checked and keyed without a query, and last_seq is written once per room
// per batch instead of once per message. Changes made while a batch runs
// are staged and become the committed view only when the batch commits;
// a rolled-back batch leaves it as it was.
// Owned by one thread: the SqliteStore's.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace chatd::store::sqlite {

class RoomIndex {
 public:
  struct Room {
    std::int64_t id = 0;
    std::uint64_t last_seq = 0;
  };
  struct Bump {
    std::int64_t id;
    std::uint64_t last_seq;
  };

  // Replaces everything with the rooms as read from the database.
  void reset(std::vector<std::pair<std::string, Room>> rooms);

  // The room as the running batch sees it (staged over committed).
  std::optional<Room> find(std::string_view name) const;

  void stage_create(std::string_view name, std::int64_t id);
  // The caller checked seq == find(name)->last_seq + 1.
  void stage_append(std::string_view name, std::uint64_t seq);
  // The rooms whose last_seq the running batch moved: one UPDATE each.
  std::vector<Bump> staged_bumps() const;

  void commit();
  void rollback() { staged_.clear(); }

 private:
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  using Map = std::unordered_map<std::string, Room, Hash, std::equal_to<>>;
  struct Staged {
    Room room;
    bool bumped = false;
  };
  using StagedMap = std::unordered_map<std::string, Staged, Hash, std::equal_to<>>;

  Map committed_;
  StagedMap staged_;
};

}  // namespace chatd::store::sqlite
