// CipherBuffer: the pending ciphertext of a TlsStream.
#include <doctest/doctest.h>

#include <string>

#include "tls/cipher_buffer.hpp"
#include "tls/ktls_probe.hpp"

using chatd::tls::CipherBuffer;

namespace {

std::string drain(CipherBuffer& b, std::size_t step) {
  std::string out;
  while (!b.empty()) {
    auto f = b.front();
    const std::size_t n = std::min(step, f.size());
    out.append(f.data(), n);
    b.consume(n);
  }
  return out;
}

}  // namespace

TEST_CASE("cipher buffer: bytes come out in order whatever the consume sizes") {
  CipherBuffer b;
  CHECK(b.empty());
  CHECK(b.front().empty());
  CHECK(b.heap_bytes() == 0);
  std::string all;
  for (int i = 0; i < 5000; ++i) {
    std::string piece = std::to_string(i) + ",";
    b.append(piece);
    all += piece;
  }
  CHECK(b.size() == all.size());
  CHECK(drain(b, 3) == all);
  CHECK(b.heap_bytes() == 0);
}

TEST_CASE("cipher buffer: a 1 MiB burst is freed once sent") {
  CipherBuffer b;
  const std::string big(1 << 20, 'b');
  b.append(big);
  b.append("end");
  CHECK(b.heap_bytes() >= big.size());
  std::string out;
  while (!b.empty()) {
    auto f = b.front();
    out.append(f.data(), f.size());
    b.consume(f.size());
  }
  CHECK(out == big + "end");
  CHECK(b.heap_bytes() == 0);
}

TEST_CASE("cipher buffer: interleaved appends and consumes hold about what is unsent") {
  CipherBuffer b;
  std::string expected, got;
  for (int round = 0; round < 200; ++round) {
    std::string piece(10000 + round, static_cast<char>('a' + round % 26));
    b.append(piece);
    expected += piece;
    // The socket takes a little less than was added, in whatever runs there are.
    std::size_t budget = piece.size() - 100;
    while (budget > 0 && !b.empty()) {
      auto f = b.front();
      const std::size_t n = std::min(budget, f.size());
      got.append(f.data(), n);
      b.consume(n);
      budget -= n;
    }
    CHECK(b.heap_bytes() <= b.size() + 2 * 17 * 1024 + 1024);
  }
  got += drain(b, 4096);
  CHECK(got == expected);
  CHECK(b.heap_bytes() == 0);
}

TEST_CASE("cipher buffer: gather returns every run") {
  CipherBuffer b;
  b.append(std::string(40000, 'g'));
  b.consume(100);
  iovec iov[8];
  const std::size_t n = b.gather(iov);
  std::size_t total = 0;
  for (std::size_t i = 0; i < n; ++i) total += iov[i].iov_len;
  CHECK(total == b.size());
  CHECK(b.gather(std::span<iovec>(iov, 1)) == 1);
}

TEST_CASE("ktls probe: answers with a reason either way") {
  const auto probe = chatd::tls::ktls_available();
  CHECK_FALSE(probe.why.empty());
  const std::string line = std::string("kTLS: ") + (probe.ok ? "available: " : "not available: ") + probe.why;
  MESSAGE(line);
}
