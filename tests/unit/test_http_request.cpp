// HttpRequestParser and http_response: request heads in any split, the
// limits, and the responses' exact bytes.
#include <doctest/doctest.h>

#include <span>
#include <string>
#include <string_view>

#include "web/http_request.hpp"
#include "web/http_response.hpp"

using chatd::web::HttpHeader;
using chatd::web::HttpRequestParser;
using chatd::web::http_response;
using Status = HttpRequestParser::Status;

namespace {

std::span<const char> bytes(std::string_view s) { return {s.data(), s.size()}; }

// Feeds `data` in one call; returns the status and sets `used`.
Status feed_all(HttpRequestParser& p, std::string_view data, std::size_t& used) {
  return p.feed(bytes(data), used);
}

Status feed_all(HttpRequestParser& p, std::string_view data) {
  std::size_t used = 0;
  return p.feed(bytes(data), used);
}

constexpr std::string_view kUpgrade =
    "GET /ws?room=redes HTTP/1.1\r\n"
    "Host: chat.example\r\n"
    "Upgrade: websocket\r\n"
    "Connection: keep-alive, Upgrade\r\n"
    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
    "Sec-WebSocket-Version: 13\r\n"
    "X-Multi: a\r\n"
    "x-multi:   b  \r\n"
    "X-Empty: \r\n"
    "X-Multi:\r\n"
    "X-Empty:\r\n"
    "\r\n";

}  // namespace

TEST_CASE("http: a complete head, its parts and its fields") {
  HttpRequestParser p;
  std::size_t used = 0;
  const std::string data = std::string(kUpgrade) + "\x81\x85rest";
  REQUIRE(feed_all(p, data, used) == Status::Done);
  CHECK(used == kUpgrade.size());
  CHECK(p.method() == "GET");
  CHECK(p.target() == "/ws?room=redes");
  CHECK(p.path() == "/ws");
  CHECK(p.minor_version() == 1);
  CHECK(p.header("host") == "chat.example");
  CHECK(p.header("HOST") == "chat.example");
  CHECK(p.header("sec-websocket-key") == "dGhlIHNhbXBsZSBub25jZQ==");
  CHECK(p.header("X-MULTI") == "a, b");
  CHECK(p.header("x-empty") == "");
  CHECK_FALSE(p.header("Cookie").has_value());
  CHECK(p.has_token("connection", "upgrade"));
  CHECK(p.has_token("Connection", "KEEP-ALIVE"));
  CHECK_FALSE(p.has_token("Connection", "close"));
  CHECK_FALSE(p.has_token("Connection", "upgrad"));
  CHECK(p.has_token("Upgrade", "WebSocket"));
  CHECK_FALSE(p.has_token("Missing", "x"));
  CHECK(p.content_length() == 0);
  // Done is sticky until reset, and takes nothing more.
  CHECK(feed_all(p, "more", used) == Status::Done);
  CHECK(used == 0);
}

TEST_CASE("http: the same head split at every byte boundary") {
  for (std::size_t cut = 0; cut <= kUpgrade.size(); ++cut) {
    HttpRequestParser p;
    std::size_t used = 0;
    const Status first = feed_all(p, kUpgrade.substr(0, cut), used);
    CHECK(used == cut);
    if (cut < kUpgrade.size()) {
      REQUIRE(first == Status::NeedMore);
      REQUIRE(feed_all(p, kUpgrade.substr(cut), used) == Status::Done);
      CHECK(used == kUpgrade.size() - cut);
    } else {
      REQUIRE(first == Status::Done);
    }
    CHECK(p.path() == "/ws");
    CHECK(p.header("x-multi") == "a, b");
  }
  // And one byte at a time.
  HttpRequestParser p;
  for (std::size_t i = 0; i < kUpgrade.size(); ++i) {
    std::size_t used = 0;
    const Status st = p.feed(bytes(kUpgrade.substr(i, 1)), used);
    CHECK(used == 1);
    CHECK(st == (i + 1 == kUpgrade.size() ? Status::Done : Status::NeedMore));
  }
}

