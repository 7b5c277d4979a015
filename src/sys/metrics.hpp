#pragma once
// Prometheus metrics: the server's counters in the text exposition format,
// served at /metrics by a tiny HTTP/1.x responder that runs on its own thread
// with its own epoll reactor, so a slow or hostile scraper never touches a
// shard. The counters are relaxed atomics the shards publish anyway.
#include <memory>
#include <string>

#include "io/socket.hpp"

namespace chatd::shard {
class Server;
}

namespace chatd::sys {

// The exposition text (version 0.0.4) for one scrape.
std::string render_metrics(const shard::Server& server);

class MetricsServer {
 public:
  // Opens the listener now, so a busy port fails the start with a clear
  // one-line std::runtime_error; serving begins with start().
  MetricsServer(const io::SocketAddress& addr, const shard::Server& server);
  ~MetricsServer();  // stops the thread and closes every connection
  MetricsServer(const MetricsServer&) = delete;
  MetricsServer& operator=(const MetricsServer&) = delete;

  void start();
  // "ADDR:PORT" actually bound (port 0 resolved).
  const std::string& address() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace chatd::sys
