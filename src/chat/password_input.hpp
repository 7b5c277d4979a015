#pragma once
// How the session reads a password: as the bytes typed, never sanitised.
// Sanitising would change them (U+FFFD for invalid UTF-8, controls dropped),
// so a password set with /register could not be typed again at the login
// prompt. Both places read it through these two functions.
#include <string_view>

#include "chat/session.hpp"

namespace chatd::chat {

// The line without its line ending. The framer drops a CR before LF
// already; a host (or test) that hands over a line with its CR gets the
// same bytes.
inline std::string_view without_line_end(std::string_view raw) {
  if (!raw.empty() && raw.back() == '\r') raw.remove_suffix(1);
  return raw;
}

// 1..kMaxPasswordBytes bytes, any bytes: longer ones are refused before
// anything hashes them.
inline bool acceptable_password(std::string_view password) {
  return !password.empty() && password.size() <= kMaxPasswordBytes;
}

}  // namespace chatd::chat