TEST_CASE("http: pipelined requests, reset between them") {
  const std::string two = "GET /a HTTP/1.1\r\nHost: h\r\n\r\nGET /b?q HTTP/1.0\r\n\r\n";
  HttpRequestParser p;
  std::size_t used = 0;
  REQUIRE(feed_all(p, two, used) == Status::Done);
  CHECK(p.path() == "/a");
  const std::string_view rest = std::string_view(two).substr(used);
  CHECK(rest == "GET /b?q HTTP/1.0\r\n\r\n");
  p.reset();
  REQUIRE(feed_all(p, rest, used) == Status::Done);
  CHECK(used == rest.size());
  CHECK(p.target() == "/b?q");
  CHECK(p.path() == "/b");
  CHECK(p.minor_version() == 0);
  CHECK_FALSE(p.header("Host").has_value());
}

TEST_CASE("http: empty lines before the request line are skipped") {
  HttpRequestParser p;
  REQUIRE(feed_all(p, "\r\n\r\nGET / HTTP/1.1\r\n\r\n") == Status::Done);
  CHECK(p.method() == "GET");
  CHECK(p.target() == "/");
}

TEST_CASE("http: malformed heads are 400") {
  const char* bad[] = {
      "GET / HTTP/1.1\nHost: x\n\n",           // bare LF
      "GET / HTTP/1.1\r\nHost: x\rY\r\n\r\n",  // CR without LF
      "GET /  HTTP/1.1\r\n\r\n",               // two spaces
      "GET  / HTTP/1.1\r\n\r\n",
      "GET /\r\n\r\n",                         // HTTP/0.9
      "GET / HTTP/1.1 \r\n\r\n",
      "GET / http/1.1\r\n\r\n",
      "GET / HTTP/1.10\r\n\r\n",
      "GET / HTTP/1\r\n\r\n",
      " GET / HTTP/1.1\r\n\r\n",
      "G(T / HTTP/1.1\r\n\r\n",
      "GET /\x01 HTTP/1.1\r\n\r\n",
      "GET /\xc3\xa9 HTTP/1.1\r\n\r\n",        // targets are ASCII
      "GET / HTTP/1.1\r\nHost : x\r\n\r\n",    // space before colon
      "GET / HTTP/1.1\r\nNoColon\r\n\r\n",
      "GET / HTTP/1.1\r\n: empty\r\n\r\n",
      "GET / HTTP/1.1\r\nA: b\r\n folded\r\n\r\n",  // obs-fold
      "GET / HTTP/1.1\r\nA: b\r\n\tfolded\r\n\r\n",
      "GET / HTTP/1.1\r\nA: b\x7f\r\n\r\n",
      "GET / HTTP/1.1\r\nContent-Length: x\r\n\r\n",
      "GET / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
      "GET / HTTP/1.1\r\nContent-Length: -1\r\n\r\n",
  };
  for (const char* b : bad) {
    std::string_view s(b);
    CAPTURE(s);
    HttpRequestParser p;
    REQUIRE(feed_all(p, s) == Status::Error);
    CHECK(p.error_status() == 400);
    CHECK_FALSE(p.error_reason().empty());
  }
  // A NUL in a value (string literals above stop at it).
  HttpRequestParser p;
  REQUIRE(feed_all(p, std::string_view("GET / HTTP/1.1\r\nA: b\0c\r\n\r\n", 26)) == Status::Error);
  CHECK(p.error_status() == 400);
}

TEST_CASE("http: garbage is refused at its first byte, not after max_head") {
  HttpRequestParser p;
  std::size_t used = 0;
  const std::string garbage = "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + std::string(500, 'x');
  REQUIRE(feed_all(p, garbage, used) == Status::Error);
  CHECK(p.error_status() == 400);
  CHECK(used == 1);
}

TEST_CASE("http: HTTP/2 and other versions are 505") {
  HttpRequestParser p;
  REQUIRE(feed_all(p, "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n") == Status::Error);
  CHECK(p.error_status() == 505);
  p.reset();
  REQUIRE(feed_all(p, "GET / HTTP/0.9\r\n\r\n") == Status::Error);
  CHECK(p.error_status() == 505);
  p.reset();
  // Refused at the request line, before the header block ends.
  REQUIRE(feed_all(p, "GET / HTTP/3.0\r\nHost: x\r\n") == Status::Error);
  CHECK(p.error_status() == 505);
  p.reset();
  REQUIRE(feed_all(p, "GET / HTTP/1.2\r\n\r\n") == Status::Done);  // a later 1.x is 1.1-compatible
  CHECK(p.minor_version() == 2);
}

