#pragma once
// The main thread's part once the shards run: readiness, signals, SIGHUP
// reloads, the watchdog, STATUS= lines, and a bounded stop.
#include <chrono>
#include <string>
#include <vector>

#include "sys/options.hpp"

namespace chatd::shard {
class Server;
}

namespace chatd::sys {

// Waits until every shard loop has completed a pass (so each has registered
// its listeners), up to `limit`. False on timeout.
bool wait_shards_running(const shard::Server& server, std::chrono::milliseconds limit);

// Serves until SIGTERM or SIGINT: SIGHUP reloads (re-reading the config file
// with the original command line `args`, which still wins), the watchdog is
// pinged while every shard loop runs, STATUS= follows the counters.
// `options` is updated to what is in effect after each accepted reload.
void serve_until_stopped(shard::Server& server, Options& options, const std::vector<std::string>& args);

// SIGHUP: applies what can change live, logs each change and each value that
// needs a restart; a broken config is refused and the old one stays.
// Returns false when refused. `started` is the config the process began with
// (the baseline for values that only a restart applies).
bool reload(shard::Server& server, Options& current, const Options& started,
            const std::vector<std::string>& args);

// STOPPING=1, then the shards tell every client, flush and close; returns
// once they are done. Should a shard not finish within the shutdown timeout
// plus a grace period, the process exits with status 1 right there, so a
// stop never hangs on a stuck loop.
void stop_server(shard::Server& server, unsigned shutdown_timeout_s);

}  // namespace chatd::sys
