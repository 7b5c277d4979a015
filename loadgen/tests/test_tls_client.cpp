#include <doctest/doctest.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <string>

#include "tls_client.hpp"

using namespace chatd::loadgen;

namespace {

// An in-memory TLS server with a throwaway self-signed P-256 certificate,
// the peer a TlsClient is pumped against.
struct MemServer {
  SSL_CTX* ctx = SSL_CTX_new(TLS_server_method());
  SSL* ssl = nullptr;
  BIO* in = BIO_new(BIO_s_mem());
  BIO* out = BIO_new(BIO_s_mem());
  std::string sni;

  explicit MemServer(bool alpn_http11) {
    EVP_PKEY* key = EVP_EC_gen("P-256");
    X509* cert = X509_new();
    ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
    X509_gmtime_adj(X509_getm_notBefore(cert), 0);
    X509_gmtime_adj(X509_getm_notAfter(cert), 3600);
    X509_set_pubkey(cert, key);
    X509_NAME_add_entry_by_txt(X509_get_subject_name(cert), "CN", MBSTRING_ASC,
                               reinterpret_cast<const unsigned char*>("localhost"), -1, -1, 0);
    X509_set_issuer_name(cert, X509_get_subject_name(cert));
    X509_sign(cert, key, EVP_sha256());
    REQUIRE(SSL_CTX_use_certificate(ctx, cert) == 1);
    REQUIRE(SSL_CTX_use_PrivateKey(ctx, key) == 1);
    X509_free(cert);
    EVP_PKEY_free(key);
    if (alpn_http11)
      SSL_CTX_set_alpn_select_cb(
          ctx,
          [](SSL*, const unsigned char** o, unsigned char* olen, const unsigned char* in, unsigned inlen, void*) {
            unsigned char* sel = nullptr;
            static const unsigned char mine[] = "\x08http/1.1";
            if (SSL_select_next_proto(&sel, olen, mine, sizeof mine - 1, in, inlen) != OPENSSL_NPN_NEGOTIATED)
              return SSL_TLSEXT_ERR_ALERT_FATAL;
            *o = sel;
            return SSL_TLSEXT_ERR_OK;
          },
          nullptr);
    ssl = SSL_new(ctx);
    BIO_set_mem_eof_return(in, -1);
    SSL_set_bio(ssl, in, out);
    SSL_set_accept_state(ssl);
  }
  ~MemServer() {
    SSL_free(ssl);
    SSL_CTX_free(ctx);
  }
  // Ciphertext from the client; returns the server's ciphertext.
  std::string pump(const std::string& cipher, std::string* plain = nullptr) {
    BIO_write(in, cipher.data(), static_cast<int>(cipher.size()));
    if (!SSL_is_init_finished(ssl)) SSL_do_handshake(ssl);
    if (SSL_is_init_finished(ssl)) {
      if (const char* name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name)) sni = name;
      char buf[4096];
      int n;
      while ((n = SSL_read(ssl, buf, sizeof buf)) > 0)
        if (plain) plain->append(buf, static_cast<std::size_t>(n));
    }
    std::string o(BIO_ctrl_pending(out), '\0');
    if (!o.empty()) BIO_read(out, o.data(), static_cast<int>(o.size()));
    return o;
  }
  std::string send(std::string_view plain) {
    SSL_write(ssl, plain.data(), static_cast<int>(plain.size()));
    return pump("");
  }
};

}  // namespace

TEST_CASE("tls client: handshake, SNI, ALPN and data both ways over memory") {
  MemServer server(true);
  TlsClientContext ctx("http/1.1");
  TlsClient client(ctx, "localhost");
  CHECK(client.status() == TlsClient::Status::Handshaking);
  std::string plain, from_client, from_server;
  client.write("too early");  // ignored before the handshake: the caller keeps it
  for (int round = 0; round < 6 && !client.ready(); ++round) {
    from_client.clear();
    client.take_output(from_client);
    from_server = server.pump(from_client);
    CHECK(client.feed(from_server, plain) != TlsClient::Status::Failed);
  }
  REQUIRE(client.ready());
  CHECK(plain.empty());
  from_client.clear();
  client.take_output(from_client);  // the client's Finished, if still queued
  client.write("hello\n");
  client.take_output(from_client);
  std::string got;
  const std::string tickets = server.pump(from_client, &got);  // TLS 1.3 session tickets
  CHECK(got == "hello\n");
  CHECK(client.feed(tickets, plain) == TlsClient::Status::Ready);
  CHECK(plain.empty());
  CHECK(server.sni == "localhost");
  const unsigned char* alpn = nullptr;
  unsigned alpn_len = 0;
  SSL_get0_alpn_selected(server.ssl, &alpn, &alpn_len);
  CHECK(std::string(reinterpret_cast<const char*>(alpn), alpn_len) == "http/1.1");
  // Split across feeds: the record is reassembled.
  const std::string back = server.send("world\n");
  CHECK(client.feed(std::string_view(back).substr(0, 3), plain) == TlsClient::Status::Ready);
  CHECK(plain.empty());
  CHECK(client.feed(std::string_view(back).substr(3), plain) == TlsClient::Status::Ready);
  CHECK(plain == "world\n");
}

TEST_CASE("tls client: a server that is not TLS fails the handshake with a reason") {
  TlsClientContext ctx("");
  TlsClient client(ctx, "localhost");
  std::string hello;
  client.take_output(hello);
  REQUIRE(hello.size() > 5);
  CHECK(hello[0] == 0x16);  // a handshake record: the ClientHello
  std::string plain;
  CHECK(client.feed(std::string_view("nickname: "), plain) == TlsClient::Status::Failed);
  CHECK(!client.reason().empty());
  CHECK(plain.empty());
}
