#include "sys/metrics.hpp"

#include <pthread.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <ctime>
#include <stdexcept>
#include <string_view>
#include <system_error>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "io/clock.hpp"
#include "io/reactor.hpp"
#include "io/slot_table.hpp"
#include "shard/limits.hpp"
#include "shard/server.hpp"

namespace chatd::sys {
namespace {

// Bounds that keep a misbehaving scraper cheap: it can hold at most this
// many connections, each for at most this long, with a request this big.
constexpr std::size_t kMaxClients = 64;
constexpr std::size_t kMaxRequest = 8192;
constexpr std::uint64_t kClientTimeoutMs = 10000;
constexpr std::uint64_t kAcceptPauseMs = 1000;

// Wall-clock start, for process_start_time_seconds (what Prometheus client
// libraries export, so uptime dashboards work unchanged).
const std::time_t g_started = std::time(nullptr);

class Exposition {
 public:
  void header(std::string_view name, std::string_view type, std::string_view help) {
    fmt::format_to(std::back_inserter(out_), "# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
  }
  template <typename T>
  void sample(std::string_view name, T value, std::string_view labels = {}) {
    if (labels.empty())
      fmt::format_to(std::back_inserter(out_), "{} {}\n", name, value);
    else
      fmt::format_to(std::back_inserter(out_), "{}{{{}}} {}\n", name, labels, value);
  }
  template <typename T>
  void single(std::string_view name, std::string_view type, std::string_view help, T value) {
    header(name, type, help);
    sample(name, value);
  }
  std::string take() { return std::move(out_); }

 private:
  std::string out_;
};

// Server-wide figures: connections, rooms, traffic, clients dropped.
void append_totals(Exposition& x, const shard::ServerTotals& t) {
  x.single("chatd_connections", "gauge", "Client connections open now.", t.connections);
  x.single("chatd_connections_accepted_total", "counter", "Client connections accepted.", t.accepted);
  x.single("chatd_connections_refused_total", "counter",
           "Connections refused (max-conns, max-conns-per-ip, or out of file descriptors).", t.refused);
  x.single("chatd_rooms", "gauge", "Rooms that exist (with --data-dir they outlive restarts).", t.rooms);
  x.single("chatd_messages_in_total", "counter", "Chat messages received from clients for a room.",
           t.messages_in);
  x.single("chatd_deliveries_total", "counter",
           "Room events (messages, join and leave notices) queued to members.", t.deliveries);
  x.single("chatd_bytes_in_total", "counter", "Bytes read from clients.", t.bytes_in);
  x.single("chatd_bytes_out_total", "counter", "Bytes written to clients.", t.bytes_out);
  x.single("chatd_slow_consumer_disconnects_total", "counter",
           "Clients dropped because their unsent output passed max-outbuf.", t.slow_disconnects);
  x.single("chatd_limit_disconnects_total", "counter",
           "Clients dropped by a limit (flood, login timeout, line limits, unanswered WebSocket pings).",
           t.limit_disconnects);
  x.single("chatd_web_requests_total", "counter", "HTTP requests on the --web listeners.", t.web_requests);
  x.single("chatd_websocket_upgrades_total", "counter", "HTTP connections upgraded to WebSocket chat clients.",
           t.websocket_upgrades);
  x.single("chatd_websocket_refused_total", "counter",
           "WebSocket upgrades refused (bad handshake, version, or an Origin not allowed).", t.websocket_refused);
  x.single("chatd_websocket_errors_total", "counter",
           "WebSocket clients closed for a protocol error (1002, 1003, 1007, 1009).", t.websocket_errors);
  x.single("chatd_tls_connections", "gauge", "Connections on the TLS listeners open now.", t.tls_connections);
  x.single("chatd_tls_handshakes_total", "counter", "TLS handshakes completed.", t.tls_handshakes);
  x.single("chatd_tls_failures_total", "counter",
           "TLS handshakes failed (plaintext, bad or old clients), or sessions ended by a TLS error.", t.tls_failures);
  x.single("chatd_tls_handshake_timeouts_total", "counter",
           "TLS clients dropped for not finishing the handshake within tls-handshake-timeout.",
           t.tls_handshake_timeouts);
}

// The store's writer and the password hashing.
void append_store_totals(Exposition& x, const shard::ServerTotals& t) {
  x.single("chatd_store_writes_total", "counter", "Writes committed to the store (messages, rooms, accounts...).",
           t.store_committed);
  x.single("chatd_store_commit_failures_total", "counter",
           "Batches the database refused (disk full, read-only...); retried every second.", t.store_failures);
  x.single("chatd_store_dropped_total", "counter",
           "Writes given up: refused by the store, or history dropped past the backlog bound.", t.store_dropped);
  x.single("chatd_store_pending", "gauge", "Writes waiting for a commit (the history write lag).", t.store_pending);
  x.single("chatd_rooms_not_recording_total", "counter",
           "Rooms whose history stopped being recorded because the store fell too far behind.",
           t.rooms_not_recording);
  x.single("chatd_password_checks_total", "counter", "Password hashes and verifications done.", t.password_checks);
}

// The event loops: over all shards, then one labelled series per shard.
void append_shards(Exposition& x, const shard::ServerTotals& t,
                   const std::vector<shard::Server::ShardView>& shards) {
  x.single("chatd_loop_iterations_total", "counter", "Event loop passes, all shards.", t.loops);
  x.single("chatd_shards", "gauge", "Shards (event loop threads).", shards.size());

  // One labelled series per shard.
  auto per_shard = [&](const char* name, const char* type, const char* help, auto field) {
    x.header(name, type, help);
    for (std::size_t i = 0; i < shards.size(); ++i)
      x.sample(name, field(shards[i]), fmt::format("shard=\"{}\"", i));
  };
  per_shard("chatd_shard_loop_iterations_total", "counter", "Event loop passes per shard.",
            [](const auto& v) { return v.loops; });
  per_shard("chatd_shard_queue_depth", "gauge", "Items waiting in a shard's inbound queues.",
            [](const auto& v) { return v.inbox_depth; });
  per_shard("chatd_shard_connections", "gauge", "Client connections open now per shard.",
            [](const auto& v) { return v.connections; });
  per_shard("chatd_shard_connections_accepted_total", "counter", "Client connections accepted per shard.",
            [](const auto& v) { return v.accepted; });
  per_shard("chatd_shard_deliveries_total", "counter", "Room events queued to members per shard.",
            [](const auto& v) { return v.deliveries; });
}

// One series per row of the limits table: the value in effect now.
void append_limits(Exposition& x, const shard::Limits& limits) {
  x.header("chatd_limit", "gauge",
           "Each limit's value in effect (name: its option and config key; live ones follow SIGHUP).");
  shard::for_each_limit(limits, [&](const shard::LimitInfo& info, const auto& value) {
    x.sample("chatd_limit", value, fmt::format("name=\"{}\"", info.key));
  });
}

// What is running: the backend, the version, since when.
void append_info(Exposition& x, std::string_view backend) {
  x.header("chatd_backend_info", "gauge", "The event loop backend in use.");
  x.sample("chatd_backend_info", 1, fmt::format("backend=\"{}\"", backend));
  x.header("chatd_build_info", "gauge", "The chatd version.");
  x.sample("chatd_build_info", 1, fmt::format("version=\"{}\"", CHATD_VERSION));
  x.single("process_start_time_seconds", "gauge", "Start time of the process since the Unix epoch.",
           static_cast<long long>(g_started));
}

}  // namespace

std::string render_metrics(const shard::Server& server) {
  const shard::ServerTotals t = server.totals();
  const auto shards = server.shard_views();
  Exposition x;
  append_totals(x, t);
  append_store_totals(x, t);
  append_shards(x, t, shards);
  append_limits(x, server.limits());
  append_info(x, server.backend());
  if (const shard::RedisLink* link = server.cluster_link()) {
    x.single("chatd_cluster_paused", "gauge",
             "1 while members are told that chat across nodes is paused (Redis lost for a second or more).",
             link->stats().paused.load(std::memory_order_relaxed) ? 1 : 0);
  }
  if (server.uses_tls()) {
    // Which path makes the TLS records: "user" (OpenSSL over memory BIOs on
    // the shards) or "kernel" (kTLS); the reason is in the start-up log.
    x.header("chatd_tls_path_info", "gauge", "Where TLS records are made: user space or the kernel (kTLS).");
    x.sample("chatd_tls_path_info", 1, fmt::format("path=\"user\",ktls_available=\"{}\"", server.ktls().ok ? "yes" : "no"));
  }
  return x.take();
}

// ---------------------------------------------------------------- server

// Constructed and destroyed by the owner's thread; between start() and the
// destructor, everything else runs on the metrics thread.
class MetricsServer::Impl final : public io::ReactorHandler {
 public:
  Impl(const io::SocketAddress& addr, const shard::Server& server)
      : server_(server), reactor_(io::make_epoll_reactor(io::ReactorConfig{})) {
    try {
      listener_ = io::open_listener(addr, false, 64);
    } catch (const std::system_error& e) {
      throw std::runtime_error(fmt::format("--metrics: {}", e.what()));
    }
    address_ = io::local_address_text(listener_.get());
    reactor_->add_listener(listener_.get(), 0);
  }

