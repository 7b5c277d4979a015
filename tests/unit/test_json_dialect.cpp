// The JSON dialect (docs/web-protocol.md): exact frames for the common
// types, the escaping of arbitrary bytes (always valid JSON, always valid
// UTF-8: a browser closes a WebSocket on anything else), and every event
// kind and error code rendering one object with a "type".
#include <doctest/doctest.h>

#include <cstdint>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "chat/dialect.hpp"
#include "chat/event.hpp"
#include "chat/json_dialect.hpp"
#include "chat/json_writer.hpp"

using chatd::chat::append_json_string;
using chatd::chat::append_json_time;
using chatd::chat::dialect;
using chatd::chat::Dialect;
using chatd::chat::DialectId;
using chatd::chat::error_code_name;
using chatd::chat::ErrorCode;
using chatd::chat::Event;
using chatd::chat::EventKind;

namespace {

const Dialect& json = dialect(DialectId::Json);

constexpr EventKind kLastKind = EventKind::ClusterResumed;  // test_dialect.cpp's listed() guards these
constexpr ErrorCode kLastError = ErrorCode::ClusterUnavailable;

constexpr std::int64_t k140303 = 1796220183250;  // 2026-12-02T14:03:03.250Z

// ------------------------------------------------------------ a strict JSON reader
// RFC 8259, plus: the text must be valid UTF-8 (what a browser checks in a
// text frame). Decodes strings so tests can compare them with the input.

bool valid_utf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    int need = 0;
    unsigned char lo = 0x80, hi = 0xBF;
    if (c < 0x80) { ++i; continue; }
    if (c >= 0xC2 && c <= 0xDF) need = 1;
    else if (c >= 0xE0 && c <= 0xEF) { need = 2; if (c == 0xE0) lo = 0xA0; if (c == 0xED) hi = 0x9F; }
    else if (c >= 0xF0 && c <= 0xF4) { need = 3; if (c == 0xF0) lo = 0x90; if (c == 0xF4) hi = 0x8F; }
    else return false;
    for (int k = 1; k <= need; ++k) {
      if (i + static_cast<std::size_t>(k) >= s.size()) return false;
      const auto b = static_cast<unsigned char>(s[i + static_cast<std::size_t>(k)]);
      if (k == 1 ? (b < lo || b > hi) : (b & 0xC0) != 0x80) return false;
    }
    i += static_cast<std::size_t>(need) + 1;
  }
  return true;
}

