#pragma once
// A server SSL_CTX with chatd's settings, built from a PEM certificate
// (chain allowed) and its private key.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "tls/tls_error.hpp"

struct ssl_ctx_st;
using SSL_CTX = ssl_ctx_st;

namespace chatd::tls {

// Immutable once built; shared by every shard thread (SSL_new on a shared
// SSL_CTX is thread-safe). A reload builds a new one and swaps the
// shared_ptr; sessions made from the old one keep it alive.
class TlsContext : public std::enable_shared_from_this<TlsContext> {
 public:
  struct Options {
    std::string cert_file, key_file;
    std::vector<std::string> alpn;  // e.g. {"http/1.1"}; empty = no ALPN
  };

  // TLS 1.2 and 1.3 only, the library's ciphers and security level, no
  // renegotiation, server cipher preference, stateless session tickets.
  // Throws TlsError, one line naming the file:
  //   --tls-cert FILE: cannot read it (No such file or directory)
  //   --tls-cert FILE: not a PEM certificate
  //   --tls-cert FILE: expired on 2025-01-01 (notAfter)
  //   --tls-key FILE: not a PEM private key
  //   --tls-key FILE: does not match --tls-cert FILE
  static std::shared_ptr<const TlsContext> load(const Options& o);

  struct Private {};  // only load() builds one
  explicit TlsContext(Private) {}
  TlsContext(const TlsContext&) = delete;
  TlsContext& operator=(const TlsContext&) = delete;
  ~TlsContext();

  SSL_CTX* native() const { return ctx_; }
  // One line for the log: subject CN, notAfter, key type, chain length.
  std::string describe() const { return description_; }
  std::int64_t not_after_unix() const { return not_after_; }
  // The ALPN protocols in wire format (length-prefixed), "" when none.
  const std::string& alpn_wire() const { return alpn_wire_; }

 private:
  SSL_CTX* ctx_ = nullptr;
  std::string description_;
  std::string alpn_wire_;
  std::int64_t not_after_ = 0;
};

}  // namespace chatd::tls
