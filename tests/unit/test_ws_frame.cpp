// Server frames: header forms and the control frames' limits.
#include <doctest/doctest.h>

#include <string>

#include "web/utf8.hpp"
#include "web/ws_frame.hpp"

using chatd::web::append_ws_header;
using chatd::web::WsOpcode;
using chatd::web::ws_close_frame;
using chatd::web::ws_control_frame;
using chatd::web::ws_header_size;
using chatd::web::ws_text_frame;
using namespace std::string_literals;

TEST_CASE("ws frame: header length forms") {
  std::string h;
  append_ws_header(h, WsOpcode::Text, 5);
  CHECK(h == "\x81\x05"s);
  h.clear();
  append_ws_header(h, WsOpcode::Text, 125);
  CHECK(h == "\x81\x7d"s);
  h.clear();
  append_ws_header(h, WsOpcode::Text, 126);
  CHECK(h == "\x81\x7e\x00\x7e"s);
  h.clear();
  append_ws_header(h, WsOpcode::Binary, 65535);
  CHECK(h == "\x82\x7e\xff\xff"s);
  h.clear();
  append_ws_header(h, WsOpcode::Text, 65536);
  CHECK(h == "\x81\x7f\x00\x00\x00\x00\x00\x01\x00\x00"s);
  CHECK(ws_header_size(0) == 2);
  CHECK(ws_header_size(125) == 2);
  CHECK(ws_header_size(126) == 4);
  CHECK(ws_header_size(65535) == 4);
  CHECK(ws_header_size(65536) == 10);
  CHECK(ws_text_frame("Hello") == "\x81\x05Hello"s);  // RFC 6455 §5.7, unmasked
  CHECK(ws_text_frame("") == "\x81\x00"s);
}

TEST_CASE("ws frame: control frames") {
  CHECK(ws_control_frame(WsOpcode::Pong, "Hello") == "\x8a\x05Hello"s);
  CHECK(ws_control_frame(WsOpcode::Ping, "") == "\x89\x00"s);
  CHECK(ws_control_frame(WsOpcode::Ping, std::string(200, 'p')).size() == 2 + 125);
  CHECK(ws_close_frame(1000) == "\x88\x02\x03\xe8"s);
  CHECK(ws_close_frame(1009, "too big") == "\x88\x09\x03\xf1too big"s);
  CHECK(ws_close_frame(1005) == "\x88\x00"s);  // 1005/1006/1015 are never sent
  CHECK(ws_close_frame(1006, "x") == "\x88\x00"s);
}

TEST_CASE("ws frame: a long close reason is cut at a code point boundary") {
  std::string reason(122, 'a');
  reason += "\xc3\xa9\xc3\xa9";  // 126 bytes; byte 123 is inside the first é
  const std::string f = ws_close_frame(1001, reason);
  REQUIRE(f.size() <= 2 + 125);
  CHECK(static_cast<unsigned char>(f[1]) == 2 + 122);
  CHECK(chatd::web::valid_utf8(std::string_view(f).substr(4)));
  const std::string ascii = ws_close_frame(1001, std::string(300, 'b'));
  CHECK(ascii.size() == 2 + 125);
}
