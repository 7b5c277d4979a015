#include <doctest/doctest.h>

#include "payload.hpp"

using namespace chatd::loadgen;

TEST_CASE("payload round trip and padding") {
  std::string s;
  append_payload(s, Payload{42, 7, 123456789012345ull}, 64);
  CHECK(s.size() == 64);
  CHECK(s.starts_with("L 42 7 123456789012345 "));
  CHECK(s.back() == 'x');
  const auto p = parse_payload(s);
  REQUIRE(p);
  CHECK(*p == Payload{42, 7, 123456789012345ull});
}

TEST_CASE("short sizes are not truncated") {
  std::string s;
  append_payload(s, Payload{1, 2, 3}, 1);
  CHECK(s == "L 1 2 3 x");
  CHECK(parse_payload(s) == Payload{1, 2, 3});
}

TEST_CASE("non-payloads are rejected") {
  CHECK_FALSE(parse_payload(""));
  CHECK_FALSE(parse_payload("hello"));
  CHECK_FALSE(parse_payload("L 1 2"));
  CHECK_FALSE(parse_payload("L a b c"));
  CHECK_FALSE(parse_payload("L 1 2 3z"));
  CHECK(parse_payload("L 1 2 3"));
}

TEST_CASE("chatd message lines, any language") {
  CHECK(chatd_message_text("[lg0-1] L 1 2 3 xx") == std::string_view("L 1 2 3 xx"));
  CHECK(chatd_message_text("[Fox Mulder] hi") == std::string_view("hi"));
  CHECK_FALSE(chatd_message_text("📝 lg0-1 joined room 'r'."));
  CHECK_FALSE(chatd_message_text("✅ You joined room 'r'."));
  CHECK_FALSE(chatd_message_text("[broken"));
}

TEST_CASE("IRC lines") {
  auto m = parse_irc_line(":lgab1!~lgab1@localhost PRIVMSG #lg-room0 :L 1 2 3 x");
  REQUIRE(m);
  CHECK(m->prefix == "lgab1!~lgab1@localhost");
  CHECK(m->command == "PRIVMSG");
  CHECK(m->first == "#lg-room0");
  CHECK(m->trailing == "L 1 2 3 x");
  m = parse_irc_line("PING :irc.example.net");
  REQUIRE(m);
  CHECK(m->command == "PING");
  CHECK(m->trailing == "irc.example.net");
  m = parse_irc_line(":irc.example.net 001 lgab1 :Welcome");
  REQUIRE(m);
  CHECK(m->command == "001");
  CHECK(m->first == "lgab1");
  m = parse_irc_line(":srv 366 nick #room :End of NAMES list");
  REQUIRE(m);
  CHECK(m->command == "366");
  CHECK_FALSE(parse_irc_line(":onlyprefix"));
}

TEST_CASE("base36") {
  std::string s;
  append_base36(s, 0);
  CHECK(s == "0");
  s.clear();
  append_base36(s, 36 * 36 - 1);
  CHECK(s == "zz");
}
