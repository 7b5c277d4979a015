#include "tls/ktls_probe.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/opensslconf.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace chatd::tls {

namespace {

class Socket {
 public:
  explicit Socket(int fd) : fd_(fd) {}
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;
  ~Socket() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }

 private:
  int fd_;
};

KtlsProbe failed(const char* step) {
  return {false, std::string("kTLS probe: ") + step + ": " + std::strerror(errno)};
}

}  // namespace

KtlsProbe ktls_available() {
#ifdef OPENSSL_NO_KTLS
  return {false, "OpenSSL was built without kTLS"};
#else
  Socket listener(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (listener.get() < 0) return failed("socket");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  if (::bind(listener.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) return failed("bind");
  if (::listen(listener.get(), 1) != 0) return failed("listen");
  if (::getsockname(listener.get(), reinterpret_cast<sockaddr*>(&addr), &len) != 0) return failed("getsockname");
  Socket client(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (client.get() < 0) return failed("socket");
  // Loopback: connect completes at once, and the ULP needs an established socket.
  if (::connect(client.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) return failed("connect");
  Socket server(::accept4(listener.get(), nullptr, nullptr, SOCK_CLOEXEC));
  if (server.get() < 0) return failed("accept");
  static constexpr char kUlp[] = "tls";
  if (::setsockopt(server.get(), SOL_TCP, TCP_ULP, kUlp, sizeof kUlp - 1) != 0) {
    if (errno == ENOENT) {
      return {false, std::string("the kernel has no TLS upper-layer protocol (setsockopt TCP_ULP \"tls\": ") +
                         std::strerror(errno) + "; module tls not loaded or not built)"};
    }
    return failed("setsockopt TCP_ULP \"tls\"");
  }
  return {true, "the kernel accepts TCP_ULP \"tls\"; chatd's sessions still encrypt in userspace (memory BIOs)"};
#endif
}

}  // namespace chatd::tls