void put_utf8(std::string& out, std::uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

class JsonReader {
 public:
  explicit JsonReader(std::string_view s) : s_(s) {}

  // The whole text is one value (no trailing bytes, not even a newline).
  bool document() {
    if (!valid_utf8(s_)) return false;
    ws();
    if (!value()) return false;
    ws();
    return i_ == s_.size();
  }
  // Top-level members of the object just read: key -> raw JSON text.
  const std::map<std::string, std::string>& top() const { return top_; }

  static std::optional<std::string> decode_string(std::string_view text) {
    JsonReader r(text);
    std::string out;
    if (!r.string(&out) || r.i_ != text.size()) return std::nullopt;
    return out;
  }

 private:
  bool eat(char c) {
    if (i_ < s_.size() && s_[i_] == c) { ++i_; return true; }
    return false;
  }
  void ws() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\n' || s_[i_] == '\r')) ++i_;
  }
  bool literal(std::string_view w) {
    if (s_.substr(i_, w.size()) != w) return false;
    i_ += w.size();
    return true;
  }
  bool value() {
    if (++depth_ > 64) return false;
    bool ok = false;
    if (i_ >= s_.size()) ok = false;
    else if (s_[i_] == '{') ok = object();
    else if (s_[i_] == '[') ok = array();
    else if (s_[i_] == '"') ok = string(nullptr);
    else if (s_[i_] == 't') ok = literal("true");
    else if (s_[i_] == 'f') ok = literal("false");
    else if (s_[i_] == 'n') ok = literal("null");
    else ok = number();
    --depth_;
    return ok;
  }
  bool object() {
    const bool outer = depth_ == 1;
    ++i_;
    ws();
    if (eat('}')) return true;
    std::set<std::string> keys;
    do {
      ws();
      std::string key;
      if (!string(&key)) return false;
      if (!keys.insert(key).second) return false;  // no duplicate keys in our frames
      ws();
      if (!eat(':')) return false;
      ws();
      const std::size_t start = i_;
      if (!value()) return false;
      if (outer) top_[key] = std::string(s_.substr(start, i_ - start));
      ws();
    } while (eat(','));
    return eat('}');
  }
  bool array() {
    ++i_;
    ws();
    if (eat(']')) return true;
    do {
      ws();
      if (!value()) return false;
      ws();
    } while (eat(','));
    return eat(']');
  }
  bool number() {
    const std::size_t start = i_;
    eat('-');
    if (eat('0')) {
    } else if (i_ < s_.size() && s_[i_] >= '1' && s_[i_] <= '9') {
      while (i_ < s_.size() && s_[i_] >= '0' && s_[i_] <= '9') ++i_;
    } else {
      return false;
    }
    if (eat('.')) {
      const std::size_t d = i_;
      while (i_ < s_.size() && s_[i_] >= '0' && s_[i_] <= '9') ++i_;
      if (i_ == d) return false;
    }
    if (eat('e') || eat('E')) {
      if (!eat('+')) eat('-');
      const std::size_t d = i_;
      while (i_ < s_.size() && s_[i_] >= '0' && s_[i_] <= '9') ++i_;
      if (i_ == d) return false;
    }
    return i_ > start;
  }
  bool hex4(std::uint32_t& v) {
    if (i_ + 4 > s_.size()) return false;
    v = 0;
    for (int k = 0; k < 4; ++k) {
      const char c = s_[i_++];
      v <<= 4;
      if (c >= '0' && c <= '9') v |= static_cast<std::uint32_t>(c - '0');
      else if (c >= 'a' && c <= 'f') v |= static_cast<std::uint32_t>(c - 'a' + 10);
      else if (c >= 'A' && c <= 'F') v |= static_cast<std::uint32_t>(c - 'A' + 10);
      else return false;
    }
    return true;
  }
  bool string(std::string* out) {
    if (!eat('"')) return false;
    while (i_ < s_.size()) {
      const auto c = static_cast<unsigned char>(s_[i_++]);
      if (c == '"') return true;
      if (c < 0x20) return false;  // raw control characters are not JSON
      if (c != '\\') {
        if (out) *out += static_cast<char>(c);
        continue;
      }
      if (i_ >= s_.size()) return false;
      const char esc = s_[i_++];
      char plain = 0;
      switch (esc) {
        case '"': plain = '"'; break;
        case '\\': plain = '\\'; break;
        case '/': plain = '/'; break;
        case 'b': plain = '\b'; break;
        case 'f': plain = '\f'; break;
        case 'n': plain = '\n'; break;
        case 'r': plain = '\r'; break;
        case 't': plain = '\t'; break;
        case 'u': {
          std::uint32_t cp = 0;
          if (!hex4(cp)) return false;
          if (cp >= 0xDC00 && cp <= 0xDFFF) return false;  // a lone low surrogate
          if (cp >= 0xD800 && cp <= 0xDBFF) {
            std::uint32_t low = 0;
            if (!literal("\\u") || !hex4(low) || low < 0xDC00 || low > 0xDFFF) return false;
            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
          }
          if (out) put_utf8(*out, cp);
          continue;
        }
        default: return false;
      }
      if (out) *out += plain;
    }
    return false;
  }

  std::string_view s_;
  std::size_t i_ = 0;
  int depth_ = 0;
  std::map<std::string, std::string> top_;
};

// Parses `text` as one JSON object with a string "type"; its top-level
// members (raw JSON), or nothing.
std::optional<std::map<std::string, std::string>> parse_object(std::string_view text) {
  JsonReader r(text);
  if (text.empty() || text.front() != '{' || !r.document()) return std::nullopt;
  const auto& top = r.top();
  const auto type = top.find("type");
  if (type == top.end() || !JsonReader::decode_string(type->second)) return std::nullopt;
  return top;
}

std::string quoted(std::string_view s) {
  std::string out;
  append_json_string(out, s);
  return out;
}

std::string time_of(std::int64_t ms) {
  std::string out;
  append_json_time(out, ms);
  return out;
}

const std::vector<std::string> kNames{"REDES", "REDES2"};
const std::vector<std::string> kDetails{"estudando", ""};

