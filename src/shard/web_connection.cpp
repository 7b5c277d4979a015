// Connections from a --web listener: HTTP/1.1 requests (the page, /healthz),
// the upgrade to WebSocket at /ws, then frames in and out. Once upgraded, a
// web client is a chat client like any other: its text frames become lines
// for the same pump, stash and session; its events are rendered by the JSON
// dialect and framed once per room (render_shared).
#include <spdlog/spdlog.h>

#include "shard/shard.hpp"
#include "shard/shard_host.hpp"
#ifndef CHATD_NO_WEB_ASSETS
#include "web/assets.hpp"
#else
namespace chatd::web {
struct Asset {
  std::string_view path, content_type, body, etag;
};
inline const Asset* find_asset(std::string_view) { return nullptr; }
}  // namespace chatd::web
#endif
#include "web/http_response.hpp"
#include "web/ws_frame.hpp"
#include "web/ws_handshake.hpp"

namespace chatd::shard {
namespace {

constexpr std::size_t kMaxRequestHead = 8192;     // request line + headers
constexpr std::uint64_t kHttpIdleMs = 10'000;     // a request must come within this
constexpr unsigned kRequestsPerConnection = 100;  // keep-alive, then close

// The page runs under this policy: nothing inline, nothing from elsewhere.
constexpr std::string_view kPagePolicy =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

constexpr std::string_view kTextPlain = "text/plain; charset=utf-8";

}  // namespace

// Contract: a connection from a --web listener starts here, speaking HTTP;
// its session starts only at the WebSocket upgrade.
void Shard::start_web(Connection& c) {
  c.web_state = std::make_unique<WebState>();
  c.web_state->http.emplace(kMaxRequestHead);
  timers_.add(now_ms_ + kHttpIdleMs, c.token, TimerKind::WebIdle);
}

// Bytes from a web client: HTTP requests until the upgrade, frames after.
void Shard::web_input(Connection& c, std::span<const char> bytes) {
  WebState& w = *c.web_state;
  while (!bytes.empty() && !c.closing()) {
    if (w.ws) return websocket_input(c, bytes);
    std::size_t used = 0;
    const auto status = w.http->feed(bytes, used);
    bytes = bytes.subspan(used);
    if (status == web::HttpRequestParser::Status::NeedMore) return;
    if (status == web::HttpRequestParser::Status::Error) {
      spdlog::debug("web {}:{}: bad request: {}", c.ip, c.port, w.http->error_reason());
      respond(c, w.http->error_status(), kTextPlain, w.http->error_reason(), {}, false);
      return;
    }
    serve_request(c);
  }
}

// One complete request head in c's parser: answer it (or upgrade).
void Shard::serve_request(Connection& c) {
  WebState& w = *c.web_state;
  const web::HttpRequestParser& req = *w.http;
  stats_.web_requests.fetch_add(1, std::memory_order_relaxed);
  const bool head = req.method() == "HEAD";
  if (req.method() != "GET" && !head) {
    const web::HttpHeader allow[] = {{"Allow", "GET, HEAD"}};
    return respond(c, 405, kTextPlain, "method not allowed\n", allow, false);
  }
  if (req.path() == "/ws") return upgrade(c);
  const bool keep_alive = req.minor_version() >= 1 && !req.has_token("Connection", "close") &&
                          ++w.requests < kRequestsPerConnection;
  if (req.path() == "/healthz") {
    const web::HttpHeader no_cache[] = {{"Cache-Control", "no-store"}};
    return respond(c, 200, kTextPlain, head ? std::string_view{} : "ok\n", no_cache, keep_alive);
  }
  const web::Asset* asset = web::find_asset(req.path());
  if (!asset) return respond(c, 404, kTextPlain, "not found\n", {}, keep_alive);
  const web::HttpHeader headers[] = {
      {"Content-Security-Policy", kPagePolicy},
      {"X-Content-Type-Options", "nosniff"},
      {"Referrer-Policy", "no-referrer"},
      {"Cache-Control", "no-cache"},  // revalidate: the ETag makes that cheap
      {"ETag", asset->etag},
  };
  if (auto tag = req.header("If-None-Match"); tag && *tag == asset->etag)
    return respond(c, 304, {}, {}, headers, keep_alive);
  if (head) {
    // The headers a GET would get, Content-Length included, and no body.
    std::string r = web::http_response(200, asset->content_type, asset->body, headers, keep_alive);
    r.resize(r.size() - asset->body.size());
    return send_raw(c, r, keep_alive);
  }
  respond(c, 200, asset->content_type, asset->body, headers, keep_alive);
}

void Shard::respond(Connection& c, int status, std::string_view type, std::string_view body,
                    std::span<const web::HttpHeader> extra, bool keep_alive) {
  send_raw(c, web::http_response(status, type, body, extra, keep_alive), keep_alive);
}

// Queues bytes exactly as given; without keep-alive the connection closes
// once they are sent.
void Shard::send_raw(Connection& c, std::string_view bytes, bool keep_alive) {
  queue_bytes(c, bytes);
  if (!keep_alive) {
    c.reason = "http request served";
    finish(c);
  } else {
    c.web_state->http->reset();
  }
}

void Shard::queue_bytes(Connection& c, std::string_view bytes) {
  LocalText* l = texts_.adopt(SharedText::create(bytes), 1);
  queue_text(c, l);
  texts_.unref(l);
}

// GET /ws: checked against RFC 6455 and the allowed origins; on success the
// 101 goes out and the chat session starts (its prompt is the first frame).
void Shard::upgrade(Connection& c) {
  WebState& w = *c.web_state;
  const web::HttpRequestParser& req = *w.http;
  // Default: only the page's own origin (a browser on another site must not
  // drive a user's chat with the user's network position).
  std::vector<std::string> own;
  std::span<const std::string> allowed = ctx_.config.web_origins;
  if (allowed.empty()) {
    const std::string_view host = req.header("Host").value_or("");
    own = {"http://" + std::string(host), "https://" + std::string(host)};
    allowed = own;
  } else if (allowed.size() == 1 && allowed[0] == "*") {
    allowed = {};
  }
  const web::WsUpgradeCheck check = web::check_ws_upgrade(req, allowed);
  if (check.status != 0) {
    stats_.websocket_refused.fetch_add(1, std::memory_order_relaxed);
    spdlog::debug("web {}:{}: upgrade refused ({}): {}", c.ip, c.port, check.status, check.why);
    const web::HttpHeader version[] = {{"Sec-WebSocket-Version", "13"}};
    return respond(c, check.status, kTextPlain, fmt::format("{}\n", check.why),
                   check.status == 426 ? std::span<const web::HttpHeader>(version) : std::span<const web::HttpHeader>{},
                   false);
  }
  queue_bytes(c, web::ws_switching_protocols(web::ws_accept_key(req.header("Sec-WebSocket-Key").value_or(""))));
  w.http.reset();  // its buffer is freed: an idle web client stays small
  w.ws.emplace(lim_.max_line);
  stats_.websocket_upgrades.fetch_add(1, std::memory_order_relaxed);
  spdlog::info("{} (WebSocket)", ctx_.log.new_connection(c.ip, c.port));
  if (lim_.login_timeout_s > 0) timers_.add(now_ms_ + lim_.login_timeout_s * 1000ull, c.token, TimerKind::Login);
  timers_.add(now_ms_ + ping_interval_ms(), c.token, TimerKind::WebPing);
  Host h(*this, c);
  c.session.start(h);
}

std::uint64_t Shard::ping_interval_ms() const {
  // 0 = no pings; the timer still looks now and then, so a SIGHUP that
  // turns them on reaches connections already open.
  return lim_.web_ping_interval_s > 0 ? lim_.web_ping_interval_s * 1000ull : 10'000;
}

namespace {

// What a read's frames asked for. Text messages become protocol lines for
// the pump; a ping is answered at once; a close is handled after the lines
// before it. Lives on the stack during one read.
class FrameSink final : public web::WsSink {
 public:
  FrameSink(std::string& lines, std::string& pongs) : lines_(lines), pongs_(pongs) {}
  void on_ws_text(std::string_view message) override {
    lines_ += message;
    lines_ += '\n';
  }
  void on_ws_ping(std::string_view payload) override { pongs_ += web::ws_control_frame(web::WsOpcode::Pong, payload); }
  void on_ws_pong(std::string_view) override {}  // any byte counts as a sign of life
  void on_ws_close(std::uint16_t code, std::string_view) override {
    closed = true;
    code_ = code;
  }
  bool closed = false;
  std::uint16_t code() const { return code_; }

