#pragma once
// One server-side TLS session that never touches a socket: ciphertext in
// through feed(), ciphertext out through pending()/consume(). The shard runs
// it on top of its ordinary recv/send path, so every reactor backend works.
#include <sys/uio.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "tls/cipher_buffer.hpp"
#include "tls/tls_context.hpp"

struct ssl_st;
using SSL = ssl_st;
struct bio_st;
using BIO = bio_st;

namespace chatd::tls {

// Owned by one connection, touched only by its shard thread. Movable (the
// BIO follows the object).
class TlsStream {
 public:
  // SSL_new in the accept state; keeps `ctx` alive for as long as it lives.
  explicit TlsStream(const TlsContext& ctx);
  TlsStream(TlsStream&& other) noexcept;
  TlsStream& operator=(TlsStream&& other) noexcept;
  TlsStream(const TlsStream&) = delete;
  TlsStream& operator=(const TlsStream&) = delete;
  ~TlsStream();

  enum class Status : std::uint8_t {
    Ok,
    Closed,  // the peer's close_notify arrived: no more input
    Error,   // fatal: reason() says why; pending() may hold an alert worth sending
  };

  // Ciphertext read from the socket. Runs the handshake as needed and
  // APPENDS the decrypted application bytes to `plain`. After Closed or
  // Error it returns that again and reads nothing.
  Status feed(std::span<const char> cipher, std::string& plain);
  Status status() const { return status_; }
  bool handshake_done() const { return handshake_done_; }

  // Encrypts application bytes, the pieces batched into records of up to
  // 16 KiB. Before the handshake is done they wait (bounded by the caller)
  // and go out right after it; after Closed or Error they are dropped.
  void write(std::span<const std::string_view> pieces);
  void write(std::string_view piece) { write(std::span<const std::string_view>(&piece, 1)); }

  // Ciphertext for the socket, oldest first: handshake records, alerts,
  // application data. pending() is the oldest contiguous run and may be
  // shorter than pending_size() after a large burst; gather() gives all
  // runs for a writev. Bytes stay where they are until consumed, even when
  // feed() or write() append more, so a send may be in flight meanwhile.
  std::span<const char> pending() const { return out_.front(); }
  std::size_t gather(std::span<iovec> out) const { return out_.gather(out); }
  void consume(std::size_t n) { out_.consume(n); }
  std::size_t pending_size() const { return out_.size(); }

  // Queues a close_notify (best effort: only after a handshake, not after Error).
  void close();

  std::string_view reason() const { return reason_; }  // after Error, for the log
  std::string_view version() const;                    // "TLSv1.3" once negotiated
  std::string_view alpn() const;                       // negotiated protocol, "" if none

  // Heap held outside OpenSSL (ciphertext and early plaintext), for metrics.
  std::size_t buffered_bytes() const { return out_.heap_bytes() + early_.capacity(); }

 private:
  friend struct StreamBio;

  Status fail(int ssl_result);
  void flush_early();
  void encrypt(std::string_view plain);

  std::shared_ptr<const TlsContext> ctx_;
  SSL* ssl_ = nullptr;
  BIO* bio_ = nullptr;            // owned by ssl_; its data points at this
  std::span<const char> input_;   // what the BIO hands OpenSSL during feed()
  CipherBuffer out_;              // what the BIO took from OpenSSL
  std::string early_;             // written before the handshake was done
  std::string reason_;
  Status status_ = Status::Ok;
  bool handshake_done_ = false;
};

}  // namespace chatd::tls