Event sample(EventKind k, ErrorCode e = {}) {
  return {.kind = k, .error = e, .nick = "Math", .room = "REDES", .text = "/xyz", .other = "Lara",
          .names = kNames, .details = kDetails, .number = 4096, .time_ms = k140303};
}

std::vector<Event> every_event() {
  std::vector<Event> all;
  for (int k = 0; k <= static_cast<int>(kLastKind); ++k)
    if (static_cast<EventKind>(k) != EventKind::Error) all.push_back(sample(static_cast<EventKind>(k)));
  for (int e = 0; e <= static_cast<int>(kLastError); ++e)
    all.push_back(sample(EventKind::Error, static_cast<ErrorCode>(e)));
  return all;
}

}  // namespace

// ------------------------------------------------------------------ the frames

TEST_CASE("json: the dialect is registered as \"json\"") {
  CHECK(json.id() == DialectId::Json);
  CHECK(json.name() == "json");
  CHECK(chatd::chat::parse_dialect("json") == DialectId::Json);
}

TEST_CASE("json: times are RFC 3339 UTC with milliseconds") {
  CHECK(time_of(0) == "\"1970-01-01T00:00:00.000Z\"");
  CHECK(time_of(k140303) == "\"2026-12-02T14:03:03.250Z\"");
  CHECK(time_of(1700000000000) == "\"2023-11-14T22:13:20.000Z\"");
  CHECK(time_of(-1) == "\"1969-12-31T23:59:59.999Z\"");
  CHECK(time_of(951782400007) == "\"2000-02-29T00:00:00.007Z\"");
  CHECK(time_of(253402300799999) == "\"9999-12-31T23:59:59.999Z\"");
  CHECK(time_of(-62135596800000) == "\"0001-01-01T00:00:00.000Z\"");
}

TEST_CASE("json: room events carry seq and time") {
  CHECK(json.render({.kind = EventKind::Message, .nick = "Math", .room = "REDES", .text = "oi, tudo bem?",
                     .number = 42, .time_ms = k140303}) ==
        R"({"type":"message","room":"REDES","nick":"Math","text":"oi, tudo bem?","seq":42,"time":"2026-12-02T14:03:03.250Z"})");
  CHECK(json.render({.kind = EventKind::Joined, .nick = "Lari", .room = "REDES", .number = 7, .time_ms = k140303}) ==
        R"({"type":"join","room":"REDES","nick":"Lari","after":7,"time":"2026-12-02T14:03:03.250Z"})");
  CHECK(json.render({.kind = EventKind::Left, .nick = "Lari", .room = "REDES", .number = 8, .time_ms = 0}) ==
        R"({"type":"leave","room":"REDES","nick":"Lari","after":8,"time":"1970-01-01T00:00:00.000Z"})");
  CHECK(json.render({.kind = EventKind::Quit, .nick = "Fox Mulder", .room = "REDES2", .number = 9,
                     .time_ms = k140303}) ==
        R"({"type":"quit","room":"REDES2","nick":"Fox Mulder","after":9,"time":"2026-12-02T14:03:03.250Z"})");
  CHECK(json.render({.kind = EventKind::TopicChanged, .nick = "Lari", .room = "REDES", .text = "Prova na sexta",
                     .number = 10, .time_ms = k140303}) ==
        R"({"type":"topic_changed","room":"REDES","nick":"Lari","topic":"Prova na sexta","after":10,"time":"2026-12-02T14:03:03.250Z"})");
  CHECK(json.render({.kind = EventKind::TopicChanged, .nick = "Lari", .room = "REDES", .number = 11,
                     .time_ms = k140303}) ==
        R"({"type":"topic_changed","room":"REDES","nick":"Lari","topic":"","after":11,"time":"2026-12-02T14:03:03.250Z"})");
  CHECK(json.render({.kind = EventKind::NickChanged, .nick = "Lari", .room = "REDES", .other = "Lara",
                     .number = 12, .time_ms = k140303}) ==
        R"({"type":"nick_changed","room":"REDES","nick":"Lari","new_nick":"Lara","after":12,"time":"2026-12-02T14:03:03.250Z"})");
  CHECK(json.render({.kind = EventKind::HistoryMessage, .nick = "Lari", .room = "REDES", .text = "texto",
                     .number = 3, .time_ms = k140303}) ==
        R"({"type":"history","room":"REDES","nick":"Lari","text":"texto","seq":3,"time":"2026-12-02T14:03:03.250Z"})");
  // The largest seq is written in full.
  CHECK(json.render({.kind = EventKind::Message, .nick = "a", .room = "b", .text = "c",
                     .number = UINT64_MAX, .time_ms = 0})
            .find(R"("seq":18446744073709551615,)") != std::string::npos);
}

