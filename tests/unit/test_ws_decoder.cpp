// WsDecoder: client frames in any split, each rule of RFC 6455 §5 that
// closes the connection, and the memory an idle decoder keeps.
#include <doctest/doctest.h>

#include <string>
#include <string_view>
#include <vector>

#include "web/ws_decoder.hpp"
#include "ws_test_util.hpp"

using chatd::web::WsDecoder;
using ws_test::client_frame;
using ws_test::close_payload;
using ws_test::feed;
using ws_test::RecordingSink;
using namespace std::string_literals;

namespace {

using Events = std::vector<std::string>;

// Decodes `stream` in one piece, then split at every boundary into two and
// into single bytes; all must agree. Returns the events and the code.
std::uint16_t decode_every_way(std::string_view stream, std::size_t max, Events& out) {
  WsDecoder whole(max);
  RecordingSink ref;
  const std::uint16_t code = feed(whole, stream, ref);
  for (std::size_t cut = 0; cut <= stream.size(); ++cut) {
    WsDecoder d(max);
    RecordingSink s;
    std::uint16_t c = feed(d, stream.substr(0, cut), s);
    if (c == 0) c = feed(d, stream.substr(cut), s);
    CAPTURE(cut);
    CHECK(c == code);
    CHECK(s.events == ref.events);
  }
  WsDecoder bytewise(max);
  RecordingSink s;
  std::uint16_t c = 0;
  for (char ch : stream) {
    c = feed(bytewise, std::string_view(&ch, 1), s);
    if (c != 0) break;
  }
  CHECK(c == code);
  CHECK(s.events == ref.events);
  out = ref.events;
  return code;
}

std::uint16_t decode(std::string_view stream, std::size_t max, Events& out) {
  WsDecoder d(max);
  RecordingSink s;
  const std::uint16_t code = feed(d, stream, s);
  out = s.events;
  return code;
}

std::uint16_t code_of(std::string_view stream, std::size_t max = 1000) {
  Events ev;
  return decode(stream, max, ev);
}

}  // namespace

TEST_CASE("ws decoder: the RFC 6455 masked \"Hello\"") {
  const std::string hello = "\x81\x85\x37\xfa\x21\x3d\x7f\x9f\x4d\x51\x58"s;
  CHECK(hello == client_frame(1, "Hello"));
  Events ev;
  CHECK(decode_every_way(hello, 100, ev) == 0);
  CHECK(ev == Events{"text:Hello"});
}

TEST_CASE("ws decoder: fragments, a ping between them, pong, close; any split") {
  const std::string stream = client_frame(1, "Hel", false) + client_frame(9, "are you there") +
                             client_frame(0, "lo", true) + client_frame(1, "") + client_frame(10, "") +
                             client_frame(1, "ol\xc3", false) + client_frame(0, "", false) +
                             client_frame(0, "\xa1", true) + client_frame(8, close_payload(1000, "bye"));
  Events ev;
  CHECK(decode_every_way(stream, 100, ev) == 0);
  CHECK(ev == Events{"ping:are you there", "text:Hello", "text:", "pong:", "text:ol\xc3\xa1", "close:1000:bye"});
}

TEST_CASE("ws decoder: 126 and 127 length forms") {
  const std::string mid(300, 'm');
  const std::string big(70000, 'b');
  Events ev;
  CHECK(decode(client_frame(1, mid, true, true, 126) + client_frame(1, big, true, true, 127), 100000, ev) == 0);
  REQUIRE(ev.size() == 2);
  CHECK(ev[0] == "text:" + mid);
  CHECK(ev[1] == "text:" + big);
  // The long forms for short payloads are accepted too.
  CHECK(decode(client_frame(1, "x", true, true, 127) + client_frame(1, "y", true, true, 126), 10, ev) == 0);
  CHECK(ev == Events{"text:x", "text:y"});
  // A 64-bit length with its top bit set.
  std::string top = "\x81\xff\x80\x00\x00\x00\x00\x00\x00\x01"s + "mask";
  CHECK(code_of(top) == 1002);
}

TEST_CASE("ws decoder: 1009 from the declared length, before any payload") {
  Events ev;
  // Only the header of a 1 MB frame arrives.
  std::string header = client_frame(1, std::string(1000000, 'x')).substr(0, 14);
  WsDecoder d(1000);
  RecordingSink s;
  CHECK(feed(d, header, s) == 1009);
  CHECK(d.closed());
  CHECK(d.held() < 64);
  // Exactly max passes; the sum of fragments over max fails at the
  // continuation's header.
  CHECK(decode(client_frame(1, std::string(10, 'a')), 10, ev) == 0);
  CHECK(decode(client_frame(1, "Hel", false) + client_frame(0, std::string(8, 'x')).substr(0, 6), 10, ev) ==
        1009);
  CHECK(ev.empty());
  // Control payloads do not count against max.
  CHECK(decode(client_frame(1, "123456789", false) + client_frame(9, std::string(100, 'p')) +
                   client_frame(0, "0"),
               10, ev) == 0);
  CHECK(ev.size() == 2);
  CHECK(ev[1] == "text:1234567890");
}

