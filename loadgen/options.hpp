#pragma once
// Command line of chatd-loadgen: `chatd-loadgen SCENARIO [options]`.
#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace chatd::loadgen {

enum class Scenario : std::uint8_t { Report, Fanout, Storm, Idle, Churn, Slow };
enum class Proto : std::uint8_t { Chatd, Irc, Redis, Ws };

std::string_view scenario_name(Scenario s);
std::string_view proto_name(Proto p);

struct Config {
  Scenario scenario = Scenario::Report;
  Proto proto = Proto::Chatd;
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;           // 0: the protocol's usual port
  std::vector<std::uint16_t> ports; // --ports: several servers (chatd nodes), members spread over them
  std::string source_range;         // "127.0.0.2-127.0.0.254"
  std::string backend = "auto";     // auto | uring | epoll
  bool tls = false;                 // every connection speaks TLS (no certificate check)
  unsigned threads = 0;             // 0: one per CPU
  unsigned clients = 2000;
  unsigned rooms = 0;               // 0: scenario default
  unsigned inflight = 1000;         // connects + registrations in progress
  unsigned messages = 1;            // report: messages per client
  double rate = 200;                // fanout: aggregate msg/s
  std::size_t size = 64;            // payload bytes
  double duration = 10;             // s
  double warmup = 2;                // s
  double drain = 5;                 // s after the last send
  double timeout = 60;              // s: report deliveries
  double setup_timeout = 60;        // s: connect, register and join
  double connect_timeout = 10;      // s per connect
  double churn_rate = 50;           // churn: new clients/s
  double churn_hold = 1;            // churn: s a churner stays joined
  double slow_share = 0.1;          // slow: share of members that stop reading
  unsigned slow_rcvbuf = 4096;      // slow: SO_RCVBUF of slow members
  unsigned redis_publishers = 8;    // redis: publisher connections per thread
  std::optional<pid_t> server_pid;
  std::string nick_prefix;          // default: "lg" + a per-run tag
  std::string room_prefix = "lg-room";
  bool json = false;
  bool quiet = false;
  unsigned verbose = 0;
};

// Parses argv. On --help/--version or an error, holds the exit status to
// return (after CLI11 has printed its message).
std::variant<Config, int> parse_options(int argc, char** argv);

// Rooms actually used (scenario default applied).
unsigned effective_rooms(const Config& c);

}  // namespace chatd::loadgen
