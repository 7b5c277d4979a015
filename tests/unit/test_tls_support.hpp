#pragma once
// Test helpers for the TLS layer: keys and self-signed certificates made
// with the OpenSSL API in a temporary directory (no committed keys, no
// openssl CLI), and an OpenSSL client over memory BIOs to talk to a
// TlsStream entirely in memory. Owned by one test thread.
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <stdlib.h>

#include <cstdio>
#include <ctime>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "tls/tls_context.hpp"
#include "tls/tls_stream.hpp"

namespace chatd::tls::test {

template <typename T, void (*Free)(T*)>
struct Freer {
  void operator()(T* p) const { Free(p); }
};
using KeyPtr = std::unique_ptr<EVP_PKEY, Freer<EVP_PKEY, EVP_PKEY_free>>;
using X509Ptr = std::unique_ptr<X509, Freer<X509, X509_free>>;
using CtxPtr = std::unique_ptr<SSL_CTX, Freer<SSL_CTX, SSL_CTX_free>>;
using SslPtr = std::unique_ptr<SSL, Freer<SSL, SSL_free>>;

// A fresh directory under $TMPDIR, removed with everything in it.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "chatd-tls-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = tmpl;
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

inline KeyPtr make_ec_key() { return KeyPtr(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256")); }

// Self-signed (or signed by `issuer_key` under `issuer`), valid from
// now + not_before to now + not_after seconds.
inline X509Ptr make_cert(EVP_PKEY* key, const std::string& cn, long not_before = -3600, long not_after = 30L * 86400,
                         X509* issuer = nullptr, EVP_PKEY* issuer_key = nullptr) {
  X509Ptr cert(X509_new());
  X509_set_version(cert.get(), 2);
  static long serial = 1;
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), serial++);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), not_before);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), not_after);
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0);
  X509_set_issuer_name(cert.get(), issuer != nullptr ? X509_get_subject_name(issuer) : name);
  X509_set_pubkey(cert.get(), key);
  X509_sign(cert.get(), issuer_key != nullptr ? issuer_key : key, EVP_sha256());
  return cert;
}

inline void write_file(const std::string& path, const std::string& text) {
  std::FILE* f = std::fopen(path.c_str(), "w");
  if (f == nullptr) throw std::runtime_error("cannot write " + path);
  std::fwrite(text.data(), 1, text.size(), f);
  std::fclose(f);
}

inline std::string pem_of(X509* cert) {
  BIO* b = BIO_new(BIO_s_mem());
  PEM_write_bio_X509(b, cert);
  char* data = nullptr;
  const long n = BIO_get_mem_data(b, &data);
  std::string s(data, static_cast<std::size_t>(n));
  BIO_free(b);
  return s;
}

inline std::string pem_of(EVP_PKEY* key) {
  BIO* b = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(b, key, nullptr, nullptr, 0, nullptr, nullptr);
  char* data = nullptr;
  const long n = BIO_get_mem_data(b, &data);
  std::string s(data, static_cast<std::size_t>(n));
  BIO_free(b);
  return s;
}

// A valid pair written to dir/cert.pem and dir/key.pem.
struct CertFiles {
  std::string cert, key;
};
inline CertFiles write_pair(const TempDir& dir, const std::string& cn = "chat.test", const std::string& stem = "") {
  KeyPtr key = make_ec_key();
  X509Ptr cert = make_cert(key.get(), cn);
  CertFiles f{dir.file(stem + "cert.pem"), dir.file(stem + "key.pem")};
  write_file(f.cert, pem_of(cert.get()));
  write_file(f.key, pem_of(key.get()));
  return f;
}

inline std::shared_ptr<const TlsContext> load_pair(const CertFiles& f, std::vector<std::string> alpn = {}) {
  return TlsContext::load({f.cert, f.key, std::move(alpn)});
}

// An OpenSSL client over two memory BIOs, talking to a TlsStream by pump().
class Client {
 public:
  struct Options {
    int min_version = TLS1_2_VERSION;
    int max_version = 0;  // 0 = the library's highest
    std::vector<std::string> alpn;
    bool legacy = false;  // allow TLS 1.0/1.1 and SHA-1 (security level 0)
  };

