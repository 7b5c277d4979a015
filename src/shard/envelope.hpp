#pragma once
// What shards say to each other through their SPSC queues.
#include <cstdint>
#include <string>

#include "chat/session.hpp"
#include "io/reactor.hpp"
#include "shard/shared_event.hpp"

namespace chatd::shard {

// Moved through one SpscQueue from one shard thread to another. A plain
// value: its event reference travels with it and is released with it.
struct Envelope {
  enum class Kind : std::uint8_t {
    NickClaim,     // -> nick owner: name = folded nick
    NickResult,    // <- ok
    NickRelease,   // -> nick owner: name = folded nick
    Create,        // -> room owner: name = room
    CreateResult,  // <- created
    RoomAdded,     // owner -> every shard: room_id, name (for /rooms)
    Join,          // -> room owner: name = room, nick
    JoinResult,    // <- ok, room_id, name, nick
    Leave,         // -> room owner: room_id, nick, leave
    Publish,       // -> room owner: room_id, event (one shard reference)
    Deliver,       // owner -> member shards: room_id, event, conn = excluded member
  };
  Kind kind{};
  bool ok = false;                 // NickResult, JoinResult
  chat::CreateStatus created{};    // CreateResult
  chat::LeaveKind leave{};         // Leave
  std::uint16_t from = 0;          // sending shard
  std::uint32_t room_id = 0;
  io::Token conn = 0;              // the connection concerned, on shard `from`
  EventRef event;
  std::string name;
  std::string nick;
};

}  // namespace chatd::shard
