#pragma once
// Text hygiene for everything a client sends that others will see.
#include <string>
#include <string_view>

namespace chatd::chat {

// Replaces invalid UTF-8 (including overlongs, surrogates, > U+10FFFF) with
// U+FFFD and removes C0 controls except TAB, DEL, ESC and C1 controls
// (U+0080..U+009F), so no one can move a cursor or recolour a terminal.
// Then trims leading and trailing whitespace (space, TAB).
std::string sanitize(std::string_view raw);

// Number of Unicode code points in valid UTF-8 `s`.
std::size_t utf8_length(std::string_view s);

// ASCII case folding, used for the case-insensitive parts of the protocol
// (command words, nickname uniqueness).
std::string fold_case(std::string_view s);

}  // namespace chatd::chat
