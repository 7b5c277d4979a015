#include "tls/tls_context.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <string_view>

#include "tls/pem_file.hpp"

namespace chatd::tls {

namespace {

template <typename T, void (*Free)(T*)>
struct Freer {
  void operator()(T* p) const { Free(p); }
};
using X509Ptr = std::unique_ptr<X509, Freer<X509, X509_free>>;
using KeyPtr = std::unique_ptr<EVP_PKEY, Freer<EVP_PKEY, EVP_PKEY_free>>;
using BioPtr = std::unique_ptr<BIO, Freer<BIO, BIO_free_all>>;
using CtxPtr = std::unique_ptr<SSL_CTX, Freer<SSL_CTX, SSL_CTX_free>>;

// Never prompt on a terminal for a passphrase: an encrypted key just fails.
int no_passphrase(char*, int, int, void*) { return -1; }

// The reason of the newest OpenSSL error, then an empty queue.
std::string openssl_reason() {
  const unsigned long code = ERR_peek_last_error();
  const char* why = code != 0 ? ERR_reason_error_string(code) : nullptr;
  ERR_clear_error();
  return why != nullptr ? why : "unknown error";
}

[[noreturn]] void refuse(std::string_view option, const std::string& file, std::string_view what) {
  ERR_clear_error();
  throw TlsError(std::string(option) + " " + file + ": " + std::string(what));
}

BioPtr memory_bio(const std::string& text) {
  BioPtr b(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
  if (!b) throw std::bad_alloc();
  return b;
}

bool to_tm(const ASN1_TIME* t, std::tm& out) { return t != nullptr && ASN1_TIME_to_tm(t, &out) == 1; }

std::string format_date(const std::tm& tm, const char* fmt) {
  char buf[64];
  const std::size_t n = std::strftime(buf, sizeof buf, fmt, &tm);
  return std::string(buf, n);
}

// The subject's CN, control characters replaced: it goes to the log.
std::string common_name(X509* cert) {
  const X509_NAME* name = X509_get_subject_name(cert);
  const int at = X509_NAME_get_index_by_NID(name, NID_commonName, -1);
  if (at < 0) return "(none)";
  const ASN1_STRING* data = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, at));
  unsigned char* utf8 = nullptr;
  const int n = ASN1_STRING_to_UTF8(&utf8, data);
  if (n < 0) return "(unreadable)";
  std::string cn(reinterpret_cast<const char*>(utf8), static_cast<std::size_t>(n));
  OPENSSL_free(utf8);
  for (char& c : cn) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
  }
  return cn;
}

std::string key_kind(EVP_PKEY* key) {
  const char* type = EVP_PKEY_get0_type_name(key);
  std::string kind = type != nullptr ? type : "unknown";
  char group[64] = {};
  std::size_t len = 0;
  if (EVP_PKEY_get_group_name(key, group, sizeof group, &len) == 1 && len > 0) {
    kind.append(" ").append(group, len);
  } else {
    kind.append(" ").append(std::to_string(EVP_PKEY_get_bits(key))).append(" bits");
  }
  ERR_clear_error();
  return kind;
}

// ALPN's wire format: each protocol as a length byte and its name.
std::string to_alpn_wire(const std::vector<std::string>& protocols) {
  std::string wire;
  for (const std::string& p : protocols) {
    if (p.empty() || p.size() > 255) throw TlsError("ALPN protocol name must be 1 to 255 bytes: '" + p + "'");
    wire.push_back(static_cast<char>(p.size()));
    wire.append(p);
  }
  return wire;
}

// Picks the first of our protocols that the client offers. A client that
// offers ALPN but none of ours gets no_application_protocol (RFC 7301 §3.2);
// a client that offers none is not asked.
int select_alpn(SSL*, const unsigned char** out, unsigned char* out_len, const unsigned char* in, unsigned int in_len,
                void* arg) {
  const std::string& ours = *static_cast<const std::string*>(arg);
  unsigned char* chosen = nullptr;
  unsigned char chosen_len = 0;
  if (SSL_select_next_proto(&chosen, &chosen_len, reinterpret_cast<const unsigned char*>(ours.data()),
                            static_cast<unsigned int>(ours.size()), in, in_len) != OPENSSL_NPN_NEGOTIATED) {
    return SSL_TLSEXT_ERR_ALERT_FATAL;
  }
  *out = chosen;
  *out_len = chosen_len;
  return SSL_TLSEXT_ERR_OK;
}

// The certificate file: its leaf, then the rest of the chain (other PEM
// blocks, such as a key in the same file, are skipped).
struct CertChain {
  X509Ptr leaf;
  std::vector<X509Ptr> chain;
  std::tm not_after{};
};

