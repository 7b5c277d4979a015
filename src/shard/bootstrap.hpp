#pragma once
// Start-up from the store: what it remembered (rooms with their topics and
// newest messages, accounts), cut up by owner shard before the shard
// threads start.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "store/records.hpp"
#include "store/store.hpp"

namespace chatd::shard {

// Built on the starting thread, handed to one shard before it runs.
struct ShardBootstrap {
  struct OwnedRoom {
    std::uint32_t id = 0;
    store::RoomRecord record;
    std::vector<store::StoredMessage> recent;  // oldest first
  };
  std::vector<OwnedRoom> rooms;                              // the rooms this shard owns
  std::vector<std::pair<std::uint32_t, std::string>> catalog;  // every room, for /rooms
  std::vector<store::Account> accounts;                      // the accounts this shard owns
};

// Reads the store (blocking: only before the shards run). Room ids follow
// creation order. `recent_per_room` messages of each room are kept in
// memory by its owner.
std::vector<ShardBootstrap> load_bootstrap(store::Store& store, unsigned shards, std::size_t recent_per_room);

}  // namespace chatd::shard
