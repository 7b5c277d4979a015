#include "shard/limits.hpp"

#include <fmt/format.h>

namespace chatd::shard {
namespace {

constexpr auto kRelaxed = std::memory_order_relaxed;

template <typename T>
void update_one(const LimitInfo& info, std::atomic<T>& cell, T next, std::vector<std::string>& said) {
  const T old = cell.load(kRelaxed);
  if (old == next) return;
  if (info.applies == Applies::Restart) {
    said.push_back(restart_notice(info.key));
    return;
  }
  cell.store(next, kRelaxed);
  said.push_back(fmt::format("{}: {} -> {}", info.key, old, next));
}

}  // namespace

LiveLimits::LiveLimits(const Limits& start) {
  // Before any shard thread exists (ServerContext is built first).
#define CHATD_LIMIT_INIT(field, type, key, def, applies, check, help) field##_.store(start.field, kRelaxed);
  CHATD_LIMITS(CHATD_LIMIT_INIT)
#undef CHATD_LIMIT_INIT
}

Limits LiveLimits::snapshot() const {
  Limits l;
#define CHATD_LIMIT_LOAD(field, type, key, def, applies, check, help) l.field = field##_.load(kRelaxed);
  CHATD_LIMITS(CHATD_LIMIT_LOAD)
#undef CHATD_LIMIT_LOAD
  return l;
}

std::vector<std::string> LiveLimits::update(const Limits& next) {
  std::vector<std::string> said;
  std::size_t row = 0;
#define CHATD_LIMIT_UPDATE(field, type, key, def, applies, check, help) \
  update_one(kLimits[row++], field##_, next.field, said);
  CHATD_LIMITS(CHATD_LIMIT_UPDATE)
#undef CHATD_LIMIT_UPDATE
  generation_.fetch_add(1, std::memory_order_release);
  return said;
}

std::string restart_notice(std::string_view key) {
  return fmt::format("{}: changed in the config, applies after a restart", key);
}

std::optional<std::size_t> parse_size(std::string_view text) {
  if (text.empty()) return std::nullopt;
  const std::string s(text);
  std::size_t pos = 0;
  unsigned long long v = 0;
  try {
    v = std::stoull(s, &pos);
  } catch (...) {
    return std::nullopt;
  }
  const std::string_view unit = text.substr(pos);
  if (unit.empty() || unit == "B") return v;
  if (unit == "K" || unit == "KiB" || unit == "k") return v << 10;
  if (unit == "M" || unit == "MiB") return v << 20;
  if (unit == "G" || unit == "GiB") return v << 30;
  return std::nullopt;
}

std::string format_size(std::size_t bytes) {
  constexpr struct {
    unsigned shift;
    const char* suffix;
  } kUnits[] = {{30, "G"}, {20, "M"}, {10, "K"}};
  if (bytes > 0)
    for (const auto& u : kUnits)
      if (bytes % (std::size_t{1} << u.shift) == 0) return fmt::format("{}{}", bytes >> u.shift, u.suffix);
  return fmt::format("{}", bytes);
}

}  // namespace chatd::shard
