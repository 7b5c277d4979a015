#pragma once
// Socket helpers shared by the daemon and the load generator.
#include <sys/socket.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace chatd::io {

// Owns one file descriptor; closes it on destruction. Movable value type.
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  UniqueFd(UniqueFd&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
  UniqueFd& operator=(UniqueFd&& o) noexcept {
    if (this != &o) reset(std::exchange(o.fd_, -1));
    return *this;
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd() { reset(); }
  int get() const { return fd_; }
  int release() { return std::exchange(fd_, -1); }
  void reset(int fd = -1);
  explicit operator bool() const { return fd_ >= 0; }

 private:
  int fd_ = -1;
};

// An address to listen on or connect to, resolved (numeric only).
struct SocketAddress {
  sockaddr_storage storage{};
  socklen_t len = 0;
  std::string text;  // as given, e.g. "127.0.0.1:6789" or "[::1]:6789"
  std::uint16_t port() const;
};

// Parses "IPv4:PORT", "[IPv6]:PORT" or ":PORT"/"PORT" (127.0.0.1). nullopt
// and `error` set when malformed.
std::optional<SocketAddress> parse_address(std::string_view text, std::string* error);

// How a listener shares its address.
enum class ListenMode {
  Exclusive,   // plain bind
  FirstOfGroup,  // SO_REUSEPORT, after checking no one else holds the port
  JoinGroup,   // SO_REUSEPORT, joining a group this process opened
};

// A non-blocking listening socket. With SO_REUSEPORT, several shards bind
// the same address and the kernel spreads connections between them.
// Throws std::system_error naming the address on failure.
UniqueFd open_listener(const SocketAddress& addr, ListenMode mode, int backlog);
inline UniqueFd open_listener(const SocketAddress& addr, bool reuse_port, int backlog) {
  return open_listener(addr, reuse_port ? ListenMode::FirstOfGroup : ListenMode::Exclusive, backlog);
}

// "IP" and port of a peer, for logs.
std::pair<std::string, std::uint16_t> describe_peer(const sockaddr_storage& peer);

// "IP:PORT", or "[IP]:PORT" for IPv6: the form parse_address reads, for
// logs and for telling users where we listen.
std::string address_text(const sockaddr_storage& addr);
// address_text of the address `fd` is bound to (getsockname): port 0
// resolved to the port the kernel picked.
std::string local_address_text(int fd);

}  // namespace chatd::io
