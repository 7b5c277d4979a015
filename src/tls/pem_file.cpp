#include "tls/pem_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "tls/tls_error.hpp"

namespace chatd::tls {

namespace {

// A certificate chain is a few KiB; anything this big is the wrong file.
constexpr std::size_t kMaxPem = 1 << 20;

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }

 private:
  int fd_;
};

[[noreturn]] void cannot_read(std::string_view option, const std::string& file, int err) {
  throw TlsError(std::string(option) + " " + file + ": cannot read it (" + std::strerror(err) + ")");
}

}  // namespace

std::string read_pem_file(std::string_view option, const std::string& file) {
  // Read by ourselves rather than by OpenSSL's file BIO: errno names the
  // real problem (missing, permissions, a directory).
  Fd fd(::open(file.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY));
  if (fd.get() < 0) cannot_read(option, file, errno);
  std::string text;
  char buf[16384];
  for (;;) {
    const ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      cannot_read(option, file, errno);
    }
    if (n == 0) break;
    text.append(buf, static_cast<std::size_t>(n));
    if (text.size() > kMaxPem) throw TlsError(std::string(option) + " " + file + ": larger than 1 MiB, not a PEM file");
  }
  return text;
}

}  // namespace chatd::tls
