#include "options.hpp"

#include <CLI/CLI.hpp>
#include <unistd.h>

#include <algorithm>
#include <map>
#include <thread>

#include "payload.hpp"

namespace chatd::loadgen {

std::string_view scenario_name(Scenario s) {
  switch (s) {
    case Scenario::Report: return "report";
    case Scenario::Fanout: return "fanout";
    case Scenario::Storm: return "storm";
    case Scenario::Idle: return "idle";
    case Scenario::Churn: return "churn";
    case Scenario::Slow: return "slow";
  }
  return "?";
}

std::string_view proto_name(Proto p) {
  switch (p) {
    case Proto::Chatd: return "chatd";
    case Proto::Irc: return "irc";
    case Proto::Redis: return "redis";
    case Proto::Ws: return "ws";
  }
  return "?";
}

unsigned effective_rooms(const Config& c) {
  if (c.rooms) return std::min(c.rooms, std::max(1u, c.clients));
  switch (c.scenario) {
    case Scenario::Report:
      return 1;
    default:
      return std::max(1u, c.clients / 100);
  }
}

std::variant<Config, int> parse_options(int argc, char** argv) {
  Config c;
  CLI::App app{
      "chatd-loadgen: drives many chat clients against chatd (line protocol or WebSocket)\n"
      "or ngIRCd / Redis pub/sub, and measures delivery, loss, order and latency.\n\n"
      "Scenarios:\n"
      "  report  N clients join one room, each sends --messages, wait for every delivery\n"
      "  fanout  clients in --rooms, open-loop --rate msg/s for --duration after --warmup\n"
      "  storm   connect, register and join as fast as possible, --inflight at a time\n"
      "  idle    hold joined clients idle for --duration (server memory per connection)\n"
      "  churn   a fanout while clients connect, join and quit at --churn-rate/s\n"
      "  slow    a fanout where --slow-share of members stop reading\n",
      "chatd-loadgen"};
  app.set_version_flag("--version", std::string("chatd-loadgen ") + CHATD_VERSION);

  const std::map<std::string, Scenario> scenarios{
      {"report", Scenario::Report}, {"fanout", Scenario::Fanout}, {"storm", Scenario::Storm},
      {"idle", Scenario::Idle},     {"churn", Scenario::Churn},   {"slow", Scenario::Slow}};
  const std::map<std::string, Proto> protos{
      {"chatd", Proto::Chatd}, {"irc", Proto::Irc}, {"redis", Proto::Redis}, {"ws", Proto::Ws}};

  app.add_option("scenario", c.scenario, "report | fanout | storm | idle | churn | slow")
      ->required()
      ->transform(CLI::CheckedTransformer(scenarios, CLI::ignore_case).description(""));
  app.add_option("--proto", c.proto, "server protocol: chatd | irc | redis | ws (chatd's web endpoint, /ws)")
      ->transform(CLI::CheckedTransformer(protos, CLI::ignore_case).description(""));
  app.add_option("--host", c.host, "server IPv4/IPv6 address")->capture_default_str();
  app.add_option("--port", c.port, "server port (default 6789 chatd, 6667 irc, 6379 redis, 8080 ws; with --tls 6697, 6697, 6379, 8443)");
  app.add_flag("--tls", c.tls,
               "speak TLS to the server (chatd --tls-listen / --web-tls, Redis --tls-port): SNI localhost, "
               "ALPN http/1.1 with --proto ws, NO certificate verification (for load, not for trust)");
  app.add_option("--ports", c.ports,
                 "several servers on --host (chatd nodes of one cluster): each room's members take them in "
                 "turn (overrides --port)")
      ->delimiter(',');
  app.add_option("--source-range", c.source_range,
                 "bind clients to source addresses A-B round-robin (more than 28k connections)");
  app.add_option("--backend", c.backend, "reactor: auto | uring | epoll")
      ->check(CLI::IsMember({"auto", "uring", "epoll"}))
      ->capture_default_str();
  app.add_option("--threads", c.threads, "worker threads, each with its own reactor (0: one per CPU)")
      ->capture_default_str();
  app.add_option("--clients", c.clients, "measured clients")->capture_default_str()->check(CLI::Range(1u, 10'000'000u));
  app.add_option("--rooms", c.rooms, "rooms (default 1 for report, clients/100 otherwise: a join notifies every member)");
  app.add_option("--inflight", c.inflight, "connects+registrations in progress at once")
      ->capture_default_str()->check(CLI::Range(1u, 1'000'000u));
  app.add_option("--messages", c.messages, "report: messages per client")->capture_default_str();
  app.add_option("--rate", c.rate, "aggregate message rate, msg/s (fanout, churn, slow)")
      ->capture_default_str()->check(CLI::Range(0.0, 1e8));
  app.add_option("--size", c.size, "payload bytes")->capture_default_str()->check(CLI::Range(1, 1 << 20));
  app.add_option("--duration", c.duration, "measured seconds (fanout, churn, slow, idle)")
      ->capture_default_str()->check(CLI::Range(0.0, 86400.0));
  app.add_option("--warmup", c.warmup, "seconds of load before measuring")->capture_default_str()
      ->check(CLI::Range(0.0, 3600.0));
  app.add_option("--drain", c.drain, "seconds to wait for deliveries after the last send")
      ->capture_default_str()->check(CLI::Range(0.0, 3600.0));
  app.add_option("--timeout", c.timeout, "report: seconds to wait for all deliveries")
      ->capture_default_str()->check(CLI::Range(0.0, 86400.0));
  app.add_option("--setup-timeout", c.setup_timeout, "seconds for every client to connect and join")
      ->capture_default_str()->check(CLI::Range(0.1, 86400.0));
  app.add_option("--connect-timeout", c.connect_timeout, "seconds for one TCP connect")
      ->capture_default_str()->check(CLI::Range(0.1, 3600.0));
  app.add_option("--churn-rate", c.churn_rate, "churn: clients connecting (and quitting) per second")
      ->capture_default_str()->check(CLI::Range(0.0, 1e6));
  app.add_option("--churn-hold", c.churn_hold, "churn: seconds a churner stays in its room")
      ->capture_default_str()->check(CLI::Range(0.0, 3600.0));
  app.add_option("--slow-share", c.slow_share, "slow: share of members that stop reading")
      ->capture_default_str()->check(CLI::Range(0.0, 1.0));
  app.add_option("--slow-rcvbuf", c.slow_rcvbuf, "slow: SO_RCVBUF of the slow members, bytes")
      ->capture_default_str();
  app.add_option("--redis-publishers", c.redis_publishers,
                 "redis: publisher connections per thread (subscribers cannot publish)")
      ->capture_default_str()->check(CLI::Range(1u, 10000u));
  app.add_option("--server-pid", c.server_pid, "server process to sample CPU time and RSS from");
  app.add_option("--nick-prefix", c.nick_prefix, "nickname prefix (default lg + a per-run tag)");
  app.add_option("--room-prefix", c.room_prefix, "room name prefix")->capture_default_str();
  app.add_flag("--json", c.json, "print one JSON object with the results on stdout");
  app.add_flag("-q,--quiet", c.quiet, "no progress lines");
  app.add_flag("-v,--verbose", c.verbose, "report individual failures on stderr");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);
    return rc == 0 ? 0 : 2;
  }
  if (c.threads == 0) c.threads = std::max(1u, std::thread::hardware_concurrency());
  c.threads = std::min(c.threads, c.clients);
  if (!c.ports.empty()) c.port = c.ports.front();
  if (c.port == 0) {
    switch (c.proto) {
      case Proto::Chatd: c.port = c.tls ? 6697 : 6789; break;
      case Proto::Irc: c.port = c.tls ? 6697 : 6667; break;
      case Proto::Redis: c.port = 6379; break;
      case Proto::Ws: c.port = c.tls ? 8443 : 8080; break;
    }
  }
  if (c.nick_prefix.empty()) {
    // A short per-run tag keeps nicknames unique against a server that is
    // still dropping the previous run's clients.
    c.nick_prefix = "lg";
    append_base36(c.nick_prefix, static_cast<std::uint64_t>(::getpid()) % (36 * 36));
  }
  return c;
}

}  // namespace chatd::loadgen
