#include "chat/lang.hpp"

#include <fmt/format.h>

namespace chatd::chat {

std::optional<Lang> parse_lang(std::string_view s) {
  if (s == "en") return Lang::En;
  if (s == "pt") return Lang::Pt;
  return std::nullopt;
}

std::string default_nick(Lang lang, std::uint16_t peer_port) {
  return fmt::format("{}-{}", lang == Lang::Pt ? "Usuário" : "User", peer_port);
}

}  // namespace chatd::chat
