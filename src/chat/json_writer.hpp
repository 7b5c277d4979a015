#pragma once
// Appending JSON to a std::string: escaped strings (always valid UTF-8 out,
// whatever bytes come in), integers, RFC 3339 times, and a flat object
// builder. For the JSON dialect; no allocation beyond the string's growth.
#include <cstdint>
#include <string>
#include <string_view>

namespace chatd::chat {

// Appends `s` as a JSON string, quotes included. Escapes '"', '\\', every
// byte below 0x20 and U+2028/U+2029 (line terminators to JavaScript's
// eval). Ill-formed UTF-8 becomes U+FFFD, one per maximal subpart (as
// sanitize() does): a browser closes a WebSocket on invalid UTF-8 in a text
// frame, and not everything rendered went through sanitize().
void append_json_string(std::string& out, std::string_view s);

void append_json_uint(std::string& out, std::uint64_t n);

// `ms` since the Unix epoch as a quoted RFC 3339 UTC time with
// milliseconds: "2026-12-02T09:14:03.250Z". Years outside 0..9999 (never
// seen in practice) are written with as many digits as they need.
void append_json_time(std::string& out, std::int64_t ms);

// Writes one flat JSON object field by field: the constructor opens it with
// its "type", close() ends it. Keys are the caller's literals, written
// verbatim (never escaped). Borrows `out`; lives for one render call.
class JsonObject {
 public:
  JsonObject(std::string& out, std::string_view type) : out_(out) {
    out_ += "{\"type\":\"";
    out_ += type;
    out_ += '"';
  }
  JsonObject& str(std::string_view key, std::string_view value) {
    this->key(key);
    append_json_string(out_, value);
    return *this;
  }
  JsonObject& uint(std::string_view key, std::uint64_t value) {
    this->key(key);
    append_json_uint(out_, value);
    return *this;
  }
  JsonObject& time(std::string_view key, std::int64_t ms) {
    this->key(key);
    append_json_time(out_, ms);
    return *this;
  }
  // A time, or null when `ms` is 0 (the event's "unknown").
  JsonObject& time_or_null(std::string_view key, std::int64_t ms) {
    if (ms == 0) return raw(key, "null");
    return time(key, ms);
  }
  JsonObject& boolean(std::string_view key, bool value) { return raw(key, value ? "true" : "false"); }
  // `json` must already be valid JSON (an array built by the caller, null).
  JsonObject& raw(std::string_view key, std::string_view json) {
    this->key(key);
    out_ += json;
    return *this;
  }
  // Writes `"key":` and returns the string, for a value the caller builds
  // in place (an array).
  std::string& key(std::string_view key) {
    out_ += ",\"";
    out_ += key;
    out_ += "\":";
    return out_;
  }
  void close() { out_ += '}'; }

 private:
  std::string& out_;
};

}  // namespace chatd::chat
