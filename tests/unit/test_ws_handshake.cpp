// The opening handshake: the accept key and the request checks.
#include <doctest/doctest.h>

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "web/http_request.hpp"
#include "web/ws_handshake.hpp"

using chatd::web::check_ws_upgrade;
using chatd::web::HttpRequestParser;
using chatd::web::ws_accept_key;
using chatd::web::ws_switching_protocols;
using chatd::web::ws_upgrade_refusal;

namespace {

struct Head {
  std::string method = "GET";
  std::string version = "HTTP/1.1";
  std::vector<std::string> fields = {
      "Host: chat.example",
      "Upgrade: websocket",
      "Connection: Upgrade",
      "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
      "Sec-WebSocket-Version: 13",
  };

  std::string text() const {
    std::string s = method + " /ws " + version + "\r\n";
    for (const auto& f : fields) s += f + "\r\n";
    return s + "\r\n";
  }
  // Replaces (or with an empty value, drops) the field starting with `name:`.
  Head& set(std::string_view name, std::string_view value) {
    std::erase_if(fields, [&](const std::string& f) { return f.starts_with(std::string(name) + ":"); });
    if (!value.empty()) fields.push_back(std::string(name) + ": " + std::string(value));
    return *this;
  }
};

int check(const Head& h, std::span<const std::string> origins = {}) {
  HttpRequestParser p;
  std::size_t used = 0;
  const std::string t = h.text();
  REQUIRE(p.feed(std::span<const char>(t.data(), t.size()), used) == HttpRequestParser::Status::Done);
  return check_ws_upgrade(p, origins).status;
}

}  // namespace

TEST_CASE("ws handshake: RFC 6455 accept key") {
  CHECK(ws_accept_key("dGhlIHNhbXBsZSBub25jZQ==") == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
  CHECK(ws_switching_protocols("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=") ==
        "HTTP/1.1 101 Switching Protocols\r\n"
        "Upgrade: websocket\r\n"
        "Connection: Upgrade\r\n"
        "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n");
}

TEST_CASE("ws handshake: a valid upgrade and each broken rule") {
  CHECK(check(Head{}) == 0);
  CHECK(check(Head{}.set("Connection", "keep-alive, Upgrade").set("Upgrade", "WebSocket")) == 0);
  Head post;
  post.method = "POST";
  CHECK(check(post) == 400);
  Head old;
  old.version = "HTTP/1.0";
  CHECK(check(old) == 400);
  CHECK(check(Head{}.set("Upgrade", "")) == 400);
  CHECK(check(Head{}.set("Upgrade", "h2c")) == 400);
  CHECK(check(Head{}.set("Connection", "keep-alive")) == 400);
  CHECK(check(Head{}.set("Sec-WebSocket-Key", "")) == 400);
  CHECK(check(Head{}.set("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ")) == 400);     // no padding
  CHECK(check(Head{}.set("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=a")) == 400);
  CHECK(check(Head{}.set("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25j*Q==")) == 400);
  CHECK(check(Head{}.set("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZSE=")) == 400);  // 17 bytes
  CHECK(check(Head{}.set("Sec-WebSocket-Version", "")) == 426);
  CHECK(check(Head{}.set("Sec-WebSocket-Version", "8")) == 426);
  CHECK(check(Head{}.set("Sec-WebSocket-Version", "13, 8")) == 426);
}

TEST_CASE("ws handshake: Origin") {
  const std::vector<std::string> origins = {"https://chat.example", "http://localhost:8080"};
  CHECK(check(Head{}, origins) == 0);  // no Origin: not a browser
  CHECK(check(Head{}.set("Origin", "https://chat.example"), origins) == 0);
  CHECK(check(Head{}.set("Origin", "http://localhost:8080"), origins) == 0);
  CHECK(check(Head{}.set("Origin", "https://evil.example"), origins) == 403);
  CHECK(check(Head{}.set("Origin", "https://chat.example.evil"), origins) == 403);
  CHECK(check(Head{}.set("Origin", "HTTPS://CHAT.EXAMPLE"), origins) == 403);  // exact match
  CHECK(check(Head{}.set("Origin", "https://evil.example")) == 0);  // no list: any origin
}

TEST_CASE("ws handshake: refusals") {
  const std::string r426 = ws_upgrade_refusal({426, "Sec-WebSocket-Version is not 13"});
  CHECK(r426.starts_with("HTTP/1.1 426 Upgrade Required\r\n"));
  CHECK(r426.find("\r\nSec-WebSocket-Version: 13\r\n") != std::string::npos);
  CHECK(r426.find("\r\nConnection: close\r\n") != std::string::npos);
  const std::string r403 = ws_upgrade_refusal({403, "Origin not allowed"});
  CHECK(r403.starts_with("HTTP/1.1 403 Forbidden\r\n"));
  CHECK(r403.ends_with("\r\n\r\nOrigin not allowed\n"));
}
