// The PM codec of the Redis link: lengths first, so any bytes survive.
#include <doctest/doctest.h>

#include <string>

#include "cluster/pm_text.hpp"

using chatd::cluster::format_pm;
using chatd::cluster::parse_pm;

TEST_CASE("pm text: what is formatted parses back, spaces and digits in names and text included") {
  const std::string s = format_pm("ana 2", "3 bia", 1764680000123, "olá, 12 mundo ");
  auto p = parse_pm(s);
  REQUIRE(p);
  CHECK(p->to == "ana 2");
  CHECK(p->from == "3 bia");
  CHECK(p->time_ms == 1764680000123u);
  CHECK(p->text == "olá, 12 mundo ");
}

TEST_CASE("pm text: an empty text is kept") {
  auto p = parse_pm(format_pm("a", "b", 5, ""));
  REQUIRE(p);
  CHECK(p->text.empty());
}

TEST_CASE("pm text: malformed input is refused, never read past its end") {
  CHECK_FALSE(parse_pm(""));
  CHECK_FALSE(parse_pm("x a1 b5 t"));        // not a length
  CHECK_FALSE(parse_pm("9 a1 b5 t"));        // a length past the end
  CHECK_FALSE(parse_pm("1 a1 b"));           // no time
  CHECK_FALSE(parse_pm("1 a"));              // no sender
}
