#pragma once
// Server address and the optional range of source addresses to bind.
#include <netinet/in.h>
#include <sys/socket.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace chatd::loadgen {

struct Endpoint {
  sockaddr_storage addr{};
  socklen_t len = 0;
  int family() const { return addr.ss_family; }
};

// A numeric IPv4 or IPv6 address (no DNS: runs are loopback only).
std::optional<Endpoint> make_endpoint(std::string_view host, std::uint16_t port);

// "127.0.0.2-127.0.0.254" (or a single address): IPv4, host byte order.
struct SourceRange {
  std::uint32_t first = 0;
  std::uint32_t last = 0;
  std::uint32_t size() const { return last - first + 1; }
  // The i-th source address, round-robin, ready for bind() (port 0).
  sockaddr_in at(std::uint64_t i) const;
};
std::optional<SourceRange> parse_source_range(std::string_view text);

}  // namespace chatd::loadgen