TEST_CASE("json: login and accounts") {
  CHECK(json.render(Event::of(EventKind::Prompt)) == R"({"type":"prompt","want":"nick"})");
  CHECK(json.render({.kind = EventKind::PasswordPrompt, .nick = "Lari"}) ==
        R"({"type":"prompt","want":"password","nick":"Lari"})");
  CHECK(json.render({.kind = EventKind::Welcome, .nick = "Lari"}) == R"({"type":"welcome","nick":"Lari"})");
  CHECK(json.render({.kind = EventKind::Identified, .nick = "Lari"}) == R"({"type":"identified","nick":"Lari"})");
  CHECK(json.render({.kind = EventKind::AccountRegistered, .nick = "Lari"}) ==
        R"({"type":"registered","nick":"Lari"})");
  CHECK(json.render(Event::of(EventKind::PasswordChanged)) == R"({"type":"password_changed"})");
}

TEST_CASE("json: help is line-en's command list") {
  const std::string help = json.render(Event::of(EventKind::Help));
  CHECK(help.starts_with(R"({"type":"help","text":"Commands:\n/rooms (/salas) - list the rooms\n)"));
  CHECK(help.ends_with(R"(/help (/ajuda) - this list"})"));
  const auto top = parse_object(help);
  REQUIRE(top);
  const auto text = JsonReader::decode_string(top->at("text"));
  REQUIRE(text);
  CHECK(*text + "\n" == dialect(DialectId::LineEn).render(Event::of(EventKind::Help)));
}

TEST_CASE("json: rooms, joining and leaving") {
  CHECK(json.render({.kind = EventKind::RoomList, .page = 1, .page_size = 100}) ==
        R"({"type":"rooms","rooms":[],"total":0,"page":1,"pages":1})");
  CHECK(json.render({.kind = EventKind::RoomList, .names = kNames, .number = 2, .page = 1, .page_size = 100}) ==
        R"({"type":"rooms","rooms":["REDES","REDES2"],"total":2,"page":1,"pages":1})");
  CHECK(json.render({.kind = EventKind::RoomList, .text = "re", .names = kNames, .number = 250, .flag = true,
                     .page = 2, .page_size = 100}) ==
        R"({"type":"rooms","rooms":["REDES","REDES2"],"total":250,"page":2,"pages":3})");
  CHECK(json.render({.kind = EventKind::RoomList, .number = 250, .flag = true, .page = 9, .page_size = 100}) ==
        R"({"type":"rooms","rooms":[],"total":250,"page":9,"pages":3})");
  CHECK(json.render({.kind = EventKind::RoomCreated, .room = "REDES"}) == R"({"type":"room_created","room":"REDES"})");
  CHECK(json.render({.kind = EventKind::JoinedSelf, .room = "REDES"}) == R"({"type":"joined","room":"REDES"})");
  CHECK(json.render(Event::of(EventKind::LeftSelf)) == R"({"type":"left"})");
  CHECK(json.render(Event::of(EventKind::QuitSelf)) == R"({"type":"bye"})");
  CHECK(json.render({.kind = EventKind::HistoryEmpty, .room = "REDES"}) == R"({"type":"history_empty","room":"REDES"})");
  CHECK(json.render({.kind = EventKind::Topic, .room = "REDES", .text = "Prova"}) ==
        R"({"type":"topic","room":"REDES","topic":"Prova"})");
  CHECK(json.render({.kind = EventKind::Topic, .room = "REDES"}) == R"({"type":"topic","room":"REDES","topic":""})");
}

TEST_CASE("json: members with their statuses") {
  const std::vector<std::string> names{"Lari", "Math", "Fox Mulder"};
  const std::vector<std::string> statuses{"estudando", ""};  // shorter: the rest have none
  CHECK(json.render({.kind = EventKind::MemberList, .room = "REDES", .names = names, .details = statuses}) ==
        R"({"type":"members","room":"REDES","members":[{"nick":"Lari","status":"estudando"},)"
        R"({"nick":"Math","status":""},{"nick":"Fox Mulder","status":""}]})");
  CHECK(json.render({.kind = EventKind::MemberList, .room = "R"}) == R"({"type":"members","room":"R","members":[]})");
}

TEST_CASE("json: private messages, nicknames, statuses") {
  CHECK(json.render({.kind = EventKind::PrivateFrom, .nick = "Lari", .text = "oi", .time_ms = k140303}) ==
        R"({"type":"private","from":"Lari","text":"oi","time":"2026-12-02T14:03:03.250Z"})");
  CHECK(json.render({.kind = EventKind::PrivateTo, .nick = "Math", .text = "oi"}) ==
        R"({"type":"private_sent","to":"Math","text":"oi"})");
  CHECK(json.render({.kind = EventKind::PrivateQueued, .nick = "Math"}) == R"({"type":"private_queued","to":"Math"})");
  CHECK(json.render({.kind = EventKind::NickChangedSelf, .nick = "Lara"}) == R"({"type":"nick","nick":"Lara"})");
  CHECK(json.render({.kind = EventKind::StatusSet, .text = "estudando"}) == R"({"type":"status","status":"estudando"})");
  CHECK(json.render(Event::of(EventKind::StatusCleared)) == R"({"type":"status","status":""})");
}

TEST_CASE("json: whois, with null for the unknown times") {
  CHECK(json.render({.kind = EventKind::Whois, .nick = "Lari", .room = "REDES", .text = "estudando",
                     .number = 951782400000, .flag = true}) ==
        R"({"type":"whois","nick":"Lari","online":true,"status":"estudando","room":"REDES",)"
        R"("registered":"2000-02-29T00:00:00.000Z","last_seen":null})");
  CHECK(json.render({.kind = EventKind::Whois, .nick = "Math", .time_ms = k140303}) ==
        R"({"type":"whois","nick":"Math","online":false,"status":"","room":"","registered":null,)"
        R"("last_seen":"2026-12-02T14:03:03.250Z"})");
}

TEST_CASE("json: --cluster's paused and resumed notices name the room") {
  CHECK(json.render({.kind = EventKind::ClusterPaused, .room = "REDES"}) ==
        R"({"type":"cluster_paused","room":"REDES"})");
  CHECK(json.render({.kind = EventKind::ClusterResumed, .room = "REDES 2"}) ==
        R"({"type":"cluster_resumed","room":"REDES 2"})");
}

TEST_CASE("json: errors carry a code, line-en's text, and their field") {
  CHECK(json.render({.kind = EventKind::Error, .error = ErrorCode::NickTaken, .nick = "Lari"}) ==
        R"({"type":"error","code":"nick_taken","message":"The nickname 'Lari' is taken. Choose another.","nick":"Lari"})");
  CHECK(json.render({.kind = EventKind::Error, .error = ErrorCode::AlreadyInRoom, .room = "REDES"}) ==
        R"({"type":"error","code":"already_in_room","message":"You are already in room 'REDES'.","room":"REDES"})");
  CHECK(json.render({.kind = EventKind::Error, .error = ErrorCode::UnknownCommand, .text = "/xyz"}) ==
        R"({"type":"error","code":"unknown_command","message":"Unknown command: /xyz. Use /help to list the commands.","command":"/xyz"})");
  CHECK(json.render({.kind = EventKind::Error, .error = ErrorCode::LineTooLong, .number = 4096}) ==
        R"({"type":"error","code":"line_too_long","message":"Line too long (at most 4096 bytes): discarded.","limit":4096})");
  CHECK(json.render({.kind = EventKind::Error, .error = ErrorCode::TopicTooLong, .number = 256}) ==
        R"({"type":"error","code":"topic_too_long","message":"Topic too long (at most 256 characters).","limit":256})");
  CHECK(json.render(Event::error_of(ErrorCode::NoSuchRoom)) ==
        R"({"type":"error","code":"no_such_room","message":"No such room. Use /rooms to list them or /create to make a new one."})");
  CHECK(json.render(Event::error_of(ErrorCode::WrongPassword)) ==
        R"({"type":"error","code":"wrong_password","message":"Wrong password."})");
  // Fields are escaped inside the message too.
  CHECK(json.render({.kind = EventKind::Error, .error = ErrorCode::NoSuchNick, .nick = "a\"b"}) ==
        R"({"type":"error","code":"no_such_nick","message":"Nobody is called 'a\"b' (neither online nor registered).","nick":"a\"b"})");
}

