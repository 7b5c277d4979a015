// The limits table and what is derived from it: defaults, LiveLimits
// snapshots and the reload report, the K/M/G size spelling, and the table
// in docs/operations.md.
#include <doctest/doctest.h>

#include <fstream>
#include <iterator>
#include <set>
#include <string>
#include <type_traits>
#include <vector>

#include <fmt/format.h>

#include "shard/limits.hpp"

using chatd::shard::Applies;
using chatd::shard::Check;
using chatd::shard::for_each_limit;
using chatd::shard::format_size;
using chatd::shard::kLimits;
using chatd::shard::LimitInfo;
using chatd::shard::Limits;
using chatd::shard::LiveLimits;
using chatd::shard::parse_size;

TEST_CASE("the defaults are the documented ones") {
  const Limits l;
  CHECK(l.max_line == 4096);
  CHECK(l.max_outbuf == 4u << 20);
  CHECK(l.line_idle_flush_ms == 150);
  CHECK(l.login_timeout_s == 30);
  CHECK(l.rate == 20.0);
  CHECK(l.burst == 200);
  CHECK(l.flood_disconnect_s == 60);
  CHECK(l.max_conns == 0);
  CHECK(l.max_conns_per_ip == 0);
  CHECK(l.rooms_per_minute == 10);
  CHECK(l.max_rooms == 100000);
}

TEST_CASE("every row has a unique key, a help text, and a default its check accepts") {
  std::set<std::string> keys;
  for (const LimitInfo& info : kLimits) {
    CAPTURE(info.key);
    CHECK(!info.key.empty());
    CHECK(info.key.find('_') == std::string_view::npos);  // option spelling: dashes
    CHECK(!info.help.empty());
    CHECK(keys.insert(std::string(info.key)).second);
  }
  std::size_t visited = 0;
  const Limits defaults;
  for_each_limit(defaults, [&](const LimitInfo& info, const auto& value) {
    CAPTURE(info.key);
    CHECK(&info == &kLimits[visited]);  // table order
    ++visited;
    const double v = static_cast<double>(value);
    if (info.check.form != Check::Form::Any) CHECK(v >= info.check.min);
    if (info.check.form == Check::Form::Range) CHECK(v <= info.check.max);
  });
  CHECK(visited == std::size(kLimits));
}

TEST_CASE("for_each_limit hands out the fields themselves") {
  Limits l;
  for_each_limit(l, [](const LimitInfo& info, auto& value) {
    if (info.key == "max-line") value = 100;
    using T = std::remove_reference_t<decltype(value)>;
    if constexpr (std::is_floating_point_v<T>)
      if (info.key == "rate") value = 2.5;
  });
  CHECK(l.max_line == 100);
  CHECK(l.rate == 2.5);
}

TEST_CASE("LiveLimits: a snapshot is what it was built with") {
  Limits start;
  start.max_line = 512;
  start.rate = 0.5;
  start.max_rooms = 7;
  const LiveLimits live(start);
  const Limits s = live.snapshot();
  CHECK(s.max_line == 512);
  CHECK(s.rate == 0.5);
  CHECK(s.max_rooms == 7);
  CHECK(s.burst == 200);
}

TEST_CASE("LiveLimits::update stores live changes and says what changed") {
  LiveLimits live{Limits{}};

  SUBCASE("nothing changed, nothing said") { CHECK(live.update(Limits{}).empty()); }

  SUBCASE("one line per change, in table order, with the reload wording") {
    Limits next;
    next.rooms_per_minute = 3;
    next.max_line = 100;
    next.rate = 2.5;
    next.max_outbuf = 8u << 20;
    next.flood_disconnect_s = 5;
    const std::vector<std::string> want{"max-line: 4096 -> 100", "max-outbuf: 4194304 -> 8388608",
                                        "rate: 20 -> 2.5", "flood-disconnect: 60 -> 5",
                                        "rooms-per-minute: 10 -> 3"};
    CHECK(live.update(next) == want);
    const Limits s = live.snapshot();
    CHECK(s.max_line == 100);
    CHECK(s.rate == 2.5);
    CHECK(s.flood_disconnect_s == 5);
    CHECK(s.rooms_per_minute == 3);
    // Applied: the same values again are no change.
    CHECK(live.update(next).empty());
  }

  SUBCASE("a restart-only limit is reported, not applied, on every reload") {
    Limits next;
    next.max_rooms = 500;
    const std::vector<std::string> want{"max-rooms: changed in the config, applies after a restart"};
    CHECK(live.update(next) == want);
    CHECK(live.snapshot().max_rooms == 100000);
    CHECK(live.update(next) == want);  // still not what the process started with
  }
}