 private:
  std::string& lines_;
  std::string& pongs_;
  std::uint16_t code_ = 0;
};

}  // namespace

void Shard::websocket_input(Connection& c, std::span<const char> bytes) {
  WebState& w = *c.web_state;
  ws_lines_.clear();
  std::string pongs;
  FrameSink sink(ws_lines_, pongs);
  const std::uint16_t error = w.ws->feed(bytes, sink);
  if (!pongs.empty()) queue_bytes(c, pongs);
  // Lines read before a close or a bad frame still count, in order.
  if (!ws_lines_.empty()) pump(c, ws_lines_);
  if (c.closing()) return;
  if (error != 0) {
    stats_.websocket_errors.fetch_add(1, std::memory_order_relaxed);
    w.close_code = error;
    c.reason = error == 1009 ? "websocket message too big" : error == 1007 ? "websocket: invalid UTF-8"
                                                                           : "websocket protocol error";
    Host h(*this, c);
    c.session.on_disconnect(h);
    return finish(c);
  }
  if (sink.closed) {
    // The close handshake: echo the peer's code (none given: 1000).
    w.close_code = sink.code() == 1005 ? 1000 : sink.code();
    Host h(*this, c);
    c.session.on_disconnect(h);
    c.reason = "connection closed by peer";
    finish(c);
  }
}

// Contract: from finish(), once: a WebSocket ends with our close frame
// (its code set by whoever ended it; 1000 by default). Nothing is queued
// after it.
void Shard::send_close_frame(Connection& c) {
  WebState& w = *c.web_state;
  if (w.close_sent) return;
  queue_bytes(c, web::ws_close_frame(w.close_code));
  w.close_sent = true;
}

// The keep-alive: a quiet client is pinged; one that stays silent a whole
// interval after the ping is gone (a vanished phone, a dead NAT entry).
void Shard::web_ping(Connection& c) {
  if (!c.websocket()) return;
  WebState& w = *c.web_state;
  const std::uint64_t interval = ping_interval_ms();
  if (lim_.web_ping_interval_s == 0) {
    w.ping_sent_ms = 0;
    timers_.add(now_ms_ + interval, c.token, TimerKind::WebPing);
    return;
  }
  if (w.ping_sent_ms > c.last_rx_ms) {
    if (now_ms_ >= w.ping_sent_ms + interval) {
      stats_.limit_disconnects.fetch_add(1, std::memory_order_relaxed);
      w.close_code = 1001;
      c.reason = "no answer to pings";
      Host h(*this, c);
      c.session.on_disconnect(h);
      return finish(c);
    }
    timers_.add(w.ping_sent_ms + interval, c.token, TimerKind::WebPing);
    return;
  }
  if (now_ms_ >= c.last_rx_ms + interval) {
    queue_bytes(c, web::ws_control_frame(web::WsOpcode::Ping, {}));
    w.ping_sent_ms = now_ms_;
    timers_.add(now_ms_ + interval, c.token, TimerKind::WebPing);
    return;
  }
  timers_.add(c.last_rx_ms + interval, c.token, TimerKind::WebPing);
}

// An HTTP connection that sends no complete request in time is closed.
void Shard::web_idle(Connection& c) {
  if (!c.web() || c.websocket()) return;
  if (now_ms_ < c.last_rx_ms + kHttpIdleMs) {
    timers_.add(c.last_rx_ms + kHttpIdleMs, c.token, TimerKind::WebIdle);
    return;
  }
  c.reason = "http idle";
  finish(c);
}

}  // namespace chatd::shard