TEST_CASE("json: the error codes are docs/web-protocol.md's, one per ErrorCode") {
  const std::set<std::string_view> documented{
      "nick_taken", "nick_invalid", "room_exists", "room_invalid", "room_limit",
      "room_rate_limited", "no_such_room", "already_in_room", "not_in_room",
      "message_outside_room", "usage_create", "usage_join", "unknown_command",
      "line_too_long", "login_timeout", "slow_consumer", "shutting_down",
      "server_full", "too_many_from_ip", "flood", "wrong_password",
      "too_many_attempts", "login_throttled", "password_invalid",
      "not_registered", "already_registered", "already_identified",
      "not_identified", "nick_registered", "no_such_nick",
      "not_in_room_for_command", "storage_unavailable", "usage_register",
      "usage_identify", "usage_password", "usage_history", "usage_msg",
      "usage_nick", "usage_whois", "topic_too_long", "status_too_long", "tls_required",
      "messages_lost", "cluster_unavailable"};
  std::set<std::string_view> seen;
  for (int e = 0; e <= static_cast<int>(kLastError); ++e) {
    const std::string_view name = error_code_name(static_cast<ErrorCode>(e));
    CAPTURE(name);
    CHECK(documented.contains(name));
    CHECK(seen.insert(name).second);
  }
  CHECK(seen == documented);
}