  ~Impl() override {
    stop_.store(true, std::memory_order_relaxed);
    reactor_->wake();
    if (thread_.joinable()) thread_.join();
    clients_.for_each([&](const Client& c) { reactor_->close(c.token); });
  }

  void start() {
    thread_ = std::thread([this] { run(); });
    pthread_setname_np(thread_.native_handle(), "chatd-metrics");
  }

  const std::string& address() const { return address_; }

  // ReactorHandler: all on the metrics thread.
  void on_accept(int fd, const sockaddr_storage&, std::uint32_t) override {
    if (clients_.size() >= kMaxClients) {
      ::close(fd);
      return;
    }
    const Client& c = clients_.emplace(io::coarse_now_ms() + kClientTimeoutMs);
    reactor_->add_connection(fd, c.token);
  }

  void on_accept_error(int err) override {
    // Out of descriptors or similar: stop listening for a moment instead of
    // spinning on a listener that stays readable.
    spdlog::warn("metrics: cannot accept: {}; pausing for {} ms", std::strerror(err), kAcceptPauseMs);
    reactor_->set_accepting(false);
    resume_accept_ms_ = io::coarse_now_ms() + kAcceptPauseMs;
  }

  void on_data(io::Token t, std::span<const char> bytes) override {
    Client* c = find(t);
    if (!c || c->answered) return;
    c->request.append(bytes.data(), bytes.size());
    if (c->request.size() > kMaxRequest) {
      answer(*c, "431 Request Header Fields Too Large", "request too large\n", false);
      return;
    }
    // Only the request head matters: GET has no body worth reading.
    if (c->request.find("\r\n\r\n") == std::string::npos && c->request.find("\n\n") == std::string::npos)
      return;
    handle(*c);
  }

