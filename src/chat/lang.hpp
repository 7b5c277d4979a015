#pragma once
// The server's language (--lang): the wording of the line dialect it speaks
// by default, of its log lines, and of the default nickname.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace chatd::chat {

enum class Lang : std::uint8_t { En, Pt };

std::optional<Lang> parse_lang(std::string_view s);

// The nickname of a client that sent an empty one: the original named
// silent users after their port ("Usuário-58334"; "User-58334" in en).
std::string default_nick(Lang lang, std::uint16_t peer_port);

}  // namespace chatd::chat
