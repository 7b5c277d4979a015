// TlsStream against an OpenSSL client, entirely in memory.
#include <doctest/doctest.h>
#include <malloc.h>

#include <string>
#include <vector>

#include "test_tls_support.hpp"

using namespace chatd::tls;
using namespace chatd::tls::test;
using Status = TlsStream::Status;

namespace {

struct Fixture {
  TempDir dir;
  CertFiles files = write_pair(dir);
};

void handshake(Client& c, TlsStream& s) {
  std::string plain;
  REQUIRE(pump(c, s, plain) == Status::Ok);
  REQUIRE(s.handshake_done());
  REQUIRE(SSL_is_init_finished(c.ssl()));
  CHECK(plain.empty());
}

}  // namespace

TEST_CASE("tls stream: TLS 1.3 handshake and data both ways") {
  Fixture fx;
  auto ctx = load_pair(fx.files);
  TlsStream s(*ctx);
  Client c({});
  CHECK_FALSE(s.handshake_done());
  CHECK(s.version().empty());
  handshake(c, s);
  CHECK(s.version() == "TLSv1.3");
  CHECK(s.alpn().empty());

  std::string plain;
  c.send("NICK alice\r\n");
  CHECK(pump(c, s, plain) == Status::Ok);
  CHECK(plain == "NICK alice\r\n");

  const std::string_view line = "* welcome alice\r\n";
  s.write(std::span<const std::string_view>(&line, 1));
  pump(c, s, plain);
  CHECK(c.received == line);
  CHECK(s.pending_size() == 0);
  CHECK(s.buffered_bytes() == 0);
}

TEST_CASE("tls stream: TLS 1.2 when the client caps it there") {
  Fixture fx;
  auto ctx = load_pair(fx.files);
  TlsStream s(*ctx);
  Client c({.max_version = TLS1_2_VERSION});
  handshake(c, s);
  CHECK(s.version() == "TLSv1.2");
  std::string plain;
  c.send("hello");
  pump(c, s, plain);
  CHECK(plain == "hello");
  s.write("world");
  pump(c, s, plain);
  CHECK(c.received == "world");
}

TEST_CASE("tls stream: the handshake and data survive byte-by-byte and odd-sized delivery") {
  Fixture fx;
  auto ctx = load_pair(fx.files);
  for (std::size_t chunk : {std::size_t{1}, std::size_t{7}, std::size_t{13}, std::size_t{1000}}) {
    CAPTURE(chunk);
    TlsStream s(*ctx);
    Client c({});
    std::string plain;
    REQUIRE(pump(c, s, plain, chunk) == Status::Ok);
    REQUIRE(s.handshake_done());
    c.send(std::string(5000, 'x'));
    pump(c, s, plain, chunk);
    CHECK(plain == std::string(5000, 'x'));
    s.write(std::string(40000, 'y'));
    pump(c, s, plain, chunk);
    CHECK(c.received == std::string(40000, 'y'));
  }
}

TEST_CASE("tls stream: a 64 KiB burst of small pieces becomes few full records") {
  Fixture fx;
  auto ctx = load_pair(fx.files);
  TlsStream s(*ctx);
  Client c({});
  handshake(c, s);

  std::vector<std::string> lines;
  std::string expected;
  for (int i = 0; expected.size() < 64 * 1024; ++i) {
    lines.push_back("* msg " + std::to_string(i) + " some text\r\n");
    expected += lines.back();
  }
  std::vector<std::string_view> pieces(lines.begin(), lines.end());
  s.write(pieces);
  // One record per 16 KiB: TLS 1.3 adds 22 bytes per record (header, type, tag).
  const std::size_t records = (expected.size() + 16383) / 16384;
  CHECK(s.pending_size() == expected.size() + records * 22);

  // Sent in odd pieces, consumed at odd split points, as a socket would take it.
  std::size_t sent = 0;
  const std::size_t cuts[] = {1, 4, 5, 17, 1000, 3, 8191};
  for (std::size_t i = 0; s.pending_size() > 0; ++i) {
    std::span<const char> p = s.pending();
    REQUIRE_FALSE(p.empty());
    const std::size_t n = std::min(cuts[i % 7], p.size());
    c.give_input({p.data(), n});
    s.consume(n);
    sent += n;
  }
  c.step();
  CHECK(c.received == expected);
  CHECK(s.buffered_bytes() == 0);  // freed once sent
}

TEST_CASE("tls stream: gather() hands out every run of a large burst, oldest first") {
  Fixture fx;
  auto ctx = load_pair(fx.files);
  TlsStream s(*ctx);
  Client c({});
  handshake(c, s);
  std::string big(200000, 'z');
  s.write(big);
  std::string_view more = "tail";
  s.write(std::span<const std::string_view>(&more, 1));
  std::vector<iovec> iov(64);
  const std::size_t n = s.gather(iov);
  std::size_t total = 0;
  for (std::size_t i = 0; i < n; ++i) {
    c.give_input({static_cast<const char*>(iov[i].iov_base), iov[i].iov_len});
    total += iov[i].iov_len;
  }
  CHECK(total == s.pending_size());
  CHECK(static_cast<const void*>(s.pending().data()) == iov[0].iov_base);
  s.consume(total);
  c.step();
  CHECK(c.received == big + "tail");
}

