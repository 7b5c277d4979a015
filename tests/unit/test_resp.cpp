// The RESP reader wrapper, the command formatter and the event codec.
#include <doctest/doctest.h>

#include <string>

#include "cluster/event_codec.hpp"
#include "cluster/lua_scripts.hpp"
#include "cluster/resp_command.hpp"
#include "cluster/resp_reader.hpp"

using namespace chatd::cluster;
using T = RespValue::Type;

namespace {
void feed(RespReader& r, std::string_view s) { r.feed({s.data(), s.size()}); }
}  // namespace

TEST_CASE("resp reader: scalars") {
  RespReader r;
  feed(r, "+OK\r\n-ERR nope\r\n:42\r\n$3\r\nabc\r\n$-1\r\n");
  auto v = r.next();
  REQUIRE(v);
  CHECK(v->type == T::Status);
  CHECK(v->str == "OK");
  v = r.next();
  CHECK(v->is_error());
  CHECK(v->str == "ERR nope");
  v = r.next();
  CHECK(v->type == T::Integer);
  CHECK(v->integer == 42);
  CHECK(v->text() == "42");
  v = r.next();
  CHECK(v->type == T::String);
  CHECK(v->str == "abc");
  v = r.next();
  CHECK(v->is_nil());
  CHECK_FALSE(r.next());
}

TEST_CASE("resp reader: nested arrays, byte by byte") {
  RespReader r;
  static constexpr char kIn[] = "*3\r\n$1\r\na\r\n*2\r\n:1\r\n$2\r\nb\0\r\n*0\r\n";
  const std::string bytes(kIn, sizeof kIn - 1);
  for (std::size_t i = 0; i + 1 < bytes.size(); ++i) {
    feed(r, bytes.substr(i, 1));
    CHECK_FALSE(r.next());
  }
  feed(r, bytes.substr(bytes.size() - 1));
  auto v = r.next();
  REQUIRE(v);
  REQUIRE(v->is_array());
  REQUIRE(v->elements.size() == 3);
  CHECK(v->elements[0].str == "a");
  REQUIRE(v->elements[1].elements.size() == 2);
  CHECK(v->elements[1].elements[0].integer == 1);
  CHECK(v->elements[1].elements[1].str == std::string("b\0", 2));
  CHECK(v->elements[2].is_array());
  CHECK(v->elements[2].elements.empty());
}

TEST_CASE("resp reader: binary bulk and numbers from strings") {
  RespReader r;
  feed(r, "$2\r\n17\r\n$1\r\nx\r\n");
  CHECK(r.next()->number() == 17);
  CHECK(r.next()->number(-5) == -5);
}

TEST_CASE("resp reader: a protocol error throws") {
  RespReader r;
  feed(r, "?what\r\n");
  CHECK_THROWS_AS(r.next(), RespError);
}

TEST_CASE("resp reader: an absurd array count is refused, not allocated") {
  RespReader r;
  feed(r, "*2147483647\r\n");
  CHECK_THROWS_AS(r.next(), RespError);
}

TEST_CASE("resp reader: a partial reply left when destroyed is freed") {
  RespReader r;
  feed(r, "*3\r\n$1\r\na\r\n*2\r\n:1\r\n");
  CHECK_FALSE(r.next());
}

TEST_CASE("resp command: formatted by hiredis, binary-safe") {
  std::string out;
  append_command(out, {"SET", "k", std::string_view("a\0b", 3)});
  append_command(out, {"PING"});
  static constexpr char kWant[] = "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$3\r\na\0b\r\n*1\r\n$4\r\nPING\r\n";
  CHECK(out == std::string(kWant, sizeof kWant - 1));
  // What we format, we read back.
  RespReader r;
  r.feed({out.data(), out.size()});
  auto v = r.next();
  REQUIRE(v);
  REQUIRE(v->elements.size() == 3);
  CHECK(v->elements[2].str == std::string("a\0b", 3));
}

TEST_CASE("lua: scripts are named by their SHA-1") {
  CHECK(lua::sha1_hex("return 1") == "e0e1f9fabfc9d4800c877a703b823ac0578ff8db");
  CHECK(lua::sha1_hex(lua::kPublish).size() == 40);
}

TEST_CASE("event codec: round trip, with an origin") {
  const Origin o{"node-a:6789", 3, 0x1234567890ull};
  const std::string blob = encode_event(RoomEventKind::Message, 1700000000123, "Math", "olá 1 2 \x1f x", &o);
  auto v = decode_event(blob);
  REQUIRE(v);
  CHECK(v->kind == RoomEventKind::Message);
  CHECK(v->time_ms == 1700000000123);
  CHECK(v->nick == "Math");
  CHECK(v->text == "olá 1 2 \x1f x");
  CHECK(v->origin_node == "node-a:6789");
  CHECK(v->origin_shard == 3);
  CHECK(v->origin_conn == 0x1234567890ull);
}

TEST_CASE("event codec: the sweep's quit (built in Lua) decodes") {
  auto v = decode_event("q 1700000000000 4 0 Lara");
  REQUIRE(v);
  CHECK(v->kind == RoomEventKind::Quit);
  CHECK(v->nick == "Lara");
  CHECK(v->text.empty());
  CHECK(v->origin_node.empty());
}

TEST_CASE("event codec: malformed blobs are refused") {
  for (std::string_view bad : {"", "m", "x 1 0 0 ", "m 1 5 0 abc", "m 1 0 3 ab", "m a 0 0 ", "m 1 0 2 ab",
                               "m 1 0 3 a\x1f" "b"})
    CHECK_FALSE(decode_event(bad));
}

TEST_CASE("event codec: published messages and entry ids") {
  auto p = decode_published("17 abc123 m 1 0 0 hi");
  REQUIRE(p);
  CHECK(p->offset == 17);
  CHECK(p->epoch == "abc123");
  CHECK(p->blob == "m 1 0 0 hi");
  CHECK_FALSE(decode_published("x abc m"));
  CHECK_FALSE(decode_published("17 abc"));
  CHECK(offset_of_entry_id("42-1") == 42u);
  CHECK_FALSE(offset_of_entry_id("42"));
  CHECK_FALSE(offset_of_entry_id("-1"));
}
