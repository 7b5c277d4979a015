#pragma once
// The server's log lines about clients, in the server's language: pt is the
// original Python server's wording (tests/integration/replay.py checks it),
// en the same events in English. Texts only; the caller logs them.
#include <cstdint>
#include <string>
#include <string_view>

#include "chat/lang.hpp"

namespace chatd::chat {

// Immutable; safe to share between threads.
class ServerLog {
 public:
  explicit ServerLog(Lang lang) : lang_(lang) {}
  Lang lang() const { return lang_; }

  // addr: "host:port", as the server reports it.
  std::string listening(std::string_view addr) const;
  // A client connected and is asked for its nickname.
  std::string new_connection(std::string_view ip, std::uint16_t port) const;
  // It registered under `nick`.
  std::string registered(std::string_view nick, std::string_view ip, std::uint16_t port) const;
  // A registered client went away; `reason` says why (the pt wording, as the
  // original's, leaves it out).
  std::string disconnected(std::string_view nick, std::string_view ip, std::uint16_t port,
                           std::string_view reason) const;

 private:
  Lang lang_;
};

}  // namespace chatd::chat