TEST_CASE("each row says whether it is live") {
  for (const LimitInfo& info : kLimits) {
    CAPTURE(info.key);
    CHECK((info.applies == Applies::Restart) == (info.key == "max-rooms"));
  }
}

TEST_CASE("sizes: K/M/G are powers of 1024") {
  CHECK(parse_size("4096") == 4096u);
  CHECK(parse_size("4096B") == 4096u);
  CHECK(parse_size("64K") == 64u << 10);
  CHECK(parse_size("64k") == 64u << 10);
  CHECK(parse_size("64KiB") == 64u << 10);
  CHECK(parse_size("4M") == 4u << 20);
  CHECK(parse_size("4MiB") == 4u << 20);
  CHECK(parse_size("1G") == std::size_t{1} << 30);
  CHECK(parse_size("1GiB") == std::size_t{1} << 30);
  CHECK_FALSE(parse_size(""));
  CHECK_FALSE(parse_size("M"));
  CHECK_FALSE(parse_size("4X"));
  CHECK_FALSE(parse_size("4 M"));
  CHECK_FALSE(parse_size("4m"));

  CHECK(format_size(0) == "0");
  CHECK(format_size(1000) == "1000");
  CHECK(format_size(1024) == "1K");
  CHECK(format_size(1536) == "1536");
  CHECK(format_size(4u << 20) == "4M");
  CHECK(format_size(std::size_t{3} << 30) == "3G");
  for (std::size_t v : {std::size_t{1}, std::size_t{1023}, std::size_t{1025}, std::size_t{4} << 20,
                        (std::size_t{5} << 30) + (std::size_t{1} << 20)})
    CHECK(parse_size(format_size(v)) == v);
}

// ---------------------------------------------------------------- docs

namespace {

// The limits table of docs/operations.md, as it must read.
std::string limits_markdown() {
  std::string md =
      "| key | default | checked | on SIGHUP | meaning |\n"
      "|---|---|---|---|---|\n";
  const Limits defaults;
  for_each_limit(defaults, [&](const LimitInfo& info, const auto& value) {
    const bool size = info.check.form == Check::Form::Size;
    const std::string def = size ? format_size(static_cast<std::size_t>(value)) : fmt::format("{}", value);
    std::string check = "any";
    if (info.check.form == Check::Form::Range) check = fmt::format("{} to {}", info.check.min, info.check.max);
    if (size) check = fmt::format("at least {}", format_size(static_cast<std::size_t>(info.check.min)));
    md += fmt::format("| `{}` | `{}` | {} | {} | {} |\n", info.key, def, check,
                      info.applies == Applies::Live ? "live" : "restart", info.help);
  });
  return md;
}

}  // namespace

TEST_CASE("docs/operations.md shows the limits table as it is") {
  const std::string path = std::string(CHATD_SOURCE_ROOT) + "/docs/operations.md";
  std::ifstream in(path);
  REQUIRE_MESSAGE(in, "cannot read " << path);
  const std::string doc{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  const std::string begin = "<!-- limits table: generated, see tests/unit/test_limits.cpp -->\n";
  const std::string end = "<!-- end of the limits table -->\n";
  const auto b = doc.find(begin);
  const auto e = doc.find(end);
  REQUIRE_MESSAGE((b != std::string::npos && e != std::string::npos && b < e),
                  path << " lacks the markers " << begin << " and " << end);
  const std::string shown = doc.substr(b + begin.size(), e - b - begin.size());
  const std::string want = limits_markdown();
  CHECK_MESSAGE(shown == want, "replace the table in " << path << " with:\n" << want);
}
