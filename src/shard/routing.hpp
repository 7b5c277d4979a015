#pragma once
// Which shard owns a room or a nickname: by hash of its name, so every
// shard finds the owner without asking anyone.
#include <functional>
#include <string_view>

namespace chatd::shard {

// `key` is a room name, or a case-folded nickname.
inline unsigned owner_of(std::string_view key, unsigned shards) {
  return shards == 1 ? 0 : static_cast<unsigned>(std::hash<std::string_view>{}(key) % shards);
}

}  // namespace chatd::shard