  explicit Client(const Options& o) {
    ctx_.reset(SSL_CTX_new(TLS_client_method()));
    SSL_CTX_set_verify(ctx_.get(), SSL_VERIFY_NONE, nullptr);
    if (o.legacy) {
      SSL_CTX_set_security_level(ctx_.get(), 0);
      SSL_CTX_set_cipher_list(ctx_.get(), "DEFAULT:@SECLEVEL=0");
    }
    SSL_CTX_set_min_proto_version(ctx_.get(), o.min_version);
    SSL_CTX_set_max_proto_version(ctx_.get(), o.max_version);
    ssl_.reset(SSL_new(ctx_.get()));
    if (!o.alpn.empty()) {
      std::string wire;
      for (const auto& p : o.alpn) {
        wire.push_back(static_cast<char>(p.size()));
        wire += p;
      }
      SSL_set_alpn_protos(ssl_.get(), reinterpret_cast<const unsigned char*>(wire.data()),
                          static_cast<unsigned int>(wire.size()));
    }
    in_ = BIO_new(BIO_s_mem());
    out_ = BIO_new(BIO_s_mem());
    SSL_set_bio(ssl_.get(), in_, out_);
    SSL_set_connect_state(ssl_.get());
  }

  SSL* ssl() const { return ssl_.get(); }

  // Drives the client: handshake steps, reads what it can into `received`.
  // Returns SSL_get_error of the last call (SSL_ERROR_WANT_READ when idle).
  int step() {
    ERR_clear_error();
    if (!SSL_is_init_finished(ssl_.get())) {
      const int r = SSL_do_handshake(ssl_.get());
      if (r != 1) {
        last_error_ = SSL_get_error(ssl_.get(), r);
        return last_error_;
      }
    }
    char buf[4096];
    for (;;) {
      std::size_t got = 0;
      const int r = SSL_read_ex(ssl_.get(), buf, sizeof buf, &got);
      if (r != 1) {
        last_error_ = SSL_get_error(ssl_.get(), r);
        return last_error_;
      }
      received.append(buf, got);
    }
  }

  void send(const std::string& plain) {
    std::size_t wrote = 0;
    if (SSL_write_ex(ssl_.get(), plain.data(), plain.size(), &wrote) != 1) throw std::runtime_error("client write");
  }

  // Ciphertext the client wants sent.
  std::string take_output() {
    std::string s;
    char buf[4096];
    int n;
    while ((n = BIO_read(out_, buf, sizeof buf)) > 0) s.append(buf, static_cast<std::size_t>(n));
    return s;
  }
  void give_input(std::string_view cipher) {
    if (!cipher.empty()) BIO_write(in_, cipher.data(), static_cast<int>(cipher.size()));
  }

  std::string received;
  int last_error_ = 0;

 private:
  CtxPtr ctx_;
  SslPtr ssl_;
  BIO* in_ = nullptr;   // owned by ssl_
  BIO* out_ = nullptr;  // owned by ssl_
};

// Moves bytes both ways until neither side has anything to say. Server
// plaintext goes to `server_plain`; `chunk` > 0 delivers ciphertext in
// pieces that small in both directions. Returns the stream's last status.
inline TlsStream::Status pump(Client& c, TlsStream& s, std::string& server_plain, std::size_t chunk = 0) {
  TlsStream::Status st = s.status();
  for (int rounds = 0; rounds < 1000; ++rounds) {
    c.step();
    std::string to_server = c.take_output();
    bool moved = !to_server.empty();
    std::string_view rest = to_server;
    while (!rest.empty()) {
      const std::size_t n = chunk == 0 ? rest.size() : std::min(chunk, rest.size());
      st = s.feed(rest.substr(0, n), server_plain);
      rest.remove_prefix(n);
    }
    while (s.pending_size() > 0) {
      std::span<const char> p = s.pending();
      const std::size_t n = chunk == 0 ? p.size() : std::min(chunk, p.size());
      c.give_input({p.data(), n});
      s.consume(n);
      moved = true;
    }
    if (!moved) break;
  }
  return st;
}

}  // namespace chatd::tls::test
