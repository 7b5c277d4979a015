#include "tls/tls_stream.hpp"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <new>
#include <utility>

namespace chatd::tls {

namespace {

// The largest TLS plaintext record (RFC 8446 §5.1): pieces are batched up to it.
constexpr std::size_t kRecord = 16384;

// Clears the input span however feed() leaves: OpenSSL must never see a
// span that outlived its call.
struct InputScope {
  std::span<const char>& input;
  ~InputScope() { input = {}; }
};

}  // namespace

// A BIO whose storage is the TlsStream itself: reads come from the span
// feed() was given, writes go to the pending ciphertext. Unlike BIO_s_mem,
// it keeps no buffer of its own, so nothing stays allocated between
// bursts, and ciphertext is copied once instead of twice.
struct StreamBio {
  static BIO_METHOD* method() {
    static BIO_METHOD* const m = [] {
      BIO_METHOD* bm = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "chatd tls stream");
      if (bm != nullptr) {
        BIO_meth_set_write(bm, &StreamBio::write);
        BIO_meth_set_read(bm, &StreamBio::read);
        BIO_meth_set_ctrl(bm, &StreamBio::ctrl);
        BIO_meth_set_create(bm, &StreamBio::create);
      }
      return bm;  // one per process, never freed
    }();
    return m;
  }

  static TlsStream& stream(BIO* b) { return *static_cast<TlsStream*>(BIO_get_data(b)); }

  static int create(BIO* b) {
    BIO_set_init(b, 1);
    return 1;
  }

  static int write(BIO* b, const char* data, int len) {
    BIO_clear_retry_flags(b);
    if (len <= 0) return 0;
    try {
      stream(b).out_.append({data, static_cast<std::size_t>(len)});
    } catch (const std::bad_alloc&) {
      return -1;  // no exception may cross OpenSSL's C frames; the SSL call fails instead
    }
    return len;
  }

  static int read(BIO* b, char* out, int len) {
    BIO_clear_retry_flags(b);
    auto& in = stream(b).input_;
    if (in.empty()) {
      BIO_set_retry_read(b);  // "no data yet": OpenSSL keeps its partial record and asks again later
      return -1;
    }
    const std::size_t n = std::min(in.size(), static_cast<std::size_t>(len));
    std::memcpy(out, in.data(), n);
    in = in.subspan(n);
    return static_cast<int>(n);
  }

  static long ctrl(BIO* b, int cmd, long, void*) {
    switch (cmd) {
      case BIO_CTRL_FLUSH:
        return 1;  // everything written is already in the pending buffer
      case BIO_CTRL_PENDING:
        return static_cast<long>(stream(b).input_.size());
      case BIO_CTRL_WPENDING:
        return 0;
      default:
        return 0;  // no kTLS, no reset, no duplication
    }
  }
};

TlsStream::TlsStream(const TlsContext& ctx) : ctx_(ctx.shared_from_this()) {
  BIO_METHOD* m = StreamBio::method();
  if (m == nullptr) throw std::bad_alloc();
  ssl_ = SSL_new(ctx.native());
  if (ssl_ == nullptr) {
    ERR_clear_error();
    throw std::bad_alloc();
  }
  bio_ = BIO_new(m);
  if (bio_ == nullptr) {
    SSL_free(ssl_);
    ERR_clear_error();
    throw std::bad_alloc();
  }
  BIO_set_data(bio_, this);
  SSL_set_bio(ssl_, bio_, bio_);  // the same BIO both ways: one reference, now the SSL's
  SSL_set_accept_state(ssl_);
}

TlsStream::TlsStream(TlsStream&& o) noexcept
    : ctx_(std::move(o.ctx_)),
      ssl_(std::exchange(o.ssl_, nullptr)),
      bio_(std::exchange(o.bio_, nullptr)),
      out_(std::move(o.out_)),
      early_(std::move(o.early_)),
      reason_(std::move(o.reason_)),
      status_(o.status_),
      handshake_done_(o.handshake_done_) {
  if (bio_ != nullptr) BIO_set_data(bio_, this);
}

TlsStream& TlsStream::operator=(TlsStream&& o) noexcept {
  if (this != &o) {
    if (ssl_ != nullptr) SSL_free(ssl_);
    ctx_ = std::move(o.ctx_);
    ssl_ = std::exchange(o.ssl_, nullptr);
    bio_ = std::exchange(o.bio_, nullptr);
    input_ = {};
    out_ = std::move(o.out_);
    early_ = std::move(o.early_);
    reason_ = std::move(o.reason_);
    status_ = o.status_;
    handshake_done_ = o.handshake_done_;
    if (bio_ != nullptr) BIO_set_data(bio_, this);
  }
  return *this;
}

