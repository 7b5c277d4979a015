#include "address.hpp"

#include <arpa/inet.h>

namespace chatd::loadgen {

std::optional<Endpoint> make_endpoint(std::string_view host, std::uint16_t port) {
  Endpoint e;
  std::string h(host);
  if (h.size() > 2 && h.front() == '[' && h.back() == ']') h = h.substr(1, h.size() - 2);
  auto* v4 = reinterpret_cast<sockaddr_in*>(&e.addr);
  if (::inet_pton(AF_INET, h.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(port);
    e.len = sizeof(sockaddr_in);
    return e;
  }
  e.addr = {};
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&e.addr);
  if (::inet_pton(AF_INET6, h.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(port);
    e.len = sizeof(sockaddr_in6);
    return e;
  }
  return std::nullopt;
}

namespace {
std::optional<std::uint32_t> parse_v4(std::string_view s) {
  const std::string str(s);
  in_addr a{};
  if (::inet_pton(AF_INET, str.c_str(), &a) != 1) return std::nullopt;
  return ntohl(a.s_addr);
}
}  // namespace

std::optional<SourceRange> parse_source_range(std::string_view text) {
  const auto dash = text.find('-');
  const auto first = parse_v4(text.substr(0, dash));
  const auto last = dash == std::string_view::npos ? first : parse_v4(text.substr(dash + 1));
  if (!first || !last || *last < *first) return std::nullopt;
  return SourceRange{*first, *last};
}

sockaddr_in SourceRange::at(std::uint64_t i) const {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = 0;
  a.sin_addr.s_addr = htonl(first + static_cast<std::uint32_t>(i % size()));
  return a;
}

}  // namespace chatd::loadgen