TEST_CASE("tls stream: pending bytes stay put while more is appended (a send may be in flight)") {
  Fixture fx;
  auto ctx = load_pair(fx.files);
  TlsStream s(*ctx);
  Client c({});
  handshake(c, s);
  s.write("first");
  const std::span<const char> before = s.pending();
  const std::string copy(before.data(), before.size());
  for (int i = 0; i < 100; ++i) s.write(std::string(1000, 'q'));
  CHECK(s.pending().data() == before.data());
  CHECK(std::string(before.data(), before.size()) == copy);
  std::string plain;
  pump(c, s, plain);
  CHECK(c.received == "first" + std::string(100000, 'q'));
}

TEST_CASE("tls stream: writes before the handshake go out right after it") {
  Fixture fx;
  auto ctx = load_pair(fx.files);
  TlsStream s(*ctx);
  s.write("* hello, this is chatd\r\n");
  CHECK(s.pending_size() == 0);
  Client c({});
  std::string plain;
  pump(c, s, plain);
  CHECK(s.handshake_done());
  CHECK(c.received == "* hello, this is chatd\r\n");
}

TEST_CASE("tls stream: close_notify from the client -> Closed; ours reaches the client") {
  Fixture fx;
  auto ctx = load_pair(fx.files);
  {
    TlsStream s(*ctx);
    Client c({});
    handshake(c, s);
    c.send("bye\r\n");
    SSL_shutdown(c.ssl());
    std::string plain;
    CHECK(pump(c, s, plain) == Status::Closed);
    CHECK(plain == "bye\r\n");
    CHECK(s.feed({}, plain) == Status::Closed);
  }
  {
    TlsStream s(*ctx);
    Client c({});
    handshake(c, s);
    s.write("goodbye\r\n");
    s.close();
    s.write("dropped after close");
    std::string plain;
    pump(c, s, plain);
    CHECK(c.received == "goodbye\r\n");
    CHECK(c.last_error_ == SSL_ERROR_ZERO_RETURN);
  }
}

TEST_CASE("tls stream: garbage, plain HTTP and plain chat lines are errors, not crashes") {
  Fixture fx;
  auto ctx = load_pair(fx.files);
  const std::string inputs[] = {
      std::string("\x16\x03\x01\x00\x05garbage-garbage-garbage", 28),
      "GET / HTTP/1.1\r\nHost: x\r\n\r\n",
      "NICK alice\r\n",
      std::string(100, '\0'),
      std::string("\x16\x03\x03\xff\xff", 5) + std::string(70000, 'A'),  // record too long
  };
  for (const std::string& in : inputs) {
    CAPTURE(in.substr(0, 16));
    TlsStream s(*ctx);
    std::string plain;
    CHECK(s.feed(in, plain) == Status::Error);
    CHECK_FALSE(s.reason().empty());
    CHECK(plain.empty());
    CHECK(ERR_peek_error() == 0);  // nothing leaks into the next connection on this thread
    MESSAGE("reason: " << s.reason());
    CHECK(s.feed(in, plain) == Status::Error);  // stays failed
    s.write("ignored");
    s.close();
  }
  TlsStream http(*ctx);
  std::string plain;
  http.feed(std::string_view("GET / HTTP/1.1\r\n\r\n"), plain);
  CHECK(http.reason() == "http request");
}

TEST_CASE("tls stream: garbage after a good handshake is an error with an alert for the peer") {
  Fixture fx;
  auto ctx = load_pair(fx.files);
  TlsStream s(*ctx);
  Client c({});
  handshake(c, s);
  std::string plain;
  CHECK(s.feed(std::string_view("\x17\x03\x03\x00\x20 0123456789abcdef0123456789abcdef", 37), plain) ==
        Status::Error);
  CHECK(s.pending_size() > 0);  // the bad_record_mac alert
  CHECK(ERR_peek_error() == 0);
}

TEST_CASE("tls stream: a TLS 1.0/1.1-only client is refused") {
  Fixture fx;
  auto ctx = load_pair(fx.files);
  for (int v : {TLS1_VERSION, TLS1_1_VERSION}) {
    CAPTURE(v);
    TlsStream s(*ctx);
    Client c({.min_version = v, .max_version = v, .legacy = true});
    c.step();
    const std::string hello = c.take_output();
    REQUIRE_FALSE(hello.empty());  // the client could make its ClientHello
    std::string plain;
    CHECK(s.feed(hello, plain) == Status::Error);
    MESSAGE("reason: " << s.reason());
    CHECK_FALSE(s.handshake_done());
  }
}

namespace {
// What the server's state machine does, seen through its info callback.
int server_hellos = 0;
int no_renegotiation_alerts = 0;
void watch_server(const SSL* ssl, int where, int ret) {
  if ((where & SSL_CB_LOOP) != 0 && SSL_get_state(ssl) == TLS_ST_SW_SRVR_HELLO) ++server_hellos;
  if ((where & SSL_CB_WRITE_ALERT) != 0 && (ret & 0xff) == SSL_AD_NO_RENEGOTIATION) ++no_renegotiation_alerts;
}
}  // namespace

