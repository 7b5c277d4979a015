// sanitize(): what others see of a client's text is valid, inert UTF-8.
#include <doctest/doctest.h>

#include <string>

#include "chat/sanitize.hpp"

using chatd::chat::fold_case;
using chatd::chat::sanitize;
using chatd::chat::utf8_length;
using namespace std::string_literals;

namespace {
const std::string kFffd = "\xEF\xBF\xBD";
}

TEST_CASE("sanitize: plain ASCII passes, trimmed") {
  CHECK(sanitize("hello world") == "hello world");
  CHECK(sanitize("  hello  ") == "hello");
  CHECK(sanitize("\t hello \t") == "hello");
  CHECK(sanitize("a\tb") == "a\tb");
  CHECK(sanitize("") == "");
  CHECK(sanitize("   ") == "");
  CHECK(sanitize(" \t ") == "");
  CHECK(sanitize("~!@#$%^&*()_+{}|:\"<>?`-=[]\\;',./") == "~!@#$%^&*()_+{}|:\"<>?`-=[]\\;',./");
}

TEST_CASE("sanitize: valid UTF-8 is kept") {
  CHECK(sanitize("Usuário-58334") == "Usuário-58334");
  CHECK(sanitize("✅ Sala 'REDES' criada") == "✅ Sala 'REDES' criada");
  CHECK(sanitize("⚠️ emoji with VS16") == "⚠️ emoji with VS16");
  CHECK(sanitize("\xF0\x9F\x91\x8B") == "\xF0\x9F\x91\x8B");                  // U+1F44B
  CHECK(sanitize("\xF4\x8F\xBF\xBF") == "\xF4\x8F\xBF\xBF");                  // U+10FFFF
  CHECK(sanitize("\xC2\xA0x") == "\xC2\xA0x");                                // U+00A0, first after C1
  CHECK(sanitize("\xED\x9F\xBF") == "\xED\x9F\xBF");                          // U+D7FF
  CHECK(sanitize("\xEE\x80\x80") == "\xEE\x80\x80");                          // U+E000
  CHECK(sanitize("  ção  ") == "ção");
}

TEST_CASE("sanitize: invalid UTF-8 becomes U+FFFD") {
  CHECK(sanitize("a\xFF"
                 "b") == "a" + kFffd + "b");
  CHECK(sanitize("\x80") == kFffd);                        // stray continuation
  CHECK(sanitize("\x80\x80") == kFffd + kFffd);            // one each
  CHECK(sanitize("a\xC3") == "a" + kFffd);                 // truncated at the end
  CHECK(sanitize("\xE2\x82 x") == kFffd + " x");           // truncated 3-byte: one U+FFFD
  CHECK(sanitize("\xF0\x9F\x91x") == kFffd + "x");         // truncated 4-byte: one U+FFFD
  CHECK(sanitize("\xF5\x80\x80\x80") == kFffd + kFffd + kFffd + kFffd);
  CHECK(sanitize("\xFE\xFF") == kFffd + kFffd);
  // A raw C1 byte is not UTF-8 either: replaced, never passed through.
  CHECK(sanitize("a\x9B"
                 "31m") == "a" + kFffd + "31m");
}

TEST_CASE("sanitize: overlongs, surrogates and > U+10FFFF are rejected") {
  CHECK(sanitize("\xC0\xAF") == kFffd + kFffd);                   // overlong '/'
  CHECK(sanitize("\xC1\xBF") == kFffd + kFffd);
  CHECK(sanitize("\xE0\x80\xAF") == kFffd + kFffd + kFffd);       // overlong 3-byte
  CHECK(sanitize("\xE0\x9F\xBF") == kFffd + kFffd + kFffd);
  CHECK(sanitize("\xF0\x80\x80\xAF") == kFffd + kFffd + kFffd + kFffd);
  CHECK(sanitize("\xF0\x8F\xBF\xBF") == kFffd + kFffd + kFffd + kFffd);
  CHECK(sanitize("\xED\xA0\x80") == kFffd + kFffd + kFffd);       // U+D800
  CHECK(sanitize("\xED\xBF\xBF") == kFffd + kFffd + kFffd);       // U+DFFF
  CHECK(sanitize("\xF4\x90\x80\x80") == kFffd + kFffd + kFffd + kFffd);  // U+110000
  // An overlong NUL must not sneak a control through.
  CHECK(sanitize("a\xC0\x80"
                 "b") == "a" + kFffd + kFffd + "b");
}

TEST_CASE("sanitize: terminal control sequences are defused") {
  // ESC, BEL, BS, CR, NUL, DEL go; the printable rest of the sequence stays inert.
  CHECK(sanitize("\x1b[31mred\x1b[0m") == "[31mred[0m");
  CHECK(sanitize("\x1b]0;pwned\x07title") == "]0;pwnedtitle");        // OSC ... BEL
  CHECK(sanitize("\x1b]2;x\x1b\\y") == "]2;x\\y");                   // OSC ... ST
  CHECK(sanitize("bell\x07\x07") == "bell");
  CHECK(sanitize("back\x08\x08\x08spaced") == "backspaced");
  CHECK(sanitize("a\rb") == "ab");
  CHECK(sanitize("a\x00"
                 "b"s) == "ab");
  CHECK(sanitize("del\x7f") == "del");
  CHECK(sanitize("\x0b\x0c\x1f") == "");
  // C1 controls U+0080..U+009F (CSI is U+009B) are removed.
  CHECK(sanitize("a\xC2\x9B"
                 "31mb") == "a31mb");
  CHECK(sanitize("\xC2\x80\xC2\x85\xC2\x9F") == "");
  // TAB survives, inside and between.
  CHECK(sanitize("x\ty\x1b\tz") == "x\ty\tz");
}

TEST_CASE("sanitize: trimming happens after controls are removed") {
  CHECK(sanitize("\x07 nick \x1b") == "nick");
  CHECK(sanitize(" \xC2\x85 Fox Mulder \x7f ") == "Fox Mulder");
  CHECK(sanitize("\x1b \t") == "");
  // Only space and TAB are trimmed: U+00A0 is content.
  CHECK(sanitize("\xC2\xA0x\xC2\xA0") == "\xC2\xA0x\xC2\xA0");
}

TEST_CASE("utf8_length counts code points") {
  CHECK(utf8_length("") == 0);
  CHECK(utf8_length("abc") == 3);
  CHECK(utf8_length("Usuário") == 7);
  CHECK(utf8_length("✅") == 1);
  CHECK(utf8_length("⚠️") == 2);  // U+26A0 U+FE0F
  CHECK(utf8_length("\xF0\x9F\x91\x8B!") == 2);
  CHECK(utf8_length(sanitize("\xFF\xFF")) == 2);
}

TEST_CASE("fold_case is ASCII lower-casing") {
  CHECK(fold_case("SAIR_CHAT") == "sair_chat");
  CHECK(fold_case("Fox Mulder") == "fox mulder");
  CHECK(fold_case("@[`{") == "@[`{");
  // Non-ASCII is left as is (nicknames compare ASCII-insensitively only).
  CHECK(fold_case("USUÁRIO") == "usuÁrio");
}
