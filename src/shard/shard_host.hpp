#pragma once
// What a Session asks of its shard, for one connection: Shard::Host.
#include "chat/session.hpp"
#include "shard/shard.hpp"

namespace chatd::shard {

// Made on the stack around each call into a connection's Session; lives no
// longer than that call. Shard thread only.
class Shard::Host final : public chat::SessionHost {
 public:
  Host(Shard& s, Connection& c) : s_(s), c_(c) {}

  void send(const chat::Event& e) override { s_.emit(c_, e); }
  void claim_nick(std::string_view nick) override;
  void release_nick() override;
  void create_room(std::string_view room) override;
  void join_room(std::string_view room) override;
  void leave_room(std::uint32_t room_id, std::string_view room, chat::LeaveKind kind) override;
  void publish(std::uint32_t room_id, std::string_view text) override;
  void list_rooms() override;
  void finish() override;

 private:
  Envelope to_owner(Envelope::Kind kind) const;

  Shard& s_;
  Connection& c_;
};

}  // namespace chatd::shard
