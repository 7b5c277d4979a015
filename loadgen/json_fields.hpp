#pragma once
// Just enough JSON for reading chatd's web events: walk the top level of
// one object and unescape a string. Nested objects and arrays are skipped
// whole (their keys never match a top-level name), strings are scanned
// with their escapes, so a "text" inside a value is never taken for a key.
#include <string>
#include <string_view>

namespace chatd::loadgen {

// One top-level member. For a string, `value` is what lies between the
// quotes, escapes intact; otherwise the value's text (number, literal,
// object or array).
struct JsonMember {
  std::string_view key;  // raw, escapes intact
  std::string_view value;
  bool is_string = false;
};

// Skips whitespace at `pos`; then, by kind of the value there, moves `pos`
// past it. False when malformed. Helpers of json_members.
bool json_skip_value(std::string_view s, std::size_t& pos, std::string_view& value, bool& is_string);
inline void json_skip_space(std::string_view s, std::size_t& pos) {
  while (pos < s.size() && (s[pos] == ' ' || s[pos] == '\t' || s[pos] == '\n' || s[pos] == '\r')) ++pos;
}

// Calls f(const JsonMember&) for each top-level member of the object in
// `s`; f returns false to stop early. False when `s` is not one object
// (trailing whitespace allowed).
template <class F>
bool json_members(std::string_view s, F&& f) {
  std::size_t pos = 0;
  json_skip_space(s, pos);
  if (pos >= s.size() || s[pos] != '{') return false;
  ++pos;
  json_skip_space(s, pos);
  if (pos < s.size() && s[pos] == '}') return true;
  for (;;) {
    JsonMember m;
    bool key_is_string = false;
    if (!json_skip_value(s, pos, m.key, key_is_string) || !key_is_string) return false;
    json_skip_space(s, pos);
    if (pos >= s.size() || s[pos] != ':') return false;
    ++pos;
    if (!json_skip_value(s, pos, m.value, m.is_string)) return false;
    if (!f(static_cast<const JsonMember&>(m))) return true;
    json_skip_space(s, pos);
    if (pos >= s.size()) return false;
    if (s[pos] == '}') return true;
    if (s[pos] != ',') return false;
    ++pos;
  }
}

// Unescapes a raw JSON string body into `out` (replacing it): \" \\ \/ \b
// \f \n \r \t and \uXXXX, surrogate pairs joined, as UTF-8. False on a bad
// escape or a lone surrogate.
bool json_unescape(std::string_view raw, std::string& out);

// The string as text: `raw` itself when it holds no escape, else its
// unescaped form in `scratch`. Empty view with ok=false on a bad escape.
std::string_view json_text(std::string_view raw, std::string& scratch, bool& ok);

}  // namespace chatd::loadgen