  void on_closed(io::Token t, int err) override {
    Client* c = find(t);
    if (!c) return;
    // EOF after a full request (a client that half-closes) still gets its
    // answer; an error or an EOF before the request ends the connection.
    if (err != 0 || !c->answered) doomed_.push_back(t);
  }

  std::size_t gather(io::Token t, std::span<iovec> out) override {
    Client* c = find(t);
    if (!c || out.empty() || c->sent >= c->response.size()) return 0;
    out[0].iov_base = c->response.data() + c->sent;
    out[0].iov_len = c->response.size() - c->sent;
    return 1;
  }

  void on_sent(io::Token t, std::size_t bytes) override {
    Client* c = find(t);
    if (!c) return;
    c->sent += bytes;
    // Connection: close — reactor methods are not called from inside its
    // callbacks, so the close happens after run_once returns.
    if (c->sent >= c->response.size()) doomed_.push_back(t);
  }

  void on_wake() override {}
  // A finished answer is closed after run_once returns: poll, don't nap.
  bool has_pending_work() const override { return !doomed_.empty(); }

 private:
  // One scraper connection; lives in clients_ (metrics thread only).
  struct Client {
    Client(io::Token t, std::uint64_t deadline) : token(t), deadline_ms(deadline) {}
    io::Token token;
    std::string request;
    std::string response;
    std::size_t sent = 0;
    std::uint64_t deadline_ms;
    bool answered = false;
  };

