#pragma once
// The line dialect's texts, one function per event, as whole strings: pt
// (the original's wording, byte for byte) or en. Each returned text ends in
// "\n" except prompt(). A thin layer over LineDialect (line_texts.cpp
// holds the texts); the daemon itself renders Events through a Dialect.
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "chat/lang.hpp"
#include "chat/line_dialect.hpp"

namespace chatd::chat {

// Immutable after construction; safe to share between threads.
class Replies {
 public:
  explicit Replies(Lang lang) : lang_(lang) {}
  Lang lang() const { return lang_; }

  std::string prompt() const;                                 // no newline
  std::string welcome(std::string_view nick) const;
  std::string help() const;
  std::string default_nick(std::uint16_t peer_port) const {  // Usuário-<port>
    return chat::default_nick(lang_, peer_port);
  }
  std::string nick_taken(std::string_view nick) const;
  std::string nick_invalid() const;
  std::string room_list(std::span<const std::string> names) const;
  std::string room_created(std::string_view room) const;
  std::string room_exists() const;
  std::string room_invalid() const;
  std::string room_limit() const;
  std::string room_rate_limited() const;
  std::string no_such_room() const;
  std::string joined_self(std::string_view room) const;
  std::string joined_other(std::string_view nick, std::string_view room) const;
  std::string already_in_room(std::string_view room) const;
  std::string left_other(std::string_view nick, std::string_view room) const;
  std::string left_self() const;
  std::string not_in_room() const;                 // /sair outside a room
  std::string quit_other(std::string_view nick, std::string_view room) const;
  std::string quit_self() const;
  std::string message(std::string_view nick, std::string_view text) const;
  // The pieces of message(), for callers that copy them straight into a
  // buffer of their own (the shard's shared message bytes).
  static std::array<std::string_view, 5> message_parts(std::string_view nick, std::string_view text) {
    return line_message_parts(nick, text);
  }
  std::string message_outside_room() const;
  std::string usage_create() const;
  std::string usage_join() const;
  std::string unknown_command(std::string_view word) const;
  std::string line_too_long(std::size_t max_line) const;
  std::string login_timeout() const;
  std::string slow_consumer() const;
  std::string shutting_down() const;
  std::string server_full() const;
  std::string too_many_from_ip() const;
  std::string flood_disconnect() const;

 private:
  std::string render(const Event& e) const;

  Lang lang_;
};

}  // namespace chatd::chat
