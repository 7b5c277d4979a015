#include "chat/json_writer.hpp"

#include <charconv>

#include "chat/utc_time.hpp"
#include "chat/utf8_sequence.hpp"

namespace chatd::chat {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD


void append_escaped_ascii(std::string& out, unsigned char c) {
  switch (c) {
    case '"':
      out += "\\\"";
      return;
    case '\\':
      out += "\\\\";
      return;
    case '\n':
      out += "\\n";
      return;
    case '\r':
      out += "\\r";
      return;
    case '\t':
      out += "\\t";
      return;
    case '\b':
      out += "\\b";
      return;
    case '\f':
      out += "\\f";
      return;
    default: {
      constexpr std::string_view kHex = "0123456789abcdef";
      const char u[6] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 0xF]};
      out.append(u, sizeof u);
    }
  }
}

// Two digits, zero-padded.
char* put2(char* p, unsigned v) {
  p[0] = static_cast<char>('0' + v / 10);
  p[1] = static_cast<char>('0' + v % 10);
  return p + 2;
}

constexpr std::int64_t floor_mod(std::int64_t a, std::int64_t b) {
  const std::int64_t r = a % b;
  return r < 0 ? r + b : r;
}

}  // namespace

void append_json_string(std::string& out, std::string_view s) {
  out += '"';
  std::size_t run = 0;  // start of the bytes not yet copied, which need no escaping
  std::size_t i = 0;
  const auto flush = [&] { out.append(s.data() + run, i - run); };
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      if (c >= 0x20 && c != '"' && c != '\\') {
        ++i;
        continue;
      }
      flush();
      append_escaped_ascii(out, c);
      run = ++i;
      continue;
    }
    const int len = utf8_sequence_length(s.substr(i));
    if (len < 0) {
      flush();
      out += kReplacement;
      i += static_cast<std::size_t>(-len);
      run = i;
      continue;
    }
    // U+2028 LINE SEPARATOR, U+2029 PARAGRAPH SEPARATOR: E2 80 A8 / E2 80 A9.
    if (c == 0xE2 && static_cast<unsigned char>(s[i + 1]) == 0x80 &&
        (static_cast<unsigned char>(s[i + 2]) & 0xFE) == 0xA8) {
      flush();
      out += static_cast<unsigned char>(s[i + 2]) == 0xA8 ? "\\u2028" : "\\u2029";
      i += 3;
      run = i;
      continue;
    }
    i += static_cast<std::size_t>(len);
  }
  flush();
  out += '"';
}

void append_json_uint(std::string& out, std::uint64_t n) {
  char buf[20];
  const auto r = std::to_chars(buf, buf + sizeof buf, n);
  out.append(buf, r.ptr);
}

void append_json_time(std::string& out, std::int64_t ms) {
  const UtcTime t = utc_time(ms);
  const auto ms_of_minute = static_cast<unsigned>(floor_mod(ms, 60'000));
  char buf[48];
  char* p = buf;
  *p++ = '"';
  if (t.year >= 0 && t.year <= 9999) {
    const auto y = static_cast<unsigned>(t.year);
    p = put2(p, y / 100);
    p = put2(p, y % 100);
  } else {
    p = std::to_chars(p, buf + 24, t.year).ptr;
  }
  *p++ = '-';
  p = put2(p, t.month);
  *p++ = '-';
  p = put2(p, t.day);
  *p++ = 'T';
  p = put2(p, t.hour);
  *p++ = ':';
  p = put2(p, t.minute);
  *p++ = ':';
  p = put2(p, ms_of_minute / 1000);
  *p++ = '.';
  const unsigned milli = ms_of_minute % 1000;
  *p++ = static_cast<char>('0' + milli / 100);
  p = put2(p, milli % 100);
  *p++ = 'Z';
  *p++ = '"';
  out.append(buf, p);
}

}  // namespace chatd::chat