TEST_CASE("ws decoder: 1007 on invalid UTF-8, at the first bad fragment") {
  CHECK(code_of(client_frame(1, "\xc0\xaf")) == 1007);            // overlong
  CHECK(code_of(client_frame(1, "\xe0\x80\xaf")) == 1007);        // overlong
  CHECK(code_of(client_frame(1, "a\xed\xa0\x80z")) == 1007);      // surrogate
  CHECK(code_of(client_frame(1, "\xf4\x90\x80\x80")) == 1007);    // > U+10FFFF
  CHECK(code_of(client_frame(1, "ok\xe2\x82")) == 1007);          // cut at the end
  // An invalid first fragment fails before the message ends.
  Events ev;
  CHECK(decode(client_frame(1, "\xed\xa0", false), 100, ev) == 1007);
  // A code point split across fragments is fine.
  CHECK(decode(client_frame(1, "\xe2", false) + client_frame(0, "\x82", false) + client_frame(0, "\xac"), 100,
               ev) == 0);
  CHECK(ev == Events{"text:\xe2\x82\xac"});
  // In a close reason.
  CHECK(code_of(client_frame(8, close_payload(1000, "\xff"))) == 1007);
}

TEST_CASE("ws decoder: 1002 protocol errors") {
  CHECK(code_of(client_frame(1, "x", true, false)) == 1002);          // unmasked
  CHECK(code_of(client_frame(1, "x", true, false).substr(0, 2)) == 1002);  // known at byte 2
  CHECK(code_of(client_frame(1, "x", true, true, 0, 0x40)) == 1002);  // RSV1
  CHECK(code_of(client_frame(1, "x", true, true, 0, 0x10)) == 1002);  // RSV3
  for (std::uint8_t op : {3, 4, 5, 6, 7, 11, 12, 15}) {
    CAPTURE(op);
    CHECK(code_of(client_frame(op, "x")) == 1002);
  }
  CHECK(code_of(client_frame(9, std::string(126, 'p'))) == 1002);  // control > 125
  CHECK(code_of(client_frame(9, "p", false)) == 1002);             // fragmented control
  CHECK(code_of(client_frame(8, "", false)) == 1002);
  CHECK(code_of(client_frame(0, "orphan")) == 1002);               // continuation without start
  CHECK(code_of(client_frame(1, "a", false) + client_frame(1, "b")) == 1002);  // new message inside one
  CHECK(code_of(client_frame(1, "a", false) + client_frame(2, "b")) == 1002);
}

TEST_CASE("ws decoder: 1003 for binary") {
  CHECK(code_of(client_frame(2, "\x00\x01"s)) == 1003);
  CHECK(code_of(client_frame(2, "", false)) == 1003);
}

TEST_CASE("ws decoder: close codes") {
  Events ev;
  CHECK(decode(client_frame(8, ""), 100, ev) == 0);
  CHECK(ev == Events{"close:1005:"});
  for (std::uint16_t ok : {1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 4999}) {
    CAPTURE(ok);
    CHECK(decode(client_frame(8, close_payload(ok)), 100, ev) == 0);
    CHECK(ev == Events{"close:" + std::to_string(ok) + ":"});
  }
  for (std::uint16_t bad : {0, 999, 1004, 1005, 1006, 1015, 1016, 2000, 2999, 5000, 65535}) {
    CAPTURE(bad);
    CHECK(decode(client_frame(8, close_payload(bad)), 100, ev) == 1002);
    CHECK(ev.empty());
  }
  CHECK(code_of(client_frame(8, "\x03"s)) == 1002);  // one byte
}

TEST_CASE("ws decoder: nothing after the peer's close or an error") {
  WsDecoder d(100);
  RecordingSink s;
  CHECK(feed(d, client_frame(1, "a") + client_frame(8, close_payload(1001)) + client_frame(1, "b"), s) == 0);
  CHECK(d.closed());
  CHECK(feed(d, client_frame(1, "c"), s) == 0);
  CHECK(s.events == Events{"text:a", "close:1001:"});
  WsDecoder e(100);
  RecordingSink t;
  CHECK(feed(e, client_frame(1, "a") + client_frame(2, "x") + client_frame(1, "b"), t) == 1003);
  CHECK(e.closed());
  CHECK(feed(e, client_frame(1, "c"), t) == 0);
  CHECK(t.events == Events{"text:a"});
}

TEST_CASE("ws decoder: memory") {
  CHECK(sizeof(WsDecoder) <= 128);
  WsDecoder d(100000);
  RecordingSink s;
  CHECK(feed(d, client_frame(1, std::string(50000, 'z')), s) == 0);
  REQUIRE(s.events.size() == 1);
  CHECK(d.held() < 64);  // a big buffer is let go once delivered
  CHECK(feed(d, client_frame(1, std::string(1000, 'y')), s) == 0);
  CHECK(d.held() <= 4096);  // a small one is kept for the next message
  // A stalled big frame holds only what arrived.
  WsDecoder stalled(1000000);
  const std::string frame = client_frame(1, std::string(900000, 'q'));
  CHECK(feed(stalled, std::string_view(frame).substr(0, 14 + 100), s) == 0);
  CHECK(stalled.held() < 4096);
}
