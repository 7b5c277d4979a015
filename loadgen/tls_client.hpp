#pragma once
// The client side of TLS for --tls, over memory BIOs: the worker's reactor
// moves ciphertext to and from the socket as for any connection, this turns
// it into the dialect's plaintext and back. Certificates are not verified:
// --tls exists to put TLS load on a server, not to trust it.
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

struct ssl_ctx_st;
using SSL_CTX = ssl_ctx_st;
struct ssl_st;
using SSL = ssl_st;
struct bio_st;
using BIO = bio_st;

namespace chatd::loadgen {

// Settings every client of a worker shares. Owned by one worker thread
// (SSL_CTX itself would allow sharing; nothing needs it).
class TlsClientContext {
 public:
  // `alpn`: one protocol to offer ("http/1.1" for WebSocket), or empty.
  // Throws std::runtime_error when OpenSSL cannot make a context.
  explicit TlsClientContext(std::string_view alpn);
  TlsClientContext(const TlsClientContext&) = delete;
  TlsClientContext& operator=(const TlsClientContext&) = delete;
  ~TlsClientContext();
  SSL_CTX* get() const { return ctx_; }

 private:
  SSL_CTX* ctx_ = nullptr;
};

// One connection's TLS session. Owned by one client, on its worker thread.
class TlsClient {
 public:
  // Starts the handshake (its ClientHello is in take_output at once),
  // sending `sni` as the server name.
  TlsClient(const TlsClientContext& ctx, const char* sni);
  TlsClient(const TlsClient&) = delete;
  TlsClient& operator=(const TlsClient&) = delete;
  ~TlsClient();

  enum class Status : std::uint8_t { Handshaking, Ready, Closed, Failed };

  // Ciphertext from the server: continues the handshake and APPENDS the
  // application bytes it decrypts to `plain`. May queue ciphertext of its
  // own (handshake records, key updates): check has_output() after it.
  Status feed(std::span<const char> cipher, std::string& plain);
  // Application bytes; only once ready() (the caller keeps them until then).
  void write(std::string_view plain);
  // Moves the ciphertext waiting for the socket to the end of `out`.
  void take_output(std::string& out);
  bool has_output() const;

  Status status() const { return status_; }
  bool ready() const { return status_ == Status::Ready; }
  std::string_view reason() const { return reason_; }  // after Failed

 private:
  Status fail(int ssl_result);
  SSL* ssl_ = nullptr;
  BIO* in_ = nullptr;   // owned by ssl_
  BIO* out_ = nullptr;  // owned by ssl_
  Status status_ = Status::Handshaking;
  std::string reason_;
};

}  // namespace chatd::loadgen
