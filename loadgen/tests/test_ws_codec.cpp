#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "ws_codec.hpp"

using namespace chatd::loadgen;

namespace {

struct Seen {
  WsOpcode op;
  std::string payload;
};

// A server frame (unmasked, final unless told).
std::string server_frame(WsOpcode op, std::string_view payload, bool fin = true) {
  std::string f;
  f += static_cast<char>((fin ? 0x80 : 0) | static_cast<int>(op));
  const std::size_t n = payload.size();
  if (n < 126) {
    f += static_cast<char>(n);
  } else if (n <= 0xffff) {
    f += static_cast<char>(126);
    f += static_cast<char>(n >> 8);
    f += static_cast<char>(n & 0xff);
  } else {
    f += static_cast<char>(127);
    for (int i = 7; i >= 0; --i) f += static_cast<char>((static_cast<std::uint64_t>(n) >> (8 * i)) & 0xff);
  }
  f += payload;
  return f;
}

bool feed(WsReader& r, std::string_view bytes, std::vector<Seen>& out) {
  return r.feed(std::span<const char>(bytes.data(), bytes.size()),
                [&](const WsMessage& m) { out.push_back({m.opcode, std::string(m.payload)}); });
}

// Unmasks a client frame: {opcode, payload}; checks the mask bit.
Seen unmask(std::string_view f) {
  REQUIRE(f.size() >= 6);
  const auto b1 = static_cast<unsigned char>(f[1]);
  CHECK((b1 & 0x80) != 0);
  CHECK((static_cast<unsigned char>(f[0]) & 0x80) != 0);  // final
  std::size_t n = b1 & 0x7f, hl = 2;
  if (n == 126) {
    n = (static_cast<unsigned char>(f[2]) << 8) | static_cast<unsigned char>(f[3]);
    hl = 4;
  } else if (n == 127) {
    n = 0;
    for (int i = 0; i < 8; ++i) n = (n << 8) | static_cast<unsigned char>(f[2 + i]);
    hl = 10;
  }
  const std::string_view key = f.substr(hl, 4);
  REQUIRE(f.size() == hl + 4 + n);
  std::string p(f.substr(hl + 4));
  for (std::size_t i = 0; i < p.size(); ++i) p[i] = static_cast<char>(p[i] ^ key[i % 4]);
  return {static_cast<WsOpcode>(static_cast<unsigned char>(f[0]) & 0x0f), p};
}

}  // namespace