TlsStream::~TlsStream() {
  if (ssl_ != nullptr) {
    SSL_free(ssl_);
    ERR_clear_error();
  }
}

TlsStream::Status TlsStream::feed(std::span<const char> cipher, std::string& plain) {
  if (status_ != Status::Ok) return status_;
  ERR_clear_error();  // SSL_get_error needs an empty queue before each call
  input_ = cipher;
  InputScope scope{input_};
  if (!handshake_done_) {
    const int r = SSL_do_handshake(ssl_);
    if (r != 1) {
      const int e = SSL_get_error(ssl_, r);
      if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) return Status::Ok;
      return fail(e);
    }
    handshake_done_ = true;
    flush_early();
    if (status_ != Status::Ok) return status_;
  }
  std::array<char, kRecord> buf;
  for (;;) {
    std::size_t got = 0;
    const int r = SSL_read_ex(ssl_, buf.data(), buf.size(), &got);
    if (r == 1) {
      plain.append(buf.data(), got);
      continue;
    }
    const int e = SSL_get_error(ssl_, r);
    if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) return Status::Ok;
    if (e == SSL_ERROR_ZERO_RETURN) {
      ERR_clear_error();
      return status_ = Status::Closed;
    }
    return fail(e);
  }
}

TlsStream::Status TlsStream::fail(int ssl_error) {
  const unsigned long code = ERR_peek_error();
  if (code != 0) {
    const char* why = ERR_reason_error_string(code);
    reason_ = why != nullptr ? why : "error " + std::to_string(ERR_GET_REASON(code));
  } else if (ssl_error == SSL_ERROR_SYSCALL) {
    reason_ = "out of memory";  // our BIO fails only when it cannot allocate
  } else {
    reason_ = "SSL error " + std::to_string(ssl_error);
  }
  ERR_clear_error();  // the queue is per thread: the next connection starts clean
  std::string().swap(early_);
  return status_ = Status::Error;
}

void TlsStream::flush_early() {
  if (early_.empty()) return;
  const std::string early = std::move(early_);
  early_.clear();
  for (std::size_t at = 0; at < early.size() && status_ != Status::Error; at += kRecord) {
    encrypt(std::string_view(early).substr(at, kRecord));
  }
}

void TlsStream::encrypt(std::string_view plain) {
  std::size_t wrote = 0;
  const int r = SSL_write_ex(ssl_, plain.data(), plain.size(), &wrote);
  if (r != 1) fail(SSL_get_error(ssl_, r));
}

void TlsStream::write(std::span<const std::string_view> pieces) {
  if (status_ == Status::Error || (SSL_get_shutdown(ssl_) & SSL_SENT_SHUTDOWN) != 0) return;
  if (!handshake_done_) {
    for (std::string_view p : pieces) early_.append(p);
    return;
  }
  ERR_clear_error();
  // Small pieces are gathered into full records: one line per record would
  // cost 22+ bytes of overhead and an AEAD call each.
  std::array<char, kRecord> stage;
  std::size_t used = 0;
  for (std::string_view p : pieces) {
    while (!p.empty() && status_ != Status::Error) {
      if (used == 0 && p.size() >= kRecord) {
        const std::size_t n = p.size() - p.size() % kRecord;  // whole records straight from the piece
        encrypt(p.substr(0, n));
        p.remove_prefix(n);
        continue;
      }
      const std::size_t n = std::min(kRecord - used, p.size());
      std::memcpy(stage.data() + used, p.data(), n);
      used += n;
      p.remove_prefix(n);
      if (used == kRecord) {
        encrypt({stage.data(), used});
        used = 0;
      }
    }
  }
  if (used > 0 && status_ != Status::Error) encrypt({stage.data(), used});
}

void TlsStream::close() {
  if (status_ == Status::Error || !handshake_done_ || (SSL_get_shutdown(ssl_) & SSL_SENT_SHUTDOWN) != 0) return;
  ERR_clear_error();
  SSL_shutdown(ssl_);  // 0 = sent, the peer's reply not awaited; either way nothing more to do
  ERR_clear_error();
}

std::string_view TlsStream::version() const {
  if (!handshake_done_) return {};
  return SSL_get_version(ssl_);
}

std::string_view TlsStream::alpn() const {
  const unsigned char* data = nullptr;
  unsigned int len = 0;
  SSL_get0_alpn_selected(ssl_, &data, &len);
  if (data == nullptr) return {};
  return {reinterpret_cast<const char*>(data), len};
}

}  // namespace chatd::tls
