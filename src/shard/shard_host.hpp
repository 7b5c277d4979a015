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
  void list_rooms(std::string_view filter, std::size_t page) override;
  void finish() override;

  // Identity and memory (identity.cpp, room_extras.cpp).
  void check_password(std::string_view password) override;
  void register_account(std::string_view password) override;
  void identify(std::string_view password) override;
  void change_password(std::string_view old_password, std::string_view new_password) override;
  void change_nick(std::string_view nick) override;
  void request_history(std::uint32_t room_id, std::string_view room, std::size_t count) override;
  void private_message(std::string_view to_nick, std::string_view text) override;
  void list_members(std::uint32_t room_id, std::string_view room) override;
  void topic(std::uint32_t room_id, std::string_view room, const std::string_view* text) override;
  void set_status(std::string_view text) override;
  void whois(std::string_view nick) override;

 private:
  Envelope to_owner(Envelope::Kind kind) const;
  void refuse(AccountPurpose purpose, chat::AccountStatus status);

  Shard& s_;
  Connection& c_;
};

}  // namespace chatd::shard
