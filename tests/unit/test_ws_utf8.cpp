// The UTF-8 validator: whole strings and streams split anywhere.
#include <doctest/doctest.h>

#include <string>
#include <string_view>

#include "web/utf8.hpp"

using chatd::web::Utf8Validator;
using chatd::web::valid_utf8;

TEST_CASE("utf8: valid text") {
  CHECK(valid_utf8(""));
  CHECK(valid_utf8("hello"));
  CHECK(valid_utf8("ol\xc3\xa1, cora\xc3\xa7\xc3\xa3o"));
  CHECK(valid_utf8("\xe2\x82\xac"));          // U+20AC
  CHECK(valid_utf8("\xf0\x9f\x98\x80"));      // U+1F600
  CHECK(valid_utf8("\xf4\x8f\xbf\xbf"));      // U+10FFFF
  CHECK(valid_utf8("\xed\x9f\xbf"));          // U+D7FF
  CHECK(valid_utf8("\xee\x80\x80"));          // U+E000
  CHECK(valid_utf8(std::string_view("\0", 1)));
}

TEST_CASE("utf8: invalid text") {
  const char* bad[] = {
      "\x80",              // lone continuation
      "\xc0\x80",          // overlong NUL
      "\xc1\xbf",          // overlong
      "\xe0\x80\xaf",      // overlong '/'
      "\xe0\x9f\xbf",      // overlong
      "\xf0\x8f\xbf\xbf",  // overlong
      "\xed\xa0\x80",      // U+D800 surrogate
      "\xed\xbf\xbf",      // U+DFFF surrogate
      "\xf4\x90\x80\x80",  // U+110000
      "\xf5\x80\x80\x80",
      "\xff",
      "\xc3",              // cut
      "\xe2\x82",          // cut
      "a\xc3(",            // bad continuation
  };
  for (const char* b : bad) {
    CAPTURE(std::string_view(b));
    CHECK_FALSE(valid_utf8(b));
  }
}

TEST_CASE("utf8: incremental, at every split, fails at the first bad byte") {
  const std::string good = "a\xc3\xa1\xe2\x82\xac\xf0\x9f\x98\x80z";
  for (std::size_t cut = 0; cut <= good.size(); ++cut) {
    Utf8Validator v;
    CHECK(v.feed(std::string_view(good).substr(0, cut)));
    CHECK(v.feed(std::string_view(good).substr(cut)));
    CHECK(v.complete());
  }
  Utf8Validator v;
  CHECK(v.feed("abc\xe2"));
  CHECK_FALSE(v.complete());  // a code point is cut
  CHECK(v.ok());
  CHECK_FALSE(v.feed("\x28"));  // not a continuation byte
  CHECK_FALSE(v.feed("ok"));    // stays failed
  v.reset();
  CHECK(v.complete());
  // A surrogate's lead and second byte already fail, before its third byte.
  Utf8Validator s;
  CHECK(s.feed("\xed"));
  CHECK_FALSE(s.feed("\xa0"));
}
