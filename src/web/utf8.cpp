#include "web/utf8.hpp"

namespace chatd::web {

bool Utf8Validator::feed(std::string_view bytes) {
  if (!ok_) return false;
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  const auto* end = p + bytes.size();
  while (p != end) {
    const unsigned char c = *p++;
    if (need_ != 0) {
      if (c < lo_ || c > hi_) return ok_ = false;
      --need_;
      lo_ = 0x80;
      hi_ = 0xBF;
      continue;
    }
    if (c < 0x80) continue;
    // The second byte's range rules out overlongs (E0, F0), surrogates (ED)
    // and values past U+10FFFF (F4); C0, C1 and F5..FF never start one.
    if (c >= 0xC2 && c <= 0xDF) {
      need_ = 1;
    } else if (c >= 0xE0 && c <= 0xEF) {
      need_ = 2;
      if (c == 0xE0) lo_ = 0xA0;
      if (c == 0xED) hi_ = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      need_ = 3;
      if (c == 0xF0) lo_ = 0x90;
      if (c == 0xF4) hi_ = 0x8F;
    } else {
      return ok_ = false;
    }
  }
  return true;
}

bool valid_utf8(std::string_view s) {
  Utf8Validator v;
  return v.feed(s) && v.complete();
}

}  // namespace chatd::web