TEST_CASE("http: Transfer-Encoding is 501, Content-Length is read") {
  HttpRequestParser p;
  REQUIRE(feed_all(p, "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n") == Status::Error);
  CHECK(p.error_status() == 501);
  p.reset();
  REQUIRE(feed_all(p, "POST / HTTP/1.1\r\nContent-Length: 42\r\ncontent-length: 42\r\n\r\n") == Status::Done);
  CHECK(p.content_length() == 42);
  CHECK(p.method() == "POST");
}

TEST_CASE("http: limits") {
  SUBCASE("a head of exactly max_head bytes fits; one more is 431") {
    const std::string line = "GET / HTTP/1.1\r\n";
    std::string head = line + "X: ";
    const std::size_t max = 200;
    head += std::string(max - head.size() - 4, 'v') + "\r\n\r\n";
    REQUIRE(head.size() == max);
    HttpRequestParser p(max);
    REQUIRE(feed_all(p, head) == Status::Done);
    HttpRequestParser q(max - 1);
    REQUIRE(feed_all(q, head) == Status::Error);
    CHECK(q.error_status() == 431);
  }
  SUBCASE("a header block that never ends is 431 once over the limit, in pieces") {
    HttpRequestParser p(1024);
    REQUIRE(feed_all(p, "GET / HTTP/1.1\r\n") == Status::NeedMore);
    Status st = Status::NeedMore;
    std::size_t fed = 0;
    while (st == Status::NeedMore && fed < 5000) {
      st = feed_all(p, "Cookie: 0123456789\r\n");
      fed += 20;
    }
    REQUIRE(st == Status::Error);
    CHECK(p.error_status() == 431);
    CHECK(fed <= 1100);
    CHECK(p.held() <= 2 * 1024 + 64 * 101);
  }
  SUBCASE("a request line over the limit is 400") {
    HttpRequestParser p(100);
    REQUIRE(feed_all(p, "GET /" + std::string(200, 'a')) == Status::Error);
    CHECK(p.error_status() == 400);
  }
  SUBCASE("100 header fields pass, 101 are 431") {
    std::string head = "GET / HTTP/1.1\r\n";
    for (int i = 0; i < 100; ++i) {
      head += 'H';
      head += std::to_string(i);
      head += ": v\r\n";
    }
    HttpRequestParser p;
    REQUIRE(feed_all(p, head + "\r\n") == Status::Done);
    CHECK(p.header("h99") == "v");
    HttpRequestParser q;
    REQUIRE(feed_all(q, head + "H100: v\r\n\r\n") == Status::Error);
    CHECK(q.error_status() == 431);
  }
  SUBCASE("reset lets a big buffer go") {
    HttpRequestParser p(8192);
    REQUIRE(feed_all(p, "GET / HTTP/1.1\r\nX: " + std::string(6000, 'x') + "\r\n\r\n") == Status::Done);
    CHECK(p.held() > 6000);
    p.reset();
    CHECK(p.held() < 2048);
  }
}

TEST_CASE("http: nothing is readable before Done") {
  HttpRequestParser p;
  REQUIRE(feed_all(p, "GET /x HTTP/1.1\r\nHost: a\r\n") == Status::NeedMore);
  CHECK(p.method().empty());
  CHECK(p.target().empty());
}

TEST_CASE("http_response: exact bytes") {
  CHECK(http_response(404, "text/plain; charset=utf-8", "not found\n", {}, false) ==
        "HTTP/1.1 404 Not Found\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n"
        "Content-Length: 10\r\n"
        "Connection: close\r\n"
        "\r\n"
        "not found\n");
  const HttpHeader extra[] = {{"Cache-Control", "no-cache"}, {"X-Bad", "a\r\nSet-Cookie: x"}};
  CHECK(http_response(200, "text/html", "<p>", extra, true) ==
        "HTTP/1.1 200 OK\r\n"
        "Content-Type: text/html\r\n"
        "Content-Length: 3\r\n"
        "Cache-Control: no-cache\r\n"
        "\r\n"
        "<p>");
  CHECK(http_response(204, "", "", {}, true) == "HTTP/1.1 204 No Content\r\n\r\n");
  CHECK(http_response(200, "", "ok", {}, false) ==
        "HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 2\r\n"
        "Connection: close\r\n\r\nok");
  CHECK(http_response(431, "", "", {}, false) ==
        "HTTP/1.1 431 Request Header Fields Too Large\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
  CHECK(http_response(599, "", "", {}, false).starts_with("HTTP/1.1 599 Unknown\r\n"));
}