TEST_CASE("json: every kind and every code renders one object with a type") {
  const auto events = every_event();
  std::set<std::string> seen;
  for (const Event& e : events) {
    CAPTURE(static_cast<int>(e.kind));
    CAPTURE(static_cast<int>(e.error));
    const std::string text = json.render(e);
    CAPTURE(text);
    const auto top = parse_object(text);
    REQUIRE(top);
    CHECK(text.back() == '}');
    CHECK(text.find('\n') == std::string::npos);  // compact: one frame, no newline
    CHECK(seen.insert(text).second);
    if (e.kind == EventKind::Error) {
      CHECK(top->at("type") == R"("error")");
      CHECK(top->at("code") == quoted(error_code_name(e.error)));
      const auto message = JsonReader::decode_string(top->at("message"));
      REQUIRE(message);
      REQUIRE_FALSE(message->empty());
      // line-en's words: no sign in front, no newline behind.
      CHECK(static_cast<unsigned char>(message->front()) < 0x80);
      CHECK(message->back() != '\n');
      CHECK(dialect(DialectId::LineEn).render(e).find(*message) != std::string::npos);
    }
  }
}

TEST_CASE("json: render appends, never clears") {
  std::string out = "before|";
  json.render(Event::of(EventKind::LeftSelf), out);
  json.render(Event::of(EventKind::QuitSelf), out);
  CHECK(out == R"(before|{"type":"left"}{"type":"bye"})");
}

// ------------------------------------------------------------------ escaping

