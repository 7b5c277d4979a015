#pragma once
// What shards say to each other through their SPSC queues.
#include <cstdint>
#include <string>
#include <utility>

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
  // Owns its shard reference to `text`: mail dropped at shutdown frees it.
  Envelope(Envelope&& o) noexcept
      : kind(o.kind), status(o.status), from(o.from), room_id(o.room_id), conn(o.conn),
        text(std::exchange(o.text, nullptr)), name(std::move(o.name)), nick(std::move(o.nick)) {}
  Envelope& operator=(Envelope&& o) noexcept {
    if (this != &o) {
      if (text) text->release();
      kind = o.kind;
      status = o.status;
      from = o.from;
      room_id = o.room_id;
      conn = o.conn;
      text = std::exchange(o.text, nullptr);
      name = std::move(o.name);
      nick = std::move(o.nick);
    }
    return *this;
  }
  Envelope(const Envelope&) = delete;
  Envelope& operator=(const Envelope&) = delete;
  ~Envelope() {
    if (text) text->release();
  }
};

}  // namespace chatd::shard
