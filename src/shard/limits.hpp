#pragma once
// The limits: every tunable bound on what clients may do, each written once,
// as one row of CHATD_LIMITS below. From that table come the plain values
// (Limits), the values SIGHUP changes while shards run (LiveLimits), the
// command-line options and config keys (sys/options.cpp), the reload report
// (LiveLimits::update) and the chatd_limit metric (sys/metrics.cpp).
//
// Adding a limit: one row here, then use `lim_.<field>` where it applies.
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace chatd::shard {

// When a changed value takes effect.
enum class Applies : std::uint8_t {
  Live,     // on SIGHUP: each shard takes it on its next loop pass
  Restart,  // read once at start; a reload only reports that it changed
};

// How a value is checked, and how it is spelled on the command line and in
// the config file. Bounds are doubles: every bound is an integer well below
// 2^53 or a double already, so they convert back to the field's type exactly.
struct Check {
  enum class Form : std::uint8_t {
    Any,    // whatever the type holds
    Range,  // min..max, both included
    Size,   // a byte count with an optional K/M/G suffix, at least min
  };
  Form form = Form::Any;
  double min = 0, max = 0;
};
constexpr Check any_value() { return {}; }
constexpr Check in_range(double min, double max) { return {Check::Form::Range, min, max}; }
constexpr Check size_at_least(double min) { return {Check::Form::Size, min, 0}; }

// The table. One row per limit:
//   X(field, C++ type, key, default, Live or Restart, check, help)
// field: the member of Limits; key: the long option (--key) and the config
// file key; check: any_value(), in_range(min, max) or size_at_least(min);
// help: the text of chatd --help.
// clang-format off
#define CHATD_LIMITS(X)                                                                   \
  X(max_line, std::size_t, "max-line", 4096, Live, in_range(64, 1 << 20),                 \
    "longest accepted line in bytes")                                                     \
  X(max_outbuf, std::size_t, "max-outbuf", 4u << 20, Live, size_at_least(1024),           \
    "unsent output per client: over it for 2 s while fed, or over twice it + 512K: dropped (K/M/G)") \
  X(line_idle_flush_ms, unsigned, "line-idle-flush", 150, Live, in_range(0, 60000),       \
    "ms after which a partial line without newline counts as a line; 0 = never")          \
  X(login_timeout_s, unsigned, "login-timeout", 30, Live, in_range(0, 86400),             \
    "seconds to send a nickname; 0 = no limit")                                           \
  X(max_rooms, unsigned, "max-rooms", 100000, Restart, in_range(1, 10000000),             \
    "rooms the server will hold")                                                         \
  X(rate, double, "rate", 20, Live, in_range(0, 1e9),                                     \
    "lines per second a client may send (flood control); 0 = off")                        \
  X(burst, unsigned, "burst", 200, Live, in_range(1, 1000000),                            \
    "lines a client may send at once before --rate applies")                              \
  X(flood_disconnect_s, unsigned, "flood-disconnect", 60, Live, in_range(0, 86400),       \
    "seconds of non-stop throttling before a flooder is disconnected; 0 = never")         \
  X(max_conns, unsigned, "max-conns", 0, Live, any_value(),                               \
    "connections the server accepts; 0 = no limit")                                       \
  X(max_conns_per_ip, unsigned, "max-conns-per-ip", 0, Live, any_value(),                 \
    "connections per client address; 0 = no limit")                                       \
  X(rooms_per_minute, unsigned, "rooms-per-minute", 10, Live, any_value(),                \
    "room creations per client per minute; 0 = no limit")                                 \
  X(rooms_per_ip_minute, unsigned, "rooms-per-ip-minute", 30, Live, any_value(),        \
    "room creations per client address per minute, all its connections together; 0 = no limit") \
  X(rooms_page_size, unsigned, "rooms-page-size", 100, Live, in_range(1, 1000),           \
    "rooms one /rooms reply lists at most (a page; /rooms [filter] [page] for the others)") \
  X(history_on_join, unsigned, "history-on-join", 10, Live, in_range(0, 1000),            \
    "recent messages of a room shown to whoever joins it; 0 = none")                      \
  X(history_max_request, unsigned, "history-max-request", 100, Live, in_range(1, 10000),   \
    "most messages one /history may ask for (also what each room keeps in memory)")      \
  X(history_keep, unsigned, "history-keep", 100000, Live, any_value(),                   \
    "messages stored per room; older ones are deleted; 0 = no limit")                     \
  X(history_max_age_s, unsigned, "history-max-age", 0, Live, any_value(),                \
    "seconds a stored message is kept; 0 = no limit")                                     \
  X(history_flush_ms, unsigned, "history-flush-ms", 200, Live, in_range(1, 60000),       \
    "ms a written message may wait before it is committed (what a crash may lose)")      \
  X(login_attempts_per_minute, unsigned, "login-attempts", 3, Live, any_value(),         \
    "password attempts per account per minute; 0 = no limit")                             \
  X(login_attempts_per_ip_minute, unsigned, "login-attempts-per-ip", 30, Live, any_value(), \
    "password attempts per client address per minute; 0 = no limit")                     \
  X(registrations_per_ip_minute, unsigned, "registrations-per-ip", 3, Live, any_value(), \
    "account registrations per client address per minute; 0 = no limit")                 \
  X(web_ping_interval_s, unsigned, "web-ping-interval", 30, Live, in_range(0, 86400),     \
    "seconds of silence before a WebSocket client is pinged; silent another interval: dropped; 0 = never") \
  X(tls_handshake_timeout_s, unsigned, "tls-handshake-timeout", 10, Live, in_range(0, 3600), \
    "seconds a TLS client has to finish its handshake; 0 = no limit")                    \
  X(tcp_keepalive_s, unsigned, "tcp-keepalive", 300, Live, in_range(0, 86400),            \
    "seconds of silence before TCP probes a client (3 probes, a third of that apart); also how long sent data may stay unacknowledged; 0 = off") \
  X(room_notices_max, unsigned, "room-notices-max", 0, Live, any_value(),                 \
    "rooms with more members than this get no join/leave/quit notices (an auditorium); 0 = always") \
  /* new rows above this line */
// clang-format on

// One row of the table without its C++ field.
struct LimitInfo {
  std::string_view key;
  Applies applies;
  Check check;
  std::string_view help;
};

// Every row, in table order.
inline constexpr LimitInfo kLimits[] = {
#define CHATD_LIMIT_INFO(field, type, key, def, applies, check, help) \
  LimitInfo{key, Applies::applies, check, help},
    CHATD_LIMITS(CHATD_LIMIT_INFO)
#undef CHATD_LIMIT_INFO
};

// Plain values: the configuration as read, and the snapshot a shard takes
// once per loop pass. A value type; whoever holds one owns it.
struct Limits {
#define CHATD_LIMIT_FIELD(field, type, key, def, applies, check, help) type field = def;
  CHATD_LIMITS(CHATD_LIMIT_FIELD)
#undef CHATD_LIMIT_FIELD
};

// Calls f(const LimitInfo&, value) for every limit, in table order, with
// `limits.<field>` as the value (a reference; `limits` may be const).
template <typename L, typename F>
void for_each_limit(L& limits, F&& f) {
  std::size_t row = 0;
#define CHATD_LIMIT_VISIT(field, type, key, def, applies, check, help) f(kLimits[row++], limits.field);
  CHATD_LIMITS(CHATD_LIMIT_VISIT)
#undef CHATD_LIMIT_VISIT
}

// The limits while the shards run. Any thread may take a snapshot(); one
// thread at a time (main, on SIGHUP) may update(). Relaxed atomics: each
// value stands alone, and a change applies from each shard's next pass.
class LiveLimits {
 public:
  explicit LiveLimits(const Limits& start);
  LiveLimits(const LiveLimits&) = delete;
  LiveLimits& operator=(const LiveLimits&) = delete;

  // One relaxed load per value.
  Limits snapshot() const;
  // Bumped by every update(): a reader whose snapshot is older than this
  // takes a new one (an acquire load, so the new values are seen).
  std::uint64_t generation() const { return generation_.load(std::memory_order_acquire); }
  // Stores the live values that differ from `next` and returns one line per
  // difference: "max-line: 4096 -> 100" for a live one, or "max-rooms:
  // changed in the config, applies after a restart" (restart-only values are
  // kept as they were at start).
  std::vector<std::string> update(const Limits& next);

 private:
#define CHATD_LIMIT_CELL(field, type, key, def, applies, check, help) std::atomic<type> field##_;
  CHATD_LIMITS(CHATD_LIMIT_CELL)
#undef CHATD_LIMIT_CELL
  std::atomic<std::uint64_t> generation_{0};
};

// The reload line for a value that only a restart applies; the same wording
// for the restart-only limits and for every other restart-only key.
std::string restart_notice(std::string_view key);

// Check::Form::Size spelling: "4096", "64K", "4M", "1G" (powers of 1024; also
// "B", "k", "KiB", "MiB", "GiB"). nullopt if it is not a size.
std::optional<std::size_t> parse_size(std::string_view text);
// The shortest exact spelling parse_size reads back: 4194304 -> "4M".
std::string format_size(std::size_t bytes);

}  // namespace chatd::shard