TEST_CASE("tls stream: a TLS 1.2 renegotiation attempt does not happen") {
  Fixture fx;
  auto ctx = load_pair(fx.files);
  SSL_CTX_set_info_callback(ctx->native(), watch_server);
  server_hellos = no_renegotiation_alerts = 0;
  TlsStream s(*ctx);
  Client c({.max_version = TLS1_2_VERSION});
  handshake(c, s);
  CHECK(server_hellos == 1);

  REQUIRE(SSL_renegotiate(c.ssl()) == 1);
  SSL_do_handshake(c.ssl());  // sends the new ClientHello
  std::string plain;
  const Status st = pump(c, s, plain);
  // The server answers with a no_renegotiation warning and no ServerHello;
  // OpenSSL's client then gives up with a fatal alert, which ends the session.
  CHECK(server_hellos == 1);
  CHECK(no_renegotiation_alerts == 1);
  CHECK((st == Status::Ok || st == Status::Error));
  const std::string line = std::string("server after a renegotiation attempt: ") +
                           (st == Status::Ok ? "Ok" : "Error: ") + std::string(s.reason());
  MESSAGE(line);
  CHECK(SSL_renegotiate_pending(c.ssl()) == 1);  // the client's renegotiation never completed
}

TEST_CASE("tls stream: ALPN http/1.1 is selected when offered") {
  Fixture fx;
  auto web = TlsContext::load({fx.files.cert, fx.files.key, {"http/1.1"}});
  {
    TlsStream s(*web);
    Client c({.alpn = {"h2", "http/1.1"}});
    handshake(c, s);
    CHECK(s.alpn() == "http/1.1");
    const unsigned char* sel = nullptr;
    unsigned int len = 0;
    SSL_get0_alpn_selected(c.ssl(), &sel, &len);
    CHECK(std::string_view(reinterpret_cast<const char*>(sel), len) == "http/1.1");
  }
  {
    TlsStream s(*web);  // no ALPN from the client: fine
    Client c({});
    handshake(c, s);
    CHECK(s.alpn().empty());
  }
  {
    TlsStream s(*web);  // only protocols we do not speak: no_application_protocol
    Client c({.alpn = {"h2"}});
    std::string plain;
    CHECK(pump(c, s, plain) == Status::Error);
    MESSAGE("reason: " << s.reason());
  }
  {
    auto plain_ctx = load_pair(fx.files);  // no ALPN configured: the client's offer is ignored
    TlsStream s(*plain_ctx);
    Client c({.alpn = {"http/1.1"}});
    handshake(c, s);
    CHECK(s.alpn().empty());
  }
}

TEST_CASE("tls stream: a stream keeps its context after a reload drops it; moves keep working") {
  Fixture fx;
  auto ctx = load_pair(fx.files);
  TlsStream s(*ctx);
  Client c({});
  std::string plain;
  c.step();
  s.feed(c.take_output(), plain);  // mid-handshake
  ctx = load_pair(write_pair(fx.dir, "new", "new-"));  // "SIGHUP": the old context is dropped
  TlsStream moved(std::move(s));
  TlsStream target(*ctx);
  target = std::move(moved);
  pump(c, target, plain);
  REQUIRE(target.handshake_done());
  c.send("after reload");
  pump(c, target, plain);
  CHECK(plain == "after reload");
  // The client was served the old certificate.
  X509* peer = SSL_get0_peer_certificate(c.ssl());
  REQUIRE(peer != nullptr);
  char cn[64] = {};
  X509_NAME_get_text_by_NID(X509_get_subject_name(peer), NID_commonName, cn, sizeof cn);
  CHECK(std::string(cn) == "chat.test");
}

TEST_CASE("tls stream: the heap one idle session holds after its handshake") {
  Fixture fx;
  auto ctx = load_pair(fx.files);
  for (bool tls12 : {false, true}) {
    Client c({.max_version = tls12 ? TLS1_2_VERSION : 0});
    auto s = std::make_unique<TlsStream>(*ctx);
    std::string plain;
    pump(c, *s, plain);
    REQUIRE(s->handshake_done());
    c.send("x");
    s->write("y");
    pump(c, *s, plain);  // some traffic, then idle
    REQUIRE(s->pending_size() == 0);
    const std::size_t with = mallinfo2().uordblks;
    s.reset();
    const std::size_t without = mallinfo2().uordblks;
    const std::size_t idle = with - without;
    const std::string line = std::string(tls12 ? "TLS 1.2" : "TLS 1.3") + ": an idle TlsStream holds " +
                             std::to_string(idle) + " bytes of heap";
    MESSAGE(line);
#if !defined(__SANITIZE_ADDRESS__)  // ASan's allocator does not report through mallinfo2
    CHECK(idle < 12 * 1024);
#endif  // no 16 KiB record buffers kept (SSL_MODE_RELEASE_BUFFERS), no ciphertext
  }
}
