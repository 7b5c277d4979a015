#include "cluster/event_codec.hpp"

#include <charconv>

#include <fmt/format.h>

namespace chatd::cluster {
namespace {

template <typename T>
bool take_number(std::string_view& s, T& out, char sep) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  if (ec != std::errc() || p == s.data() || p == s.data() + s.size() || *p != sep) return false;
  s.remove_prefix(static_cast<std::size_t>(p - s.data()) + 1);
  return true;
}

bool valid_kind(char c) {
  switch (static_cast<RoomEventKind>(c)) {
    case RoomEventKind::Message:
    case RoomEventKind::Joined:
    case RoomEventKind::Left:
    case RoomEventKind::Quit:
    case RoomEventKind::Topic:
    case RoomEventKind::NickChanged:
      return true;
  }
  return false;
}

}  // namespace

std::string encode_event(RoomEventKind kind, std::int64_t time_ms, std::string_view nick, std::string_view text,
                         const Origin* origin) {
  std::string o = origin ? fmt::format("{}\x1f{}\x1f{}", origin->node, origin->shard, origin->conn) : std::string();
  return fmt::format("{} {} {} {} {}{}{}", static_cast<char>(kind), time_ms, nick.size(), o.size(), nick, o, text);
}

std::optional<RoomEventView> decode_event(std::string_view s) {
  if (s.size() < 2 || !valid_kind(s[0]) || s[1] != ' ') return std::nullopt;
  RoomEventView v;
  v.kind = static_cast<RoomEventKind>(s[0]);
  s.remove_prefix(2);
  std::size_t nick_len = 0, origin_len = 0;
  if (!take_number(s, v.time_ms, ' ') || !take_number(s, nick_len, ' ') || !take_number(s, origin_len, ' '))
    return std::nullopt;
  if (nick_len > s.size() || origin_len > s.size() - nick_len) return std::nullopt;
  v.nick = s.substr(0, nick_len);
  std::string_view origin = s.substr(nick_len, origin_len);
  v.text = s.substr(nick_len + origin_len);
  if (!origin.empty()) {
    const auto a = origin.find('\x1f');
    if (a == std::string_view::npos) return std::nullopt;
    v.origin_node = origin.substr(0, a);
    std::string_view rest = origin.substr(a + 1);
    if (!take_number(rest, v.origin_shard, '\x1f')) return std::nullopt;
    auto [p, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), v.origin_conn);
    if (ec != std::errc() || p != rest.data() + rest.size()) return std::nullopt;
  }
  return v;
}

std::optional<Published> decode_published(std::string_view s) {
  Published p;
  if (!take_number(s, p.offset, ' ')) return std::nullopt;
  const auto sp = s.find(' ');
  if (sp == std::string_view::npos || sp == 0) return std::nullopt;
  p.epoch = s.substr(0, sp);
  p.blob = s.substr(sp + 1);
  return p;
}

std::optional<std::uint64_t> offset_of_entry_id(std::string_view id) {
  std::uint64_t off = 0;
  auto [p, ec] = std::from_chars(id.data(), id.data() + id.size(), off);
  if (ec != std::errc() || p == id.data() || p == id.data() + id.size() || *p != '-') return std::nullopt;
  return off;
}

}  // namespace chatd::cluster
