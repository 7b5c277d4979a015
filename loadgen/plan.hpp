#pragma once
// Who does what in a run, derived once from the options and shared
// read-only by every worker. Members have ids [0, clients): member i is in
// room i % rooms at position i / rooms, and belongs to thread i % threads.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "address.hpp"
#include "dialect.hpp"
#include "options.hpp"

namespace chatd::loadgen {

struct Plan {
  const Config* cfg = nullptr;
  Endpoint server;                 // the first of servers
  std::vector<Endpoint> servers;   // --ports: one per node; else just server
  std::optional<SourceRange> sources;
  std::unique_ptr<Dialect> dialect;
  unsigned threads = 1;
  std::uint32_t members = 0;
  std::uint32_t rooms = 1;
  std::uint32_t room_capacity = 1;  // most members in one room
  std::vector<std::string> room_names;

  std::uint32_t room_of(std::uint32_t id) const { return id % rooms; }
  std::uint32_t position_of(std::uint32_t id) const { return id / rooms; }
  unsigned thread_of(std::uint32_t id) const { return id % threads; }
  // Consecutive members of a room go to different servers, so that every
  // room is shared by every node (and the clients spread evenly).
  std::size_t server_of(std::uint32_t id) const {
    return (room_of(id) + position_of(id)) % std::max<std::size_t>(servers.size(), 1);
  }
  // Slow members are spread evenly over positions, so every room gets its
  // share.
  bool is_slow(std::uint32_t id) const;
  bool sends_messages() const;
};

}  // namespace chatd::loadgen
