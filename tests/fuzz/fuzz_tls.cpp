// libFuzzer target over src/tls: arbitrary bytes, split at arbitrary
// points, into a server TlsStream (OpenSSL over our in-memory BIO and
// chunked ciphertext buffer). Checks: no crash, no leak, Error is final,
// nothing decrypted without a handshake, the pending buffer always drains.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "../unit/test_tls_support.hpp"

namespace {

using chatd::tls::TlsStream;

// One key and certificate for the whole run, made with the OpenSSL API.
const chatd::tls::TlsContext& context() {
  static chatd::tls::test::TempDir dir;
  static const auto ctx = chatd::tls::test::load_pair(chatd::tls::test::write_pair(dir), {"http/1.1"});
  return *ctx;
}

[[noreturn]] void broken(const char* what) {
  std::fprintf(stderr, "invariant broken: %s\n", what);
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  TlsStream s(context());
  // The first byte says where to split the rest: split-invariance is not
  // claimed (TLS may answer differently by arrival), robustness is.
  const std::size_t step = 1 + data[0] % 97;
  const char* p = reinterpret_cast<const char*>(data + 1);
  std::size_t left = size - 1;
  std::string plain;
  bool failed = false;
  while (left > 0) {
    const std::size_t n = left < step ? left : step;
    const auto st = s.feed({p, n}, plain);
    if (failed && st != TlsStream::Status::Error) broken("a stream came back from Error");
    failed = st == TlsStream::Status::Error;
    if (!s.handshake_done() && !plain.empty()) broken("plaintext before the handshake");
    while (s.pending_size() > 0) {
      const std::size_t before = s.pending_size();
      s.consume(s.pending().size());
      if (s.pending_size() >= before) broken("pending() did not drain");
    }
    p += n;
    left -= n;
  }
  s.close();
  while (s.pending_size() > 0) s.consume(s.pending().size());
  return 0;
}
