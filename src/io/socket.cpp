#include "io/socket.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <system_error>

namespace chatd::io {

void UniqueFd::reset(int fd) {
  if (fd_ >= 0) ::close(fd_);
  fd_ = fd;
}

std::uint16_t SocketAddress::port() const {
  if (storage.ss_family == AF_INET6)
    return ntohs(reinterpret_cast<const sockaddr_in6*>(&storage)->sin6_port);
  return ntohs(reinterpret_cast<const sockaddr_in*>(&storage)->sin_port);
}

std::optional<SocketAddress> parse_address(std::string_view text, std::string* error) {
  auto fail = [&](std::string why) -> std::optional<SocketAddress> {
    if (error) *error = "invalid address '" + std::string(text) + "': " + why;
    return std::nullopt;
  };
  std::string_view host = "127.0.0.1";
  std::string_view port_text = text;
  if (!text.empty() && text.front() == '[') {
    auto close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':')
      return fail("expected [IPv6]:PORT");
    host = text.substr(1, close - 1);
    port_text = text.substr(close + 2);
  } else if (auto colon = text.rfind(':'); colon != std::string_view::npos) {
    if (text.find(':') != colon) return fail("put an IPv6 address in brackets: [::1]:6789");
    if (colon > 0) host = text.substr(0, colon);
    port_text = text.substr(colon + 1);
  }
  unsigned port = 0;
  auto [p, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc() || p != port_text.data() + port_text.size() || port > 65535)
    return fail("port must be a number from 0 to 65535");

  SocketAddress out;
  out.text = std::string(text);
  std::string h(host);
  auto* v4 = reinterpret_cast<sockaddr_in*>(&out.storage);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&out.storage);
  if (inet_pton(AF_INET, h.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(static_cast<std::uint16_t>(port));
    out.len = sizeof(sockaddr_in);
  } else if (inet_pton(AF_INET6, h.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(static_cast<std::uint16_t>(port));
    out.len = sizeof(sockaddr_in6);
  } else {
    return fail("'" + h + "' is not a numeric IPv4 or IPv6 address");
  }
  return out;
}

UniqueFd open_listener(const SocketAddress& addr, ListenMode mode, int backlog) {
  auto fail = [&](const char* what) {
    int e = errno;
    throw std::system_error(e, std::generic_category(),
                            std::string("cannot ") + what + " " + addr.text);
  };
  UniqueFd fd(::socket(addr.storage.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd) fail("create a socket for");
  int one = 1;
  ::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (mode != ListenMode::Exclusive) {
    // SO_REUSEPORT would let us silently share the port with another
    // process of the same user (a second chatd). A plain bind first tells.
    if (mode == ListenMode::FirstOfGroup && addr.port() != 0) {
      UniqueFd probe(::socket(addr.storage.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0));
      ::setsockopt(probe.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
      if (addr.storage.ss_family == AF_INET6)
        ::setsockopt(probe.get(), IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
      if (::bind(probe.get(), reinterpret_cast<const sockaddr*>(&addr.storage), addr.len) != 0)
        fail("listen on");
    }
    if (::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) != 0)
      fail("set SO_REUSEPORT on");
  }
  if (addr.storage.ss_family == AF_INET6)
    ::setsockopt(fd.get(), IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
  if (::bind(fd.get(), reinterpret_cast<const sockaddr*>(&addr.storage), addr.len) != 0)
    fail("listen on");
  if (::listen(fd.get(), backlog) != 0) fail("listen on");
  return fd;
}

std::pair<std::string, std::uint16_t> describe_peer(const sockaddr_storage& peer) {
  char buf[INET6_ADDRSTRLEN] = "?";
  if (peer.ss_family == AF_INET) {
    auto* a = reinterpret_cast<const sockaddr_in*>(&peer);
    inet_ntop(AF_INET, &a->sin_addr, buf, sizeof buf);
    return {buf, ntohs(a->sin_port)};
  }
  if (peer.ss_family == AF_INET6) {
    auto* a = reinterpret_cast<const sockaddr_in6*>(&peer);
    inet_ntop(AF_INET6, &a->sin6_addr, buf, sizeof buf);
    return {buf, ntohs(a->sin6_port)};
  }
  return {"unix", 0};
}

std::string address_text(const sockaddr_storage& addr) {
  auto [ip, port] = describe_peer(addr);
  const std::string port_text = std::to_string(port);
  if (addr.ss_family == AF_INET6) return "[" + ip + "]:" + port_text;
  return ip + ":" + port_text;
}

std::string local_address_text(int fd) {
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len);  // on failure: "unix:0", as for any non-IP socket
  return address_text(ss);
}

}  // namespace chatd::io