TEST_CASE("Sec-WebSocket-Accept: the RFC 6455 example") {
  CHECK(ws_accept_for("dGhlIHNhbXBsZSBub25jZQ==") == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
}

TEST_CASE("base64") {
  auto b = [](std::string_view s) {
    return base64_encode(std::span<const unsigned char>(reinterpret_cast<const unsigned char*>(s.data()), s.size()));
  };
  CHECK(b("") == "");
  CHECK(b("f") == "Zg==");
  CHECK(b("fo") == "Zm8=");
  CHECK(b("foo") == "Zm9v");
  CHECK(b("foobar") == "Zm9vYmFy");
}

TEST_CASE("keys and masks follow the seed") {
  CHECK(ws_key_from_seed(1).size() == 24);
  CHECK(ws_key_from_seed(1) == ws_key_from_seed(1));
  CHECK(ws_key_from_seed(1) != ws_key_from_seed(2));
  CHECK(ws_mask_from_seed(1) != ws_mask_from_seed(2));
}

TEST_CASE("upgrade request and response") {
  std::string req;
  append_upgrade_request(req, "127.0.0.1:8080", "/ws", "dGhlIHNhbXBsZSBub25jZQ==");
  CHECK(req.starts_with("GET /ws HTTP/1.1\r\n"));
  CHECK(req.find("\r\nHost: 127.0.0.1:8080\r\n") != std::string::npos);
  CHECK(req.find("\r\nUpgrade: websocket\r\n") != std::string::npos);
  CHECK(req.find("\r\nConnection: Upgrade\r\n") != std::string::npos);
  CHECK(req.find("\r\nSec-WebSocket-Version: 13\r\n") != std::string::npos);
  CHECK(req.ends_with("\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n"));

  const std::string ok =
      "HTTP/1.1 101 Switching Protocols\r\nupgrade: WebSocket\r\nConnection: keep-alive, Upgrade\r\n"
      "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n";
  CHECK(check_upgrade_response(ok, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=").empty());
  CHECK(check_upgrade_response(ok, "").empty());
  CHECK(!check_upgrade_response(ok, "AAAAAAAAAAAAAAAAAAAAAAAAAAA=").empty());
  CHECK(check_upgrade_response("HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n", "").starts_with("upgrade refused"));
  CHECK(!check_upgrade_response("HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\n\r\n", "").empty());
}

TEST_CASE("the response head, then frames in the same chunk") {
  WsReader r;
  const std::string head = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n";
  const std::string all = head + server_frame(WsOpcode::Text, R"({"type":"prompt","want":"nick"})");
  // Split inside the "\r\n\r\n".
  std::span<const char> a(all.data(), head.size() - 2);
  CHECK(r.feed_head(a) == WsReader::Head::Incomplete);
  std::span<const char> b(all.data() + head.size() - 2, all.size() - head.size() + 2);
  REQUIRE(r.feed_head(b) == WsReader::Head::Complete);
  CHECK(r.head() == head);
  r.drop_head();
  std::vector<Seen> seen;
  CHECK(feed(r, std::string_view(b.data(), b.size()), seen));
  REQUIRE(seen.size() == 1);
  CHECK(seen[0].payload == R"({"type":"prompt","want":"nick"})");
}

TEST_CASE("a response head that never ends is refused") {
  WsReader r;
  const std::string junk(WsReader::kMaxHead + 10, 'x');
  std::span<const char> in(junk.data(), junk.size());
  CHECK(r.feed_head(in) == WsReader::Head::TooLong);
}

TEST_CASE("several frames per chunk and frames split at every byte") {
  std::string stream;
  const std::string big(70000, 'b');
  const std::string mid(300, 'm');
  stream += server_frame(WsOpcode::Text, "one");
  stream += server_frame(WsOpcode::Ping, "p");
  stream += server_frame(WsOpcode::Text, mid);
  stream += server_frame(WsOpcode::Text, big);
  stream += server_frame(WsOpcode::Text, "");
  stream += server_frame(WsOpcode::Close, std::string("\x03\xe8", 2));
  for (std::size_t step : {std::size_t{1}, std::size_t{2}, std::size_t{3}, std::size_t{7}, std::size_t{4096},
                           stream.size()}) {
    WsReader r;
    std::vector<Seen> seen;
    for (std::size_t at = 0; at < stream.size(); at += step)
      REQUIRE(feed(r, std::string_view(stream).substr(at, step), seen));
    REQUIRE(seen.size() == 6);
    CHECK(seen[0].payload == "one");
    CHECK(seen[1].op == WsOpcode::Ping);
    CHECK(seen[2].payload == mid);
    CHECK(seen[3].payload == big);
    CHECK(seen[4].payload.empty());
    CHECK(seen[5].op == WsOpcode::Close);
    CHECK(ws_close_code(seen[5].payload) == 1000);
  }
}

TEST_CASE("fragmented messages are joined, control frames may come between") {
  std::string stream = server_frame(WsOpcode::Text, "he", false) + server_frame(WsOpcode::Ping, "") +
                       server_frame(WsOpcode::Continuation, "ll", false) +
                       server_frame(WsOpcode::Continuation, "o", true) + server_frame(WsOpcode::Text, "x");
  WsReader r;
  std::vector<Seen> seen;
  CHECK(feed(r, stream, seen));
  REQUIRE(seen.size() == 3);
  CHECK(seen[0].op == WsOpcode::Ping);
  CHECK(seen[1].op == WsOpcode::Text);
  CHECK(seen[1].payload == "hello");
  CHECK(seen[2].payload == "x");
}

TEST_CASE("protocol errors") {
  std::vector<Seen> seen;
  {
    WsReader r;  // masked server frame
    CHECK_FALSE(feed(r, std::string("\x81\x81" "abcdX", 7), seen));
  }
  {
    WsReader r;  // reserved bit
    CHECK_FALSE(feed(r, std::string("\xc1\x00", 2), seen));
  }
  {
    WsReader r;  // unknown opcode
    CHECK_FALSE(feed(r, std::string("\x83\x00", 2), seen));
  }
  {
    WsReader r;  // fragmented ping
    CHECK_FALSE(feed(r, std::string("\x09\x00", 2), seen));
  }
  {
    WsReader r;  // continuation without a start
    CHECK_FALSE(feed(r, server_frame(WsOpcode::Continuation, "x"), seen));
  }
  {
    WsReader r;  // a new message inside a fragmented one
    CHECK_FALSE(feed(r, server_frame(WsOpcode::Text, "a", false) + server_frame(WsOpcode::Text, "b"), seen));
  }
  {
    WsReader r;  // longer than the limit
    std::string f("\x81\x7f\x00\x00\x00\x00\x10\x00\x00\x00", 10);
    CHECK_FALSE(feed(r, f, seen));
  }
  CHECK(seen.empty());
}

TEST_CASE("client frames are masked and round-trip, every length form") {
  for (std::size_t n : {std::size_t{0}, std::size_t{1}, std::size_t{5}, std::size_t{8}, std::size_t{13},
                        std::size_t{125}, std::size_t{126}, std::size_t{65535}, std::size_t{65536}}) {
    std::string payload(n, '\0');
    for (std::size_t i = 0; i < n; ++i) payload[i] = static_cast<char>('a' + i % 26);
    std::string out = "prefix";
    append_client_frame(out, WsOpcode::Text, payload, 0xa1b2c3d4u);
    CHECK(out.starts_with("prefix"));
    const Seen s = unmask(std::string_view(out).substr(6));
    CHECK(s.op == WsOpcode::Text);
    CHECK(s.payload == payload);
    if (n > 4) CHECK(std::string_view(out).substr(out.size() - n) != payload);
  }
}
