#pragma once
// Rooms owned by one shard (by hash of the name) and the per-shard member
// counts the owner needs to route a room's events. Owned by that shard's thread.
#include <cstdint>
#include <deque>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "io/reactor.hpp"
#include "shard/shared_event.hpp"
#include "store/records.hpp"

namespace chatd::shard {

class RoomRegistry {
 public:
  struct Room {
    std::uint32_t id = 0;          // global creation order, dense from 0
    std::string name;
    std::vector<std::uint32_t> members_on;  // member count per shard
    std::uint64_t events = 0;      // events serialised so far (room order)
    std::uint64_t last_message = 0;  // seq of the newest message (messages share the order with notices)
    std::string topic;
    std::deque<EventRef> recent;   // the newest messages, oldest first (history served from memory)
    bool recording = true;         // false once the store fell too far behind: no history until a restart
    // --cluster: whether this node follows the room in Redis yet (its
    // first local join asks the link; joins wait until it answers).
    enum class Watch : std::uint8_t { None, Pending, Live };
    Watch watch = Watch::None;
  };

  explicit RoomRegistry(unsigned shards) : shards_(shards) {}

  Room* find(std::string_view name);
  Room* find(std::uint32_t id);
  // The caller checked find(name) == nullptr and allocated `id`.
  Room& create(std::string_view name, std::uint32_t id);
  void add_member(Room& r, unsigned shard) { ++r.members_on[shard]; }
  void remove_member(Room& r, unsigned shard) {
    if (r.members_on[shard] > 0) --r.members_on[shard];
  }
  std::size_t size() const { return by_id_.size(); }
  static std::uint64_t member_count(const Room& r) {
    std::uint64_t n = 0;
    for (auto k : r.members_on) n += k;
    return n;
  }

 private:
  unsigned shards_;
  std::unordered_map<std::string, std::uint32_t> by_name_;
  std::unordered_map<std::uint32_t, Room> by_id_;
};

// Every shard's replica of the list of rooms, for /rooms: the owners
// announce each creation; kept in global creation order. Owned by one shard.
class RoomCatalog {
 public:
  void add(std::uint32_t id, std::string name);
  const std::vector<std::string>& names() const { return names_; }
  std::size_t size() const { return names_.size(); }

  // One page of the rooms whose name contains `folded_filter` (lower case;
  // matched ASCII case-insensitively; "" = every room): at most `count`
  // names from the `skip`th match on, in creation order, and how many
  // match in all. Unfiltered, `names` points into the catalog (valid until
  // the next add); filtered, into `scratch`. One pass over the names: a
  // /rooms costs O(rooms), never O(rooms) in memory.
  struct Page {
    std::span<const std::string> names;
    std::size_t total = 0;
  };
  Page page(std::string_view folded_filter, std::size_t skip, std::size_t count,
            std::vector<std::string>& scratch) const;

 private:
  std::vector<std::uint32_t> ids_;
  std::vector<std::string> names_;
};

// Nicknames owned by one shard (by hash of the folded nickname). Owned by
// that shard's thread.
class NickRegistry {
 public:
  // Who holds a nickname: a connection on a shard.
  struct Holder {
    unsigned shard = 0;
    std::uint64_t conn = 0;
    // False while an account's nickname is held for a connection that has
    // not given the password yet: it is not that user (no PMs, not online).
    bool confirmed = true;
    bool operator==(const Holder& o) const { return shard == o.shard && conn == o.conn; }
  };
  // `folded` is fold_case(nick). False when someone else holds it.
  bool claim(const std::string& folded, Holder who) {
    auto [it, fresh] = taken_.emplace(folded, who);
    return fresh || it->second == who;
  }
  // The holder proved it owns the account.
  void confirm(const std::string& folded, Holder who) {
    auto it = taken_.find(folded);
    if (it != taken_.end() && it->second == who) it->second.confirmed = true;
  }
  // Only the holder frees a nickname: a late release from a connection
  // whose claim failed must not free the winner's. True when the holder,
  // confirmed, let go (a logged-in user left).
  bool release(const std::string& folded, Holder who) {
    auto it = taken_.find(folded);
    if (it == taken_.end() || !(it->second == who)) return false;
    const bool confirmed = it->second.confirmed;
    taken_.erase(it);
    return confirmed;
  }
  std::size_t size() const { return taken_.size(); }
  const Holder* holder(const std::string& folded) const {
    auto it = taken_.find(folded);
    return it == taken_.end() ? nullptr : &it->second;
  }

 private:
  std::unordered_map<std::string, Holder> taken_;
};

// The registered nicknames one shard owns (by hash of the folded nick),
// with what logins and /whois need without asking the store. Owned by
// that shard's thread; the store has the durable copy (with --cluster,
// Redis has it and this is a cache, read again before each decision).
class AccountBook {
 public:
  const store::Account* find(const std::string& folded) const {
    auto it = accounts_.find(folded);
    return it == accounts_.end() ? nullptr : &it->second;
  }
  store::Account* find(const std::string& folded) {
    auto it = accounts_.find(folded);
    return it == accounts_.end() ? nullptr : &it->second;
  }
  void put(store::Account a) {
    std::string key = a.folded;
    accounts_.insert_or_assign(std::move(key), std::move(a));
  }
  void erase(const std::string& folded) { accounts_.erase(folded); }
  std::size_t size() const { return accounts_.size(); }

 private:
  std::unordered_map<std::string, store::Account> accounts_;
};

}  // namespace chatd::shard
