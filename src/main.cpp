// Wiring only: options, logging, signals, the server, systemd notifications.
#include <cstdio>
#include <exception>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "shard/server.hpp"
#include "sys/logging.hpp"
#include "sys/options.hpp"
#include "sys/signals.hpp"
#include "sys/systemd.hpp"

using namespace chatd;

int main(int argc, char** argv) {
  auto parsed = sys::parse_options(argc, argv);
  if (!parsed.options) return parsed.exit_code;
  sys::Options& opt = *parsed.options;
  sys::setup_logging(opt.log_level);
  sys::block_signals();

  opt.server.inherited_fds = sys::activated_sockets();
  if (!opt.server.inherited_fds.empty()) opt.server.listen.clear();

  std::unique_ptr<shard::Server> server;
  try {
    server = std::make_unique<shard::Server>(opt.server);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "chatd: %s\n", e.what());
    spdlog::shutdown();
    return 1;
  }
  for (const auto& addr : server->listening()) {
    if (opt.server.lang == chat::Lang::Pt)
      spdlog::info("Servidor rodando em {}", addr);
    else
      spdlog::info("listening on {}", addr);
  }
  spdlog::info("chatd {}: {} shard(s), backend {} ({})", CHATD_VERSION, server->shards(),
               server->backend(), server->backend_reason());
  server->start();
  sys::notify("READY=1");

  const auto watchdog = sys::watchdog_interval();
  const auto tick = watchdog.count() > 0 ? std::min(watchdog, std::chrono::milliseconds(1000))
                                         : std::chrono::milliseconds(1000);
  for (;;) {
    auto ev = sys::wait_signal(tick);
    if (ev == sys::SignalEvent::Stop) break;
    if (ev == sys::SignalEvent::Reload) spdlog::info("SIGHUP: nothing to reload in this version");
    auto t = server->totals();
    sys::notify(fmt::format("STATUS={} connections, {} rooms, {} messages", t.connections, t.rooms,
                            t.messages_in));
  }
  spdlog::info("stopping: telling clients, flushing (at most {} s)", opt.server.shutdown_timeout_s);
  sys::notify("STOPPING=1");
  server->request_stop();
  server->join();
  spdlog::info("stopped");
  spdlog::shutdown();
  return 0;
}
