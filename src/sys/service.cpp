#include "sys/service.hpp"

#include <algorithm>
#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <thread>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "io/clock.hpp"
#include "shard/limits.hpp"
#include "shard/server.hpp"
#include "sys/logging.hpp"
#include "sys/signals.hpp"
#include "sys/systemd.hpp"

namespace chatd::sys {
namespace {

using namespace std::chrono_literals;

// An idle shard still passes its loop at least this often (its longest nap,
// see Shard::next_timeout_ms). A heartbeat older than two naps plus slack
// means a stuck loop; with a WatchdogSec= shorter than that, an idle shard
// would otherwise look stuck.
constexpr std::uint64_t kShardMaxNapMs = 1000;
constexpr std::chrono::milliseconds kMinStall{2 * kShardMaxNapMs + 500};

// What a stop may take beyond --shutdown-timeout before we give up on the
// shards: their own deadline check runs at least every 50 ms while stopping.
constexpr auto kStopGrace = 2s;

std::string status_line(const shard::Server& server) {
  const auto t = server.totals();
  return fmt::format("STATUS={} connections, {} rooms, {} messages", t.connections, t.rooms, t.messages_in);
}

// Every key read once at start, except the limits (their table says which
// of them need a restart, and LiveLimits::update reports those): compared
// with what the process started with.
void restart_only(const Options& next, const Options& started, std::vector<std::string>& said) {
  auto note = [&](std::string_view key, bool changed) {
    if (changed) said.push_back(shard::restart_notice(key));
  };
  const auto &n = next.server, &s = started.server;
  note("threads", n.threads != s.threads);
  note("backend", n.backend != s.backend);
  note("lang", n.lang != s.lang);
  note("backlog", n.backlog != s.backlog);
  auto addresses_changed = [](const std::vector<io::SocketAddress>& a, const std::vector<io::SocketAddress>& b) {
    if (a.size() != b.size()) return true;
    for (std::size_t i = 0; i < a.size(); ++i)
      if (a[i].text != b[i].text) return true;
    return false;
  };
  note("listen", addresses_changed(n.listen, s.listen) && n.inherited_fds.empty());  // socket activation: the unit decides
  note("web", addresses_changed(n.web, s.web));
  note("web-origin", n.web_origins != s.web_origins);
  note("tls-listen", addresses_changed(n.tls_listen, s.tls_listen));
  note("web-tls", addresses_changed(n.web_tls, s.web_tls));
  note("require-tls-for-login", n.require_tls_for_login != s.require_tls_for_login);
  note("log-connections", n.log_connections != s.log_connections);
  note("shutdown-timeout", n.shutdown_timeout_s != s.shutdown_timeout_s);
  note("io-buffers", n.reactor.buf_ring_entries != s.reactor.buf_ring_entries);
  note("data-dir", n.data_dir != s.data_dir);
  note("auth-threads", n.auth_threads != s.auth_threads);
  note("io-buffer-size", n.reactor.buf_size != s.reactor.buf_size);
  const std::string nm = next.metrics ? next.metrics->text : "", sm = started.metrics ? started.metrics->text : "";
  note("metrics", nm != sm);
}

}  // namespace

bool wait_shards_running(const shard::Server& server, std::chrono::milliseconds limit) {
  // A heartbeat is stored after each loop pass; zero means "not yet".
  const auto until = std::chrono::steady_clock::now() + limit;
  while (server.oldest_heartbeat_ms() == 0) {
    if (std::chrono::steady_clock::now() >= until) return false;
    std::this_thread::sleep_for(2ms);
  }
  return true;
}

bool reload(shard::Server& server, Options& current, const Options& started,
            const std::vector<std::string>& args) {
  notify_reloading();
  ParseResult r = load_options(args);
  if (!r.options) {
    spdlog::error("reload refused, still running on the previous config: {}", r.message);
    notify("READY=1\nSTATUS=reload refused (see the log); running on the previous config");
    return false;
  }
  Options& next = *r.options;
  // Socket activation is a fact of this process, not of the file: keep it.
  next.server.inherited_fds = current.server.inherited_fds;
  if (!next.server.inherited_fds.empty()) next.server.listen.clear();

  std::vector<std::string> said;
  const bool new_level = next.log_level != current.log_level;
  if (new_level) said.push_back(fmt::format("log-level: {} -> {}", current.log_level, next.log_level));
  for (auto& line : server.reload(next.server)) said.push_back(std::move(line));
  restart_only(next, started, said);

  // The report is logged under the more verbose of the two levels, so that
  // "info -> warn" is still said and "warn -> debug" is said at all.
  const bool more_verbose =
      spdlog::level::from_str(next.log_level) < spdlog::level::from_str(current.log_level);
  if (new_level && more_verbose) set_log_level(next.log_level);
  const std::string source = next.config_file.empty() ? "no config file" : next.config_file;
  if (said.empty()) spdlog::info("reload ({}): nothing changed", source);
  for (auto& line : said) spdlog::info("reload ({}): {}", source, line);
  if (new_level && !more_verbose) set_log_level(next.log_level);
  current = std::move(next);
  notify("READY=1\n" + status_line(server));
  return true;
}

void serve_until_stopped(shard::Server& server, Options& options, const std::vector<std::string>& args) {
  const Options started = options;
  Watchdog watchdog(watchdog_timeout(), kMinStall);
  auto tick = 1000ms;
  if (watchdog.enabled()) {
    tick = std::min<std::chrono::milliseconds>(watchdog.interval(), tick);
    spdlog::info("watchdog: {} ms; pinging every {} ms while every shard loop runs",
                 watchdog.interval().count() * 2, tick.count());
  }
  std::string last_status;
  for (;;) {
    const SignalEvent ev = wait_signal(tick);
    if (ev == SignalEvent::Stop) return;
    if (ev == SignalEvent::Reload) reload(server, options, started, args);
    watchdog.tick(server.oldest_heartbeat_ms(), io::coarse_now_ms());
    if (std::string s = status_line(server); s != last_status) {
      notify(s);
      last_status = std::move(s);
    }
  }
}

void stop_server(shard::Server& server, unsigned shutdown_timeout_s) {
  spdlog::info("stopping: telling clients, flushing (at most {} s)", shutdown_timeout_s);
  notify("STOPPING=1\nSTATUS=stopping: flushing clients");
  server.request_stop();

  // The shards bound the stop themselves; this guard only catches a loop
  // that never comes back, so that a stop cannot hang until SIGKILL.
  std::mutex m;
  std::condition_variable cv;
  bool done = false;
  std::thread guard([&] {
    std::unique_lock lock(m);
    if (cv.wait_for(lock, std::chrono::seconds(shutdown_timeout_s) + kStopGrace, [&] { return done; }))
      return;
    spdlog::critical("shards did not stop within {} s; exiting without them", shutdown_timeout_s);
    spdlog::shutdown();
    std::_Exit(1);
  });
  server.join();
  {
    std::lock_guard lock(m);
    done = true;
  }
  cv.notify_one();
  guard.join();
  spdlog::info("stopped");
}

}  // namespace chatd::sys
