#include "proc_stats.hpp"

#include <unistd.h>

#include <charconv>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>

namespace chatd::loadgen {

std::optional<std::uint64_t> parse_stat_cpu_ticks(std::string_view stat) {
  // The command name (field 2) is in parentheses and may hold anything;
  // fields are counted from the last ')'. utime, stime are fields 14, 15.
  const auto close = stat.rfind(')');
  if (close == std::string_view::npos) return std::nullopt;
  std::string_view rest = stat.substr(close + 1);
  std::uint64_t sum = 0;
  for (int field = 3; field <= 15; ++field) {
    while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
    const auto sp = rest.find(' ');
    const std::string_view tok = rest.substr(0, sp);
    if (tok.empty()) return std::nullopt;
    if (field >= 14) {
      std::uint64_t v = 0;
      auto [p, ec] = std::from_chars(tok.data(), tok.data() + tok.size(), v);
      if (ec != std::errc{} || p != tok.data() + tok.size()) return std::nullopt;
      sum += v;
    }
    if (sp == std::string_view::npos) {
      if (field < 15) return std::nullopt;
      rest = {};
    } else {
      rest.remove_prefix(sp);
    }
  }
  return sum;
}

std::optional<std::uint64_t> parse_status_kib(std::string_view status, std::string_view key) {
  std::size_t pos = 0;
  while (pos < status.size()) {
    auto nl = status.find('\n', pos);
    if (nl == std::string_view::npos) nl = status.size();
    std::string_view line = status.substr(pos, nl - pos);
    pos = nl + 1;
    if (!line.starts_with(key) || line.size() <= key.size() || line[key.size()] != ':') continue;
    line.remove_prefix(key.size() + 1);
    while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
    std::uint64_t v = 0;
    auto [p, ec] = std::from_chars(line.data(), line.data() + line.size(), v);
    if (ec != std::errc{} || p == line.data()) return std::nullopt;
    return v;
  }
  return std::nullopt;
}

namespace {
std::optional<std::string> slurp(const std::string& path) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}
}  // namespace

std::optional<ProcSample> sample_process(pid_t pid) {
  const std::string base = "/proc/" + std::to_string(pid);
  const auto stat = slurp(base + "/stat");
  const auto status = slurp(base + "/status");
  if (!stat || !status) return std::nullopt;
  const auto ticks = parse_stat_cpu_ticks(*stat);
  const auto rss = parse_status_kib(*status, "VmRSS");
  if (!ticks || !rss) return std::nullopt;
  const long hz = ::sysconf(_SC_CLK_TCK);
  ProcSample s;
  s.cpu_ns = *ticks * (1'000'000'000ull / static_cast<std::uint64_t>(hz > 0 ? hz : 100));
  s.rss_kib = *rss;
  s.threads = parse_status_kib(*status, "Threads").value_or(0);
  return s;
}

}  // namespace chatd::loadgen
