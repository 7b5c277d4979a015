#include <doctest/doctest.h>

#include <map>
#include <string>

#include "json_fields.hpp"

using namespace chatd::loadgen;

namespace {
// Top-level members: key → value ("s:" prefix for strings).
std::map<std::string, std::string> members(std::string_view json, bool* ok = nullptr) {
  std::map<std::string, std::string> m;
  const bool good = json_members(json, [&](const JsonMember& x) {
    m[std::string(x.key)] = (x.is_string ? "s:" : "") + std::string(x.value);
    return true;
  });
  if (ok) *ok = good;
  return m;
}

std::string unescape(std::string_view raw, bool* ok = nullptr) {
  std::string out;
  const bool good = json_unescape(raw, out);
  if (ok) *ok = good;
  return out;
}
}  // namespace

TEST_CASE("a chatd message event") {
  bool ok = false;
  auto m = members(
      R"({"type":"message","room":"lg-room0","nick":"lg1-3","text":"L 3 0 123 xx","seq":17,"time":"2026-12-02T09:14:03.250Z"})",
      &ok);
  CHECK(ok);
  CHECK(m["type"] == "s:message");
  CHECK(m["text"] == "s:L 3 0 123 xx");
  CHECK(m["seq"] == "17");
}

TEST_CASE("nested values and look-alike keys are not top-level members") {
  bool ok = false;
  auto m = members(
      R"( { "type" : "members", "members" : [ {"nick":"a","text":"no"}, {"nick":"b","status":"x"} ],)"
      R"( "note":"\"text\":\"fake\"", "x\"text":"no", "o":{"text":{"deep":[1,2,{"text":3}]}}, "n":null, "b":true } )",
      &ok);
  CHECK(ok);
  CHECK(m.count("text") == 0);
  CHECK(m["type"] == "s:members");
  CHECK(m["n"] == "null");
  CHECK(m["b"] == "true");
  CHECK(m["note"] == R"(s:\"text\":\"fake\")");
  m = members(R"({"a":"back\\","text":"t\\\"q"})", &ok);  // even and odd runs of backslashes
  CHECK(ok);
  CHECK(m["a"] == R"(s:back\\)");
  CHECK(m["text"] == R"(s:t\\\"q)");
}

TEST_CASE("stopping early") {
  int n = 0;
  CHECK(json_members(R"({"a":1,"b":2,"c":3})", [&](const JsonMember&) { return ++n < 2; }));
  CHECK(n == 2);
}

TEST_CASE("malformed objects") {
  bool ok = true;
  members("", &ok);
  CHECK_FALSE(ok);
  members("[1]", &ok);
  CHECK_FALSE(ok);
  members(R"({"a":"unterminated})", &ok);
  CHECK_FALSE(ok);
  members(R"({"a" 1})", &ok);
  CHECK_FALSE(ok);
  members(R"({"a":[1,2})", &ok);
  CHECK_FALSE(ok);
  members(R"({"a":{"b":1]})", &ok);
  CHECK_FALSE(ok);
  members(R"({1:2})", &ok);
  CHECK_FALSE(ok);
  members(R"({"a":"ends in an escaped quote\"})", &ok);
  CHECK_FALSE(ok);
  members("{}", &ok);
  CHECK(ok);
}

TEST_CASE("unescaping") {
  bool ok = false;
  CHECK(unescape(R"(say \"hi\" \\ a\/b\n\t\r\b\f)", &ok) == "say \"hi\" \\ a/b\n\t\r\b\f");
  CHECK(ok);
  CHECK(unescape(R"(\u0041\u00e9\u20ac)", &ok) == "A\xc3\xa9\xe2\x82\xac");
  CHECK(ok);
  CHECK(unescape(R"(\ud83d\ude00!)", &ok) == "\xf0\x9f\x98\x80!");  // 😀, a surrogate pair
  CHECK(ok);
  CHECK(unescape(R"(\u0000)", &ok) == std::string(1, '\0'));
  CHECK(ok);
  unescape(R"(\ud83d)", &ok);  // lone high surrogate
  CHECK_FALSE(ok);
  unescape(R"(\ud83dx\ude00)", &ok);
  CHECK_FALSE(ok);
  unescape(R"(\ude00)", &ok);  // lone low surrogate
  CHECK_FALSE(ok);
  unescape(R"(\u12)", &ok);
  CHECK_FALSE(ok);
  unescape(R"(\x)", &ok);
  CHECK_FALSE(ok);
  unescape("a\\", &ok);
  CHECK_FALSE(ok);
}

TEST_CASE("json_text avoids copying plain strings") {
  std::string scratch;
  bool ok = false;
  const std::string_view raw = "L 1 2 3 xxxx";
  const auto t = json_text(raw, scratch, ok);
  CHECK(ok);
  CHECK(t.data() == raw.data());
  const auto u = json_text(R"(a\nb)", scratch, ok);
  CHECK(ok);
  CHECK(u == "a\nb");
}
