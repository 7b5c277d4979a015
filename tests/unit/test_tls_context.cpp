// TlsContext::load: the pair it accepts and the one-line errors it throws.
#include <doctest/doctest.h>

#include <string>

#include "test_tls_support.hpp"
#include "tls/tls_error.hpp"

using namespace chatd::tls;
using namespace chatd::tls::test;

namespace {

std::string load_error(const std::string& cert, const std::string& key) {
  try {
    TlsContext::load({cert, key, {}});
  } catch (const TlsError& e) {
    CHECK(ERR_peek_error() == 0);  // nothing left in the thread's queue
    return e.what();
  }
  return "(loaded)";
}

std::string utc_date(std::time_t t) {
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[16];
  std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
  return buf;
}

}  // namespace

TEST_CASE("tls context: a valid pair loads and describes itself") {
  TempDir dir;
  CertFiles f = write_pair(dir, "chat.example.org");
  auto ctx = load_pair(f);
  REQUIRE(ctx);
  CHECK(ctx->native() != nullptr);
  const std::string d = ctx->describe();
  CHECK(d.find("CN=chat.example.org") != std::string::npos);
  CHECK(d.find("EC prime256v1") != std::string::npos);
  CHECK(d.find("chain 1 certificate") != std::string::npos);
  CHECK(d.find('\n') == std::string::npos);
  const auto now = static_cast<std::int64_t>(std::time(nullptr));
  CHECK(ctx->not_after_unix() > now + 29 * 86400);
  CHECK(ctx->not_after_unix() <= now + 30 * 86400 + 5);
  CHECK(SSL_CTX_get_min_proto_version(ctx->native()) == TLS1_2_VERSION);
  CHECK((SSL_CTX_get_options(ctx->native()) & SSL_OP_NO_RENEGOTIATION) != 0);
  CHECK((SSL_CTX_get_options(ctx->native()) & SSL_OP_CIPHER_SERVER_PREFERENCE) != 0);
  CHECK((SSL_CTX_get_mode(ctx->native()) & SSL_MODE_RELEASE_BUFFERS) != 0);
}

TEST_CASE("tls context: a chain file (leaf, intermediate) and a combined key+cert file load") {
  TempDir dir;
  KeyPtr ca_key = make_ec_key();
  X509Ptr ca = make_cert(ca_key.get(), "Test CA");
  KeyPtr leaf_key = make_ec_key();
  X509Ptr leaf = make_cert(leaf_key.get(), "chat.test", -3600, 86400, ca.get(), ca_key.get());
  write_file(dir.file("chain.pem"), pem_of(leaf.get()) + pem_of(ca.get()));
  write_file(dir.file("key.pem"), pem_of(leaf_key.get()));
  auto ctx = TlsContext::load({dir.file("chain.pem"), dir.file("key.pem"), {}});
  CHECK(ctx->describe().find("chain 2 certificates") != std::string::npos);

  // Key first, then the certificate, all in one file: the key block is skipped when reading certificates.
  write_file(dir.file("both.pem"), pem_of(leaf_key.get()) + pem_of(leaf.get()));
  auto both = TlsContext::load({dir.file("both.pem"), dir.file("both.pem"), {}});
  CHECK(both->describe().find("CN=chat.test") != std::string::npos);
}

TEST_CASE("tls context: missing or unreadable files name the file and the reason") {
  TempDir dir;
  CertFiles f = write_pair(dir);
  const std::string missing = dir.file("missing.pem");
  CHECK(load_error(missing, f.key) == "--tls-cert " + missing + ": cannot read it (No such file or directory)");
  CHECK(load_error(f.cert, missing) == "--tls-key " + missing + ": cannot read it (No such file or directory)");
  const std::string a_dir = dir.file("");
  CHECK(load_error(a_dir, f.key) == "--tls-cert " + a_dir + ": cannot read it (Is a directory)");
}

TEST_CASE("tls context: garbage, empty and truncated files") {
  TempDir dir;
  CertFiles f = write_pair(dir);
  const std::string garbage = dir.file("garbage.pem");
  write_file(garbage, "this is not a certificate\n\x01\x02\x03");
  CHECK(load_error(garbage, f.key) == "--tls-cert " + garbage + ": not a PEM certificate");
  CHECK(load_error(f.cert, garbage) == "--tls-key " + garbage + ": not a PEM private key");

  const std::string empty = dir.file("empty.pem");
  write_file(empty, "");
  CHECK(load_error(empty, f.key) == "--tls-cert " + empty + ": not a PEM certificate");

  // A key where the certificate should be.
  CHECK(load_error(f.key, f.key) == "--tls-cert " + f.key + ": not a PEM certificate");

  // A good leaf followed by a broken chain certificate.
  KeyPtr k = make_ec_key();
  X509Ptr c = make_cert(k.get(), "x");
  std::string broken = pem_of(c.get());
  std::string second = pem_of(c.get());
  second.erase(second.size() / 2, 40);
  const std::string chain = dir.file("broken-chain.pem");
  write_file(chain, broken + second);
  CHECK(load_error(chain, f.key) == "--tls-cert " + chain + ": certificate 2 of the chain is not valid PEM");
}

TEST_CASE("tls context: a key that does not match the certificate") {
  TempDir dir;
  CertFiles a = write_pair(dir, "a", "a-");
  CertFiles b = write_pair(dir, "b", "b-");
  CHECK(load_error(a.cert, b.key) == "--tls-key " + b.key + ": does not match --tls-cert " + a.cert);
}

TEST_CASE("tls context: an expired certificate is refused with its notAfter date") {
  TempDir dir;
  KeyPtr key = make_ec_key();
  X509Ptr cert = make_cert(key.get(), "old", -10L * 86400, -2L * 86400);
  const std::string expected_date = utc_date(std::time(nullptr) - 2L * 86400);
  write_file(dir.file("old.pem"), pem_of(cert.get()));
  write_file(dir.file("key.pem"), pem_of(key.get()));
  CHECK(load_error(dir.file("old.pem"), dir.file("key.pem")) ==
        "--tls-cert " + dir.file("old.pem") + ": expired on " + expected_date + " (notAfter)");
}

TEST_CASE("tls context: an encrypted key is refused without prompting") {
  TempDir dir;
  KeyPtr key = make_ec_key();
  X509Ptr cert = make_cert(key.get(), "enc");
  BIO* b = BIO_new(BIO_s_mem());
  static const char kPass[] = "secret";
  PEM_write_bio_PKCS8PrivateKey(b, key.get(), EVP_aes_256_cbc(), kPass, sizeof kPass - 1, nullptr, nullptr);
  char* data = nullptr;
  const long n = BIO_get_mem_data(b, &data);
  write_file(dir.file("enc.key"), std::string(data, static_cast<std::size_t>(n)));
  BIO_free(b);
  write_file(dir.file("cert.pem"), pem_of(cert.get()));
  CHECK(load_error(dir.file("cert.pem"), dir.file("enc.key")) ==
        "--tls-key " + dir.file("enc.key") + ": the key is encrypted (chatd needs it unencrypted, readable only by chatd)");
}

TEST_CASE("tls context: a bad ALPN name is refused") {
  TempDir dir;
  CertFiles f = write_pair(dir);
  CHECK_THROWS_AS(TlsContext::load({f.cert, f.key, {""}}), TlsError);
  CHECK_THROWS_AS(TlsContext::load({f.cert, f.key, {std::string(256, 'x')}}), TlsError);
}
