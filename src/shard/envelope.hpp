#pragma once
// What shards say to each other through their SPSC queues.
#include <cstdint>
#include <string>

#include "io/reactor.hpp"
#include "shard/shared_text.hpp"

namespace chatd::shard {

// Moved through one SpscQueue from one shard thread to another.
struct Envelope {
  enum class Kind : std::uint8_t {
    NickClaim,     // -> nick owner: name = folded nick
    NickResult,    // <- ok in status
    NickRelease,   // -> nick owner: name = folded nick
    Create,        // -> room owner: name = room
    CreateResult,  // <- status = chat::CreateStatus
    RoomAdded,     // owner -> every shard: room_id, name (for /rooms)
    Join,          // -> room owner: name = room, nick
    JoinResult,    // <- status = ok, room_id, nick
    Leave,         // -> room owner: room_id, nick, status = chat::LeaveKind
    Publish,       // -> room owner: room_id, text (one shard ref)
    Deliver,       // owner -> member shards: room_id, text (one shard ref), conn = excluded
  };
  Kind kind{};
  std::uint8_t status = 0;
  std::uint16_t from = 0;  // sending shard
  std::uint32_t room_id = 0;
  io::Token conn = 0;      // the connection concerned, on shard `from`
  SharedText* text = nullptr;
  std::string name;
  std::string nick;

  Envelope() = default;
  Envelope(Envelope&& o) noexcept = default;
  Envelope& operator=(Envelope&& o) noexcept = default;
  Envelope(const Envelope&) = delete;
  Envelope& operator=(const Envelope&) = delete;
};

}  // namespace chatd::shard
