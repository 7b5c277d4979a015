#pragma once
// The Lua scripts chatd runs in Redis (SCRIPT LOAD once per connection,
// then EVALSHA; EVAL again on NOSCRIPT). Each runs atomically, which is
// what makes Redis the one sequencer of every room.
#include <array>
#include <string>
#include <string_view>

namespace chatd::cluster::lua {

// Publish a room event. KEYS: meta, stream, presence.
// ARGV: channel, blob, epoch candidate, stream max length, kind letter,
//       nick, new nick (NickChanged) or topic (Topic), lease ms, room.
// The room's offset is its meta hash's `s`, its epoch `e` (made from the
// candidate the first time, or again after Redis lost the room). The entry
// id is "<offset>-1", so the stream is the room's history in offset order,
// capped at exactly MAXLEN. Presence (a sorted set of nicks scored by the
// expiry of their lease) follows joins, leaves, quits and renames.
// Returns {offset, epoch}.
inline constexpr std::string_view kPublish = R"lua(
local epoch = redis.call('HGET', KEYS[1], 'e')
if not epoch then
  epoch = ARGV[3]
  redis.call('HSET', KEYS[1], 'e', epoch)
end
local off = redis.call('HINCRBY', KEYS[1], 's', 1)
redis.call('XADD', KEYS[2], 'MAXLEN', '=', ARGV[4], off .. '-1', 'e', ARGV[2])
redis.call('PUBLISH', ARGV[1], off .. ' ' .. epoch .. ' ' .. ARGV[2])
local k = ARGV[5]
if k == 'j' or k == 'l' or k == 'q' or k == 'n' then
  local t = redis.call('TIME')
  local expiry = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) + tonumber(ARGV[8])
  redis.call('SADD', 'chatd:presence_rooms', ARGV[9])
  if k == 'j' then redis.call('ZADD', KEYS[3], expiry, ARGV[6])
  elseif k == 'n' then
    redis.call('ZREM', KEYS[3], ARGV[6])
    redis.call('ZADD', KEYS[3], expiry, ARGV[7])
  else redis.call('ZREM', KEYS[3], ARGV[6]) end
elseif k == 't' then
  redis.call('HSET', KEYS[1], 't', ARGV[7])
end
return {off, epoch}
)lua";

// Where a room stands, and its newest entries. KEYS: meta, stream.
// ARGV: how many entries (0: none). Returns {offset, epoch, topic, entries
// newest first} ("" for what does not exist).
inline constexpr std::string_view kPosition = R"lua(
local m = redis.call('HMGET', KEYS[1], 's', 'e', 't')
local entries = {}
local n = tonumber(ARGV[1])
if n > 0 then entries = redis.call('XREVRANGE', KEYS[2], '+', '-', 'COUNT', n) end
return {m[1] or '0', m[2] or '', m[3] or '', entries}
)lua";

// Where several rooms stand: the periodic check, one script for many rooms.
// KEYS: their meta hashes. Returns {offset, epoch} per key, in order ("0"
// and "" for a room Redis does not have).
inline constexpr std::string_view kPositions = R"lua(
local out = {}
for i = 1, #KEYS do
  local m = redis.call('HMGET', KEYS[i], 's', 'e')
  out[i] = {m[1] or '0', m[2] or ''}
end
return out
)lua";

// A range of a room's stream, with the epoch it belongs to. KEYS: meta,
// stream. ARGV: first id, last id ("+" for the newest). Returns {epoch, entries}.
inline constexpr std::string_view kRange = R"lua(
local e = redis.call('HGET', KEYS[1], 'e') or ''
return {e, redis.call('XRANGE', KEYS[2], ARGV[1], ARGV[2], 'COUNT', 10000)}
)lua";

// Create a room unless it exists. ARGV: room. Returns its creation number,
// negative when it existed already.
inline constexpr std::string_view kCreateRoom = R"lua(
local n = redis.call('HGET', 'chatd:rooms', ARGV[1])
if n then return -tonumber(n) end
n = redis.call('INCR', 'chatd:room_counter')
redis.call('HSET', 'chatd:rooms', ARGV[1], n)
redis.call('ZADD', 'chatd:room_order', n, ARGV[1])
redis.call('PUBLISH', 'chatd:rooms:new', n .. ' ' .. ARGV[1])
return n
)lua";

// Keep this node's nicknames: each key that is this node's (or free) gets
// the lease again. ARGV: node, lease seconds, nick keys... Returns how many
// were lost to another node.
inline constexpr std::string_view kRefreshNicks = R"lua(
local lost = 0
for i = 3, #ARGV do
  local v = redis.call('GET', ARGV[i])
  if v == ARGV[1] or not v then redis.call('SET', ARGV[i], ARGV[1], 'EX', ARGV[2])
  else lost = lost + 1 end
end
return lost
)lua";

