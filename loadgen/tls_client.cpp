#include "tls_client.hpp"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include <array>
#include <stdexcept>
#include <string>

namespace chatd::loadgen {

TlsClientContext::TlsClientContext(std::string_view alpn) : ctx_(SSL_CTX_new(TLS_client_method())) {
  if (ctx_ == nullptr) throw std::runtime_error("--tls: OpenSSL could not make a client context");
  SSL_CTX_set_min_proto_version(ctx_, TLS1_2_VERSION);
  SSL_CTX_set_verify(ctx_, SSL_VERIFY_NONE, nullptr);
  // Every connection is a full handshake: that is the load a server sees
  // from many distinct clients, and what a connect storm should measure.
  SSL_CTX_set_session_cache_mode(ctx_, SSL_SESS_CACHE_OFF);
  SSL_CTX_set_options(ctx_, SSL_OP_NO_TICKET);
  // Idle members give their 16 KiB record buffers back.
  SSL_CTX_set_mode(ctx_, SSL_MODE_RELEASE_BUFFERS);
  if (!alpn.empty()) {
    std::string wire(1, static_cast<char>(alpn.size()));
    wire.append(alpn);
    if (SSL_CTX_set_alpn_protos(ctx_, reinterpret_cast<const unsigned char*>(wire.data()),
                                static_cast<unsigned>(wire.size())) != 0) {
      SSL_CTX_free(ctx_);
      throw std::runtime_error("--tls: OpenSSL refused the ALPN list");
    }
  }
}

TlsClientContext::~TlsClientContext() { SSL_CTX_free(ctx_); }

TlsClient::TlsClient(const TlsClientContext& ctx, const char* sni)
    : ssl_(SSL_new(ctx.get())), in_(BIO_new(BIO_s_mem())), out_(BIO_new(BIO_s_mem())) {
  if (ssl_ == nullptr || in_ == nullptr || out_ == nullptr) {
    BIO_free(in_);
    BIO_free(out_);
    SSL_free(ssl_);
    throw std::bad_alloc();
  }
  // An empty memory BIO means "no data yet", not end of file.
  BIO_set_mem_eof_return(in_, -1);
  SSL_set_bio(ssl_, in_, out_);
  SSL_set_connect_state(ssl_);
  SSL_set_tlsext_host_name(ssl_, sni);
  ERR_clear_error();
  const int r = SSL_do_handshake(ssl_);
  if (r != 1) fail(r);
}

TlsClient::~TlsClient() { SSL_free(ssl_); }

TlsClient::Status TlsClient::fail(int ssl_result) {
  const int err = SSL_get_error(ssl_, ssl_result);
  if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) return status_;
  if (err == SSL_ERROR_ZERO_RETURN) {
    status_ = Status::Closed;
    return status_;
  }
  const unsigned long code = ERR_peek_error();
  if (code != 0) {
    const char* why = ERR_reason_error_string(code);
    reason_ = why != nullptr ? why : "error " + std::to_string(ERR_GET_REASON(code));
  } else {
    reason_ = "SSL error " + std::to_string(err);
  }
  ERR_clear_error();  // the queue is per thread: the next connection starts clean
  status_ = Status::Failed;
  return status_;
}

TlsClient::Status TlsClient::feed(std::span<const char> cipher, std::string& plain) {
  if (status_ == Status::Closed || status_ == Status::Failed) return status_;
  if (!cipher.empty() && BIO_write(in_, cipher.data(), static_cast<int>(cipher.size())) <= 0) {
    reason_ = "out of memory";
    status_ = Status::Failed;
    return status_;
  }
  ERR_clear_error();
  if (status_ == Status::Handshaking) {
    const int r = SSL_do_handshake(ssl_);
    if (r != 1) return fail(r);
    status_ = Status::Ready;
  }
  std::array<char, 16384> buf;
  for (;;) {
    const int n = SSL_read(ssl_, buf.data(), static_cast<int>(buf.size()));
    if (n <= 0) return fail(n);
    plain.append(buf.data(), static_cast<std::size_t>(n));
  }
}

void TlsClient::write(std::string_view plain) {
  if (status_ != Status::Ready || plain.empty()) return;
  ERR_clear_error();
  // A memory BIO takes everything: SSL_write never stops half way.
  const int n = SSL_write(ssl_, plain.data(), static_cast<int>(plain.size()));
  if (n <= 0) fail(n);
}

void TlsClient::take_output(std::string& out) {
  const std::size_t n = BIO_ctrl_pending(out_);
  if (n == 0) return;
  const std::size_t at = out.size();
  out.resize(at + n);
  const int got = BIO_read(out_, out.data() + at, static_cast<int>(n));
  out.resize(at + static_cast<std::size_t>(got > 0 ? got : 0));
}

bool TlsClient::has_output() const { return BIO_ctrl_pending(out_) > 0; }

}  // namespace chatd::loadgen
