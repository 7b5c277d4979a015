// Wiring only: options, logging, signals, the server, metrics, systemd.
#include <cstdio>
#include <exception>
#include <memory>
#include <string>
#include <vector>

#include <spdlog/spdlog.h>

#include "chat/server_log.hpp"
#include "shard/server.hpp"
#include "sys/logging.hpp"
#include "sys/metrics.hpp"
#include "sys/options.hpp"
#include "sys/service.hpp"
#include "sys/signals.hpp"
#include "sys/systemd.hpp"
#include "tls/ktls_probe.hpp"
#include "tls/tls_error.hpp"

using namespace chatd;

int main(int argc, char** argv) {
  // Kept for SIGHUP: a reload re-reads the file under the same command line.
  const std::vector<std::string> args(argv, argv + argc);
  auto parsed = sys::parse_options(argc, argv);
  if (!parsed.options) return parsed.exit_code;
  sys::Options& opt = *parsed.options;
  sys::setup_logging(opt.log_level);
  // Before any thread exists, so that every thread inherits the mask and
  // only the main thread sees SIGHUP/SIGTERM/SIGINT.
  sys::block_signals();
  spdlog::info("config: {}", opt.config_file.empty()
                                 ? fmt::format("none ({} absent); defaults and command line", sys::kDefaultConfigFile)
                                 : opt.config_file);

  opt.server.inherited_fds = sys::activated_sockets();
  if (!opt.server.inherited_fds.empty()) {
    // The socket unit decides where to listen; --listen/listen= would only
    // open a second, unmanaged set of ports.
    spdlog::info("socket activation: {} listening socket(s) from systemd; listen= is ignored",
                 opt.server.inherited_fds.size());
    opt.server.listen.clear();
  }

  std::unique_ptr<shard::Server> server;
  std::unique_ptr<sys::MetricsServer> metrics;  // declared after: stops first
  try {
    server = std::make_unique<shard::Server>(opt.server);
    if (opt.metrics) metrics = std::make_unique<sys::MetricsServer>(*opt.metrics, *server);
  } catch (const tls::TlsError& e) {
    // A configuration mistake, like a bad option: the operator's to fix.
    std::fprintf(stderr, "chatd: %s\n", e.what());
    spdlog::shutdown();
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "chatd: %s\n", e.what());
    spdlog::shutdown();
    return 1;
  }
  const chat::ServerLog server_log(opt.server.lang);
  for (const auto& addr : server->listening()) spdlog::info("{}", server_log.listening(addr));
  if (opt.server.uses_tls()) {
    const tls::KtlsProbe& ktls = server->ktls();
    spdlog::info("tls: {}; {}", server->tls_description(),
                 ktls.ok ? "kernel TLS available, but records are made in user space (memory BIOs on the shard reactors)"
                         : fmt::format("user-space TLS (kernel TLS unavailable: {})", ktls.why));
  }
  spdlog::info("chatd {}: {} shard(s), backend {} ({})", CHATD_VERSION, server->shards(),
               server->backend(), server->backend_reason());
  server->start();
  if (metrics) {
    metrics->start();
    spdlog::info("metrics on http://{}/metrics", metrics->address());
  }
  // READY=1 only once every shard runs its loop with its listeners added.
  if (!sys::wait_shards_running(*server, std::chrono::seconds(30)))
    spdlog::warn("a shard has not started its loop after 30 s; reporting ready anyway");
  sys::notify("READY=1\nSTATUS=running");

  sys::serve_until_stopped(*server, opt, args);
  metrics.reset();
  sys::stop_server(*server, opt.server.shutdown_timeout_s);
  spdlog::shutdown();
  return 0;
}