// Keep this node's members in rooms' presence, many rooms per script.
// KEYS: the rooms' presence keys. ARGV: lease ms, then per room (in KEYS'
// order) its name, its member count and its members. After Redis lost its
// data, this also brings each room back (listed again, and swept). Returns
// how many members it refreshed.
inline constexpr std::string_view kRefreshPresence = R"lua(
local t = redis.call('TIME')
local expiry = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) + tonumber(ARGV[1])
local a, refreshed = 2, 0
for k = 1, #KEYS do
  local room, count = ARGV[a], tonumber(ARGV[a + 1])
  for i = a + 2, a + 1 + count do redis.call('ZADD', KEYS[k], expiry, ARGV[i]) end
  a, refreshed = a + 2 + count, refreshed + count
  redis.call('SADD', 'chatd:presence_rooms', room)
  if redis.call('HEXISTS', 'chatd:rooms', room) == 0 then
    local n = redis.call('INCR', 'chatd:room_counter')
    redis.call('HSET', 'chatd:rooms', room, n)
    redis.call('ZADD', 'chatd:room_order', n, room)
    redis.call('PUBLISH', 'chatd:rooms:new', n .. ' ' .. room)
  end
end
return refreshed
)lua";

// Release a nickname only if this node holds it. KEYS: nick key. ARGV: node.
inline constexpr std::string_view kReleaseNick = R"lua(
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
)lua";

// A private message to whoever holds a nickname, on its node's channel;
// when nobody holds it and it is an account, queued for its next login
// (the newest 1000 kept). KEYS: nick key, account, queue. ARGV: message.
// Returns how many nodes heard it, -1 when queued, 0 for nobody.
inline constexpr std::string_view kSendPm = R"lua(
local node = redis.call('GET', KEYS[1])
if node then
  local n = redis.call('PUBLISH', 'chatd:node:' .. node, ARGV[1])
  if n > 0 then return n end
end
if redis.call('EXISTS', KEYS[2]) == 1 then
  redis.call('RPUSH', KEYS[3], ARGV[1])
  redis.call('LTRIM', KEYS[3], -1000, -1)
  return -1
end
return 0
)lua";

// An account change. KEYS: account. ARGV: what ('c' create: nick, hash,
// created ms, last seen ms; 'p' password hash; 's' status; 'l' last seen
// ms), then its values. Returns 1 when done; 0 when a create found the
// account there already, or a change found no account.
inline constexpr std::string_view kAccountWrite = R"lua(
local exists = redis.call('EXISTS', KEYS[1]) == 1
if ARGV[1] == 'c' then
  if exists then return 0 end
  redis.call('HSET', KEYS[1], 'nick', ARGV[2], 'hash', ARGV[3], 'created', ARGV[4], 'status', '', 'seen', ARGV[5])
  return 1
end
if not exists then return 0 end
local field = ({p = 'hash', s = 'status', l = 'seen'})[ARGV[1]]
if not field then return 0 end
redis.call('HSET', KEYS[1], field, ARGV[2])
return 1
)lua";

// An account's queued private messages, oldest first, and the queue
// emptied. KEYS: queue.
inline constexpr std::string_view kTakePms = R"lua(
local l = redis.call('LRANGE', KEYS[1], 0, -1)
redis.call('DEL', KEYS[1])
return l
)lua";

// Members whose lease lapsed (their node died): removed from every room's
// presence and announced as quits through that room's sequencer, exactly as
// kPublish would. Any node may run it; one a period does (the first to take
// chatd:sweep_lock, which lapses after ARGV[3] ms), so the sweep's cost does
// not grow with the nodes. ARGV: stream max length, epoch candidate, lock
// ms. Returns how many quits it announced, -1 when another node had swept.
inline constexpr std::string_view kSweep = R"lua(
if not redis.call('SET', 'chatd:sweep_lock', '1', 'NX', 'PX', ARGV[3]) then return -1 end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local rooms = redis.call('SMEMBERS', 'chatd:presence_rooms')
local quits = 0
for _, room in ipairs(rooms) do
  local pkey = 'chatd:room:' .. room .. ':presence'
  local gone = redis.call('ZRANGEBYSCORE', pkey, '-inf', now)
  for _, nick in ipairs(gone) do
    redis.call('ZREM', pkey, nick)
    local meta = 'chatd:room:' .. room .. ':meta'
    local epoch = redis.call('HGET', meta, 'e')
    if not epoch then
      epoch = ARGV[2]
      redis.call('HSET', meta, 'e', epoch)
    end
    local off = redis.call('HINCRBY', meta, 's', 1)
    local blob = 'q ' .. now .. ' ' .. #nick .. ' 0 ' .. nick
    redis.call('XADD', 'chatd:room:' .. room .. ':stream', 'MAXLEN', '=', ARGV[1], off .. '-1', 'e', blob)
    redis.call('PUBLISH', 'chatd:room:' .. room, off .. ' ' .. epoch .. ' ' .. blob)
    quits = quits + 1
  end
end
return quits
)lua";

// Every script, in the order RedisLink names them (Script).
enum class Script : unsigned {
  Publish, Position, Range, CreateRoom, RefreshNicks, RefreshPresence, ReleaseNick, SendPm, Sweep, AccountWrite,
  TakePms, Positions
};
inline constexpr std::array<std::string_view, 12> kAll{kPublish,      kPosition,        kRange,
                                                       kCreateRoom,   kRefreshNicks,    kRefreshPresence,
                                                       kReleaseNick,  kSendPm,          kSweep,
                                                       kAccountWrite, kTakePms,         kPositions};

}  // namespace chatd::cluster::lua

namespace chatd::cluster::lua {
// The SHA-1 of a script in hex, as EVALSHA names it.
std::string sha1_hex(std::string_view script);
}  // namespace chatd::cluster::lua
