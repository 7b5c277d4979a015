#include "json_fields.hpp"

#include <cstdint>
#include <cstring>

namespace chatd::loadgen {

namespace {

constexpr int kMaxDepth = 64;

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool read_hex4(std::string_view s, std::size_t at, std::uint32_t& v) {
  if (at + 4 > s.size()) return false;
  v = 0;
  for (std::size_t i = at; i < at + 4; ++i) {
    const int d = hex_digit(s[i]);
    if (d < 0) return false;
    v = (v << 4) | static_cast<std::uint32_t>(d);
  }
  return true;
}

void append_utf8(std::string& out, std::uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xc0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xe0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  } else {
    out += static_cast<char>(0xf0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3f));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  }
}

// s[pos] is the opening quote: moves pos past the closing one. memchr
// finds each candidate quote; one after an odd run of backslashes is
// escaped. (Raw control characters inside are let through: a client may be
// lenient, and this is the loadgen's hot path.)
bool skip_string(std::string_view s, std::size_t& pos, std::string_view& body) {
  const std::size_t start = ++pos;
  std::size_t from = start;
  while (from < s.size()) {
    const void* hit = std::memchr(s.data() + from, '"', s.size() - from);
    if (!hit) return false;
    const auto q = static_cast<std::size_t>(static_cast<const char*>(hit) - s.data());
    std::size_t backslashes = 0;
    while (q - backslashes > start && s[q - backslashes - 1] == '\\') ++backslashes;
    if (backslashes % 2 == 0) {
      body = s.substr(start, q - start);
      pos = q + 1;
      return true;
    }
    from = q + 1;
  }
  return false;
}

// s[pos] is '{' or '[': moves pos past the matching bracket.
bool skip_nested(std::string_view s, std::size_t& pos) {
  char stack[kMaxDepth];
  int depth = 0;
  std::string_view ignored;
  while (pos < s.size()) {
    const char c = s[pos];
    if (c == '"') {
      if (!skip_string(s, pos, ignored)) return false;
      continue;
    }
    if (c == '{' || c == '[') {
      if (depth == kMaxDepth) return false;
      stack[depth++] = c == '{' ? '}' : ']';
    } else if (c == '}' || c == ']') {
      if (depth == 0 || stack[depth - 1] != c) return false;
      if (--depth == 0) {
        ++pos;
        return true;
      }
    }
    ++pos;
  }
  return false;
}

}  // namespace

bool json_skip_value(std::string_view s, std::size_t& pos, std::string_view& value, bool& is_string) {
  json_skip_space(s, pos);
  if (pos >= s.size()) return false;
  const std::size_t start = pos;
  const char c = s[pos];
  is_string = c == '"';
  if (is_string) return skip_string(s, pos, value);
  if (c == '{' || c == '[') {
    if (!skip_nested(s, pos)) return false;
  } else {
    // Number or literal: up to the next delimiter.
    while (pos < s.size() && s[pos] != ',' && s[pos] != '}' && s[pos] != ']' && s[pos] != ' ' && s[pos] != '\t' &&
           s[pos] != '\n' && s[pos] != '\r')
      ++pos;
    if (pos == start) return false;
  }
  value = s.substr(start, pos - start);
  return true;
}

bool json_unescape(std::string_view raw, std::string& out) {
  out.clear();
  out.reserve(raw.size());
  for (std::size_t i = 0; i < raw.size(); ++i) {
    const char c = raw[i];
    if (c != '\\') {
      out += c;
      continue;
    }
    if (++i >= raw.size()) return false;
    switch (raw[i]) {
      case '"': out += '"'; break;
      case '\\': out += '\\'; break;
      case '/': out += '/'; break;
      case 'b': out += '\b'; break;
      case 'f': out += '\f'; break;
      case 'n': out += '\n'; break;
      case 'r': out += '\r'; break;
      case 't': out += '\t'; break;
      case 'u': {
        std::uint32_t cp = 0;
        if (!read_hex4(raw, i + 1, cp)) return false;
        i += 4;
        if (cp >= 0xdc00 && cp <= 0xdfff) return false;  // a low surrogate first
        if (cp >= 0xd800 && cp <= 0xdbff) {
          std::uint32_t lo = 0;
          if (i + 2 >= raw.size() || raw[i + 1] != '\\' || raw[i + 2] != 'u' || !read_hex4(raw, i + 3, lo) ||
              lo < 0xdc00 || lo > 0xdfff)
            return false;
          i += 6;
          cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
        }
        append_utf8(out, cp);
        break;
      }
      default:
        return false;
    }
  }
  return true;
}

std::string_view json_text(std::string_view raw, std::string& scratch, bool& ok) {
  ok = true;
  if (raw.find('\\') == std::string_view::npos) return raw;
  ok = json_unescape(raw, scratch);
  return ok ? std::string_view(scratch) : std::string_view();
}

}  // namespace chatd::loadgen
