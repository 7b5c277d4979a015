#pragma once
// A room event as it travels through Redis: one blob, stored in the room's
// stream and published with its offset and epoch. Length-prefixed, so any
// byte may appear in a nickname or a text. The Lua sweep builds the same
// shape for the quits it announces (see lua_scripts.hpp). Pure functions.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace chatd::cluster {

// Which room event (a letter, so that Lua can write it too).
enum class RoomEventKind : char {
  Message = 'm',
  Joined = 'j',
  Left = 'l',
  Quit = 'q',
  Topic = 't',
  NickChanged = 'n',  // nick = old, text = new
};

// Who sent it, so that its node can leave the sender out (the line
// dialects do not echo a member's own events). Plain value.
struct Origin {
  std::string node;
  std::uint32_t shard = 0;
  std::uint64_t conn = 0;
};

// Plain value; views borrow the decoded blob.
struct RoomEventView {
  RoomEventKind kind{};
  std::int64_t time_ms = 0;
  std::string_view nick, text, origin_node;
  std::uint32_t origin_shard = 0;
  std::uint64_t origin_conn = 0;
};

// "<kind> <time_ms> <nick length> <origin length> <nick><origin><text>",
// origin = "<node>\x1f<shard>\x1f<conn>" (or empty: no sender to leave out).
std::string encode_event(RoomEventKind kind, std::int64_t time_ms, std::string_view nick, std::string_view text,
                         const Origin* origin);
std::optional<RoomEventView> decode_event(std::string_view blob);

// A published message: "<offset> <epoch> <blob>". Plain value (views).
struct Published {
  std::uint64_t offset = 0;
  std::string_view epoch, blob;
};
std::optional<Published> decode_published(std::string_view message);

// A stream entry id "<offset>-<n>" -> offset; nullopt when malformed.
std::optional<std::uint64_t> offset_of_entry_id(std::string_view id);

}  // namespace chatd::cluster