TEST_CASE("json: escaping of quotes, backslashes, controls and line separators") {
  CHECK(quoted("") == R"("")");
  CHECK(quoted("plain ascii {} %s") == R"("plain ascii {} %s")");
  CHECK(quoted("a\"b\\c/d") == R"("a\"b\\c/d")");
  CHECK(quoted("\n\r\t\b\f") == R"("\n\r\t\b\f")");
  CHECK(quoted(std::string_view("\x00\x01\x1f\x7f", 4)) == "\"\\u0000\\u0001\\u001f\x7f\"");
  CHECK(quoted("\x1b[31mred") == R"("\u001b[31mred")");
  CHECK(quoted("a\xE2\x80\xA8" "b\xE2\x80\xA9" "c") == R"("a\u2028b\u2029c")");
  // Other characters go through as UTF-8.
  CHECK(quoted("ação 👋 — \xE2\x80\xA7") == "\"ação 👋 — \xE2\x80\xA7\"");
  CHECK(quoted("\xEF\xBF\xBD") == "\"\xEF\xBF\xBD\"");
  CHECK(quoted("\xF4\x8F\xBF\xBF") == "\"\xF4\x8F\xBF\xBF\"");  // U+10FFFF
}

TEST_CASE("json: invalid UTF-8 becomes U+FFFD, one per maximal subpart") {
  const std::string r = "\xEF\xBF\xBD";
  CHECK(quoted("\xFF") == "\"" + r + "\"");
  CHECK(quoted("a\x80z") == "\"a" + r + "z\"");
  CHECK(quoted("a\xC3") == "\"a" + r + "\"");                    // truncated at the end
  CHECK(quoted("\xC3(") == "\"" + r + "(\"");                    // cut short by ASCII
  CHECK(quoted("\xC0\xAF") == "\"" + r + r + "\"");              // overlong '/'
  CHECK(quoted("\xE0\x80\xAF") == "\"" + r + r + r + "\"");      // overlong, 3 bytes
  CHECK(quoted("\xED\xA0\x80") == "\"" + r + r + r + "\"");      // a surrogate
  CHECK(quoted("\xF4\x90\x80\x80") == "\"" + r + r + r + r + "\"");  // above U+10FFFF
  CHECK(quoted("\xE2\x82") == "\"" + r + "\"");                  // a truncated '€': one subpart
  CHECK(quoted("\xF0\x9F\x91") == "\"" + r + "\"");              // a truncated emoji
  CHECK(quoted("\xE2\x80\"") == "\"" + r + "\\\"\"");            // a truncated U+2028, then a quote
}

TEST_CASE("json: every byte, alone and in context, gives valid JSON and valid UTF-8") {
  for (int b = 0; b < 256; ++b) {
    CAPTURE(b);
    const char c = static_cast<char>(b);
    // Built by appending (GCC 12 warns falsely on "literal" + std::string).
    const auto around = [c](std::string_view before, std::string_view after) {
      std::string s(before);
      s += c;
      s += after;
      return s;
    };
    for (const std::string& s : {around("", ""), around("x", "y"), std::string(3, c), around("\xE2", ""),
                                 around("\xE2\x80", ""), around("\xF0\x9F", "\x91")}) {
      const std::string text = json.render({.kind = EventKind::Message, .nick = s, .room = s, .text = s,
                                            .number = 1, .time_ms = 0});
      CAPTURE(text);
      CHECK(parse_object(text));
      const auto back = JsonReader::decode_string(quoted(s));
      REQUIRE(back);
      if (valid_utf8(s)) CHECK(*back == s);  // a valid string comes back as it was
    }
  }
}

TEST_CASE("json: random byte strings give valid JSON that decodes back when the input was valid") {
  std::mt19937 rng(20261202);
  // Bytes drawn to hit the interesting ranges often: ASCII, controls,
  // continuation bytes, lead bytes, and the pieces of U+2028.
  const std::string pool = std::string("ab \"\\/\n\t\x01\x1f\x7f\x80\xBF\xC2\xC3\xDF\xE0\xE2\xED\xEF\xF0\xF4\xF5\xFF"
                                       "\xA8\xA9\x9F\x90\x8F", 30);
  std::uniform_int_distribution<std::size_t> length(0, 48);
  std::uniform_int_distribution<std::size_t> pick(0, pool.size() - 1);
  std::uniform_int_distribution<int> any(0, 255);
  std::size_t valid_inputs = 0;
  for (int round = 0; round < 20000; ++round) {
    std::string s(length(rng), '\0');
    const bool from_pool = round % 2 == 0;
    for (char& c : s) c = from_pool ? pool[pick(rng)] : static_cast<char>(any(rng));
    const std::string text = json.render({.kind = EventKind::Message, .nick = "n", .room = "r", .text = s,
                                          .number = static_cast<std::uint64_t>(round), .time_ms = round});
    REQUIRE(parse_object(text));
    const auto back = JsonReader::decode_string(quoted(s));
    REQUIRE(back);
    CHECK(valid_utf8(*back));
    if (valid_utf8(s)) {
      ++valid_inputs;
      CHECK(*back == s);
    }
  }
  CHECK(valid_inputs > 100);  // the round trip was exercised, not only the replacement
}
