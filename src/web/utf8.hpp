#pragma once
// UTF-8 validation (RFC 3629): whole strings, or a stream fed in pieces.
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace chatd::web {

// Incremental validator: a message split anywhere (even inside a code point)
// fails at the first byte that cannot begin a valid sequence, so an invalid
// prefix is caught before the rest arrives. Rejects overlong forms,
// surrogates (U+D800..U+DFFF) and code points above U+10FFFF.
// Plain value (3 bytes of state); owned by whoever feeds it.
class Utf8Validator {
 public:
  // False once the bytes seen so far cannot start valid UTF-8; stays false.
  bool feed(std::string_view bytes);
  // True when everything fed so far is valid and no code point is cut.
  bool complete() const { return ok_ && need_ == 0; }
  bool ok() const { return ok_; }
  void reset() { *this = Utf8Validator{}; }

 private:
  std::uint8_t need_ = 0;    // continuation bytes still expected
  std::uint8_t lo_ = 0x80;   // allowed range of the next continuation byte
  std::uint8_t hi_ = 0xBF;
  bool ok_ = true;
};

bool valid_utf8(std::string_view s);

}  // namespace chatd::web
