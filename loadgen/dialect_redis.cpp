// Redis pub/sub. A subscribed connection may not PUBLISH, so every client
// is one subscriber connection (SUBSCRIBE room) and its messages leave
// through a small pool of publisher connections per worker thread (a
// sender always uses the same one, keeping its messages in order). The
// sender's own subscription receives its message too, so a message to a
// room of n subscribers owes n deliveries (not n - 1 as in chatd and IRC).
#include <fmt/format.h>

#include "dialect.hpp"

namespace chatd::loadgen {

namespace {

enum RedisStage : std::uint8_t { Subscribing, Subscribed, Publishing };

class RedisDialect final : public Dialect {
 public:
  void on_connected(Wire& w, SessionSink& s) const override {
    if (s.is_publisher()) {
      w.stage = Publishing;
      s.joined();
      return;
    }
    w.stage = Subscribing;
    s.registered();
    std::string out;
    append_command(out, "SUBSCRIBE", s.room());
    s.send(out);
  }

  bool on_bytes(Wire& w, std::span<const char> bytes, SessionSink& s) const override {
    return w.resp.feed(bytes, [&](const RespFrame& f) { on_frame(w, f, s); });
  }

  void format_message(const Wire&, std::string_view room, std::string_view payload, std::string& out) const override {
    fmt::format_to(std::back_inserter(out), "*3\r\n$7\r\nPUBLISH\r\n${}\r\n{}\r\n${}\r\n{}\r\n", room.size(),
                   room, payload.size(), payload);
  }
  void format_quit(const Wire&, std::string& out) const override { out += "*1\r\n$4\r\nQUIT\r\n"; }
  bool echoes_to_sender() const override { return true; }
  bool separate_publishers() const override { return true; }

 private:
  static void append_command(std::string& out, std::string_view cmd, std::string_view arg) {
    fmt::format_to(std::back_inserter(out), "*2\r\n${}\r\n{}\r\n${}\r\n{}\r\n", cmd.size(), cmd, arg.size(),
                   arg);
  }

  static void on_frame(Wire& w, const RespFrame& f, SessionSink& s) {
    if (f.type == '-') {
      s.failed(w.stage == Subscribing ? Stage::Join : Stage::Session, f.text);
      return;
    }
    if (w.stage == Publishing) {
      if (f.type == ':') s.publish_ack(f.integer);
      return;
    }
    if (f.type != '*' || f.n_items < 2) return;
    if (f.items[0] == "message" && f.n_items >= 3) {
      s.delivery(f.items[2]);
    } else if (f.items[0] == "subscribe" && w.stage == Subscribing) {
      w.stage = Subscribed;
      s.joined();
    }
  }
};

}  // namespace

std::unique_ptr<Dialect> make_redis_dialect() { return std::make_unique<RedisDialect>(); }

}  // namespace chatd::loadgen
