#pragma once
// The names chatd uses in Redis, in one place. Every key starts "chatd:".
// Pure functions.
#include <string>
#include <string_view>

namespace chatd::cluster::keys {

inline constexpr std::string_view kRooms = "chatd:rooms";            // hash: room -> creation number
inline constexpr std::string_view kRoomOrder = "chatd:room_order";   // zset: room by creation number
inline constexpr std::string_view kRoomCounter = "chatd:room_counter";
inline constexpr std::string_view kRoomsChannel = "chatd:rooms:new";  // "<number> <room>" per creation

inline std::string room_meta(std::string_view room) { return "chatd:room:" + std::string(room) + ":meta"; }
inline std::string room_stream(std::string_view room) { return "chatd:room:" + std::string(room) + ":stream"; }
inline std::string room_presence(std::string_view room) { return "chatd:room:" + std::string(room) + ":presence"; }
inline std::string room_channel(std::string_view room) { return "chatd:room:" + std::string(room); }
inline constexpr std::string_view kRoomChannelPrefix = "chatd:room:";
inline std::string nick(std::string_view folded) { return "chatd:nick:" + std::string(folded); }
inline std::string account(std::string_view folded) { return "chatd:acct:" + std::string(folded); }  // hash
inline std::string queued_pms(std::string_view folded) { return "chatd:pms:" + std::string(folded); }  // list
inline std::string node_channel(std::string_view node) { return "chatd:node:" + std::string(node); }

}  // namespace chatd::cluster::keys
