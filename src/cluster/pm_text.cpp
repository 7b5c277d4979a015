#include "cluster/pm_text.hpp"

#include <charconv>

#include <fmt/format.h>

namespace chatd::cluster {

std::string format_pm(std::string_view to, std::string_view from, std::uint64_t time_ms, std::string_view text) {
  return fmt::format("{} {}{} {}{} {}", to.size(), to, from.size(), from, time_ms, text);
}

std::optional<PmText> parse_pm(std::string_view s) {
  auto field = [&s](std::string_view& out) {
    const auto sp = s.find(' ');
    if (sp == std::string_view::npos) return false;
    std::size_t n = 0;
    if (std::from_chars(s.data(), s.data() + sp, n).ec != std::errc() || n > s.size() - sp - 1) return false;
    out = s.substr(sp + 1, n);
    s.remove_prefix(sp + 1 + n);
    return true;
  };
  PmText p;
  if (!field(p.to) || !field(p.from)) return std::nullopt;
  const auto sp = s.find(' ');
  if (sp == std::string_view::npos) return std::nullopt;
  std::from_chars(s.data(), s.data() + sp, p.time_ms);
  p.text = s.substr(sp + 1);
  return p;
}

}  // namespace chatd::cluster