CertChain read_cert_chain(const std::string& cert_file) {
  const std::string cert_text = read_pem_file("--tls-cert", cert_file);
  BioPtr cert_bio = memory_bio(cert_text);
  CertChain c;
  c.leaf.reset(PEM_read_bio_X509(cert_bio.get(), nullptr, no_passphrase, nullptr));
  if (!c.leaf) refuse("--tls-cert", cert_file, "not a PEM certificate");
  for (;;) {
    ERR_clear_error();
    X509Ptr next(PEM_read_bio_X509(cert_bio.get(), nullptr, no_passphrase, nullptr));
    if (!next) {
      const unsigned long code = ERR_peek_last_error();
      if (ERR_GET_LIB(code) == ERR_LIB_PEM && ERR_GET_REASON(code) == PEM_R_NO_START_LINE) break;  // end of file
      refuse("--tls-cert", cert_file,
             "certificate " + std::to_string(c.chain.size() + 2) + " of the chain is not valid PEM");
    }
    c.chain.push_back(std::move(next));
  }
  ERR_clear_error();
  if (!to_tm(X509_get0_notAfter(c.leaf.get()), c.not_after)) refuse("--tls-cert", cert_file, "unreadable notAfter date");
  if (X509_cmp_current_time(X509_get0_notAfter(c.leaf.get())) < 0) {
    refuse("--tls-cert", cert_file, "expired on " + format_date(c.not_after, "%Y-%m-%d") + " (notAfter)");
  }
  return c;
}

// The private key, which must match the leaf; its text is wiped once parsed.
KeyPtr read_key(const std::string& key_file, X509* leaf, const std::string& cert_file) {
  std::string key_text = read_pem_file("--tls-key", key_file);
  const bool encrypted = key_text.find("ENCRYPTED") != std::string::npos;
  KeyPtr key;
  {
    BioPtr key_bio = memory_bio(key_text);
    key.reset(PEM_read_bio_PrivateKey(key_bio.get(), nullptr, no_passphrase, nullptr));
  }
  OPENSSL_cleanse(key_text.data(), key_text.size());
  if (!key) {
    refuse("--tls-key", key_file,
           encrypted ? "the key is encrypted (chatd needs it unencrypted, readable only by chatd)"
                     : "not a PEM private key");
  }
  if (X509_check_private_key(leaf, key.get()) != 1) {
    refuse("--tls-key", key_file, "does not match --tls-cert " + cert_file);
  }
  return key;
}

// A server context with chatd's settings, holding the pair.
CtxPtr server_context(const CertChain& c, EVP_PKEY* key, const std::string& cert_file, const std::string& key_file) {
  CtxPtr ctx(SSL_CTX_new(TLS_server_method()));
  if (!ctx) throw TlsError("TLS: cannot create a context (" + openssl_reason() + ")");
  SSL_CTX_set_min_proto_version(ctx.get(), TLS1_2_VERSION);
  // kTLS only applies to socket BIOs; over chatd's memory BIOs it is a no-op
  // and the records stay in userspace (see ktls_available()).
  SSL_CTX_set_options(ctx.get(), SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_NO_COMPRESSION |
                                     SSL_OP_ENABLE_KTLS);
  // Idle sessions give their 16 KiB read and write buffers back.
  SSL_CTX_set_mode(ctx.get(), SSL_MODE_RELEASE_BUFFERS);
  // Resumption by stateless tickets only: a server-side cache would be a
  // shared, locked, growing table for no gain.
  SSL_CTX_set_session_cache_mode(ctx.get(), SSL_SESS_CACHE_OFF);

  if (SSL_CTX_use_certificate(ctx.get(), c.leaf.get()) != 1) {
    refuse("--tls-cert", cert_file, "refused by OpenSSL (" + openssl_reason() + ")");
  }
  for (const X509Ptr& link : c.chain) {
    if (SSL_CTX_add1_chain_cert(ctx.get(), link.get()) != 1) {
      refuse("--tls-cert", cert_file, "chain refused by OpenSSL (" + openssl_reason() + ")");
    }
  }
  if (SSL_CTX_use_PrivateKey(ctx.get(), key) != 1) {
    refuse("--tls-key", key_file, "refused by OpenSSL (" + openssl_reason() + ")");
  }
  if (SSL_CTX_check_private_key(ctx.get()) != 1) refuse("--tls-key", key_file, "does not match --tls-cert " + cert_file);
  return ctx;
}

}  // namespace

struct TlsContext::Private {};

TlsContext::~TlsContext() { SSL_CTX_free(ctx_); }

std::shared_ptr<const TlsContext> TlsContext::load(const Options& o) {
  ERR_clear_error();
  const CertChain certs = read_cert_chain(o.cert_file);
  const KeyPtr key = read_key(o.key_file, certs.leaf.get(), o.cert_file);
  CtxPtr ctx = server_context(certs, key.get(), o.cert_file, o.key_file);

  auto self = std::make_shared<TlsContext>(Private{});
  self->alpn_wire_ = to_alpn_wire(o.alpn);
  if (!self->alpn_wire_.empty()) {
    // The wire string lives in the TlsContext, which every TlsStream keeps alive.
    SSL_CTX_set_alpn_select_cb(ctx.get(), select_alpn, const_cast<std::string*>(&self->alpn_wire_));
  }
  std::tm tm_copy = certs.not_after;
  self->not_after_ = static_cast<std::int64_t>(timegm(&tm_copy));
  self->description_ = "CN=" + common_name(certs.leaf.get()) + ", notAfter " +
                       format_date(certs.not_after, "%Y-%m-%d %H:%M:%S UTC") + ", key " + key_kind(key.get()) +
                       ", chain " + std::to_string(certs.chain.size() + 1) +
                       (certs.chain.empty() ? " certificate" : " certificates");
  self->ctx_ = ctx.release();
  ERR_clear_error();
  return self;
}

}  // namespace chatd::tls