  Client* find(io::Token t) { return clients_.find(t); }

  void handle(Client& c) {
    const auto eol = c.request.find('\n');
    std::string_view line(c.request.data(), eol);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    // "METHOD SP TARGET SP HTTP/1.x"
    const auto sp1 = line.find(' ');
    const auto sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
    if (sp2 == std::string_view::npos || line.substr(sp2 + 1).rfind("HTTP/1.", 0) != 0) {
      answer(c, "400 Bad Request", "bad request\n", false);
      return;
    }
    const std::string_view method = line.substr(0, sp1);
    std::string_view target = line.substr(sp1 + 1, sp2 - sp1 - 1);
    if (auto q = target.find('?'); q != std::string_view::npos) target = target.substr(0, q);
    const bool head = method == "HEAD";
    if (method != "GET" && !head) {
      answer(c, "405 Method Not Allowed", "only GET and HEAD\n", false, "Allow: GET, HEAD\r\n");
      return;
    }
    if (target != "/metrics") {
      answer(c, "404 Not Found", "not found; metrics are at /metrics\n", head);
      return;
    }
    answer(c, "200 OK", render_metrics(server_), head);
  }

  void answer(Client& c, std::string_view status, const std::string& body, bool head,
              std::string_view extra_headers = {}) {
    const bool metrics = status.rfind("200", 0) == 0;
    c.response = fmt::format(
        "HTTP/1.1 {}\r\nContent-Type: {}\r\nContent-Length: {}\r\n{}Connection: close\r\n\r\n", status,
        metrics ? "text/plain; version=0.0.4; charset=utf-8" : "text/plain; charset=utf-8", body.size(),
        extra_headers);
    if (!head) c.response += body;
    c.answered = true;
    c.request.clear();
    c.request.shrink_to_fit();
    reactor_->want_send(c.token);
  }

  void drop(io::Token t) {
    if (!find(t)) return;
    reactor_->close(t);
    clients_.erase(t);
  }

  void run() {
    while (!stop_.load(std::memory_order_relaxed)) {
      reactor_->run_once(*this, 1000);
      for (io::Token t : doomed_) drop(t);
      doomed_.clear();
      const std::uint64_t now = io::coarse_now_ms();
      clients_.for_each([&](const Client& c) {
        if (now >= c.deadline_ms) doomed_.push_back(c.token);
      });
      for (io::Token t : doomed_) drop(t);
      doomed_.clear();
      if (resume_accept_ms_ && now >= resume_accept_ms_) {
        resume_accept_ms_ = 0;
        reactor_->set_accepting(true);
      }
    }
  }

  const shard::Server& server_;
  std::unique_ptr<io::Reactor> reactor_;
  io::UniqueFd listener_;
  std::string address_;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  io::SlotTable<Client> clients_;
  std::vector<io::Token> doomed_;
  std::uint64_t resume_accept_ms_ = 0;
};

MetricsServer::MetricsServer(const io::SocketAddress& addr, const shard::Server& server)
    : impl_(std::make_unique<Impl>(addr, server)) {}

MetricsServer::~MetricsServer() = default;

void MetricsServer::start() { impl_->start(); }

const std::string& MetricsServer::address() const { return impl_->address(); }

}  // namespace chatd::sys
