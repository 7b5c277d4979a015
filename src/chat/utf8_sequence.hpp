#pragma once
// One UTF-8 sequence, checked by the Unicode standard's rules: shared by
// sanitize (what clients send) and the JSON writer (what browsers read).
#include <string_view>

namespace chatd::chat {

constexpr bool is_utf8_continuation(unsigned char c) { return (c & 0xC0) == 0x80; }

// Length of the well-formed UTF-8 sequence at the start of `s` (2..4 bytes;
// the caller handles ASCII), or, when ill-formed, the negated length of its
// maximal subpart (at least 1), which is replaced by a single U+FFFD as the
// Unicode standard recommends (Unicode 15, 3.9, "U+FFFD Substitution of
// Maximal Subparts"). The second byte's bounds exclude overlongs (E0, F0),
// surrogates (ED) and code points above U+10FFFF (F4).
inline int utf8_sequence_length(std::string_view s) {
  const auto b0 = static_cast<unsigned char>(s[0]);
  int need = 0;
  unsigned char lo = 0x80;
  unsigned char hi = 0xBF;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    need = 1;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    need = 2;
    if (b0 == 0xE0) lo = 0xA0;
    if (b0 == 0xED) hi = 0x9F;
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    need = 3;
    if (b0 == 0xF0) lo = 0x90;
    if (b0 == 0xF4) hi = 0x8F;
  } else {
    return -1;  // stray continuation byte, C0/C1 overlong lead, F5..FF
  }
  for (int i = 1; i <= need; ++i) {
    if (static_cast<std::size_t>(i) >= s.size()) return -i;
    const auto c = static_cast<unsigned char>(s[static_cast<std::size_t>(i)]);
    if (i == 1 ? (c < lo || c > hi) : !is_utf8_continuation(c)) return -i;
  }
  return need + 1;
}

}  // namespace chatd::chat
