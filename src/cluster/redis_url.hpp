#pragma once
// --cluster redis://HOST:PORT[/DB]. Pure.
#include <charconv>
#include <optional>
#include <string>
#include <string_view>

namespace chatd::cluster {

// Plain value.
struct RedisUrl {
  std::string host;
  unsigned port = 6379;
  unsigned db = 0;
};

inline std::optional<RedisUrl> parse_redis_url(std::string_view s) {
  constexpr std::string_view kScheme = "redis://";
  if (s.substr(0, kScheme.size()) != kScheme) return std::nullopt;
  s.remove_prefix(kScheme.size());
  RedisUrl u;
  if (auto slash = s.find('/'); slash != std::string_view::npos) {
    std::string_view db = s.substr(slash + 1);
    auto [p, ec] = std::from_chars(db.data(), db.data() + db.size(), u.db);
    if (ec != std::errc() || p != db.data() + db.size() || db.empty()) return std::nullopt;
    s = s.substr(0, slash);
  }
  if (auto colon = s.rfind(':'); colon != std::string_view::npos) {
    std::string_view port = s.substr(colon + 1);
    auto [p, ec] = std::from_chars(port.data(), port.data() + port.size(), u.port);
    if (ec != std::errc() || p != port.data() + port.size() || u.port == 0 || u.port > 65535) return std::nullopt;
    s = s.substr(0, colon);
  }
  if (s.empty()) return std::nullopt;
  u.host = std::string(s);
  return u;
}

}  // namespace chatd::cluster
