// chatd's web endpoint: an HTTP/1.1 upgrade to /ws, then one protocol line
// per masked text frame up, one JSON object per text frame down
// (docs/web-protocol.md). prompt → nickname → welcome → /create + /join →
// room_created (or error room_exists) → joined → "message" events. Events
// are told apart by their "type", errors by their "code", never by wording.
// A web client receives its own room events: a message owes a delivery to
// every member, the sender included.
#include <fmt/format.h>

#include <random>

#include "clock.hpp"
#include "dialect.hpp"
#include "json_fields.hpp"
#include "ws_codec.hpp"

namespace chatd::loadgen {

namespace {

enum WsStage : std::uint8_t { AwaitUpgrade, AwaitPrompt, AwaitWelcome, AwaitCreate, AwaitJoin, InRoom, Closing };

// A fresh seed per connection (key and mask). Owned by one thread.
std::uint64_t next_seed() {
  thread_local std::uint64_t state = (static_cast<std::uint64_t>(std::random_device{}()) << 32) ^ mono_ns();
  state += 0x9e3779b97f4a7c15ULL;
  return state;
}

// The top-level fields of a server event the dialect decides by (raw
// JSON string bodies; escapes intact).
struct Event {
  std::string_view type, text, code, want, message;
  bool text_present = false;
};

bool read_event(std::string_view json, Event& e) {
  return json_members(json, [&](const JsonMember& m) {
    if (!m.is_string) return true;
    // Key names are plain ASCII; one written with escapes is not ours.
    if (m.key == "type") {
      e.type = m.value;
    } else if (m.key == "text") {
      e.text = m.value;
      e.text_present = true;
      // A message needs nothing after its text (seq, time): stop there.
      if (e.type == "message") return false;
    } else if (m.key == "code") {
      e.code = m.value;
    } else if (m.key == "want") {
      e.want = m.value;
    } else if (m.key == "message") {
      e.message = m.value;
    }
    return true;
  });
}

class WsDialect final : public Dialect {
 public:
  explicit WsDialect(const Config& cfg)
      : host_port_(cfg.host.find(':') != std::string::npos ? fmt::format("[{}]:{}", cfg.host, cfg.port)
                                                            : fmt::format("{}:{}", cfg.host, cfg.port)) {}

  void on_connected(Wire& w, SessionSink& s) const override {
    w.stage = AwaitUpgrade;
    w.ws_seed = next_seed();
    std::string out;
    append_upgrade_request(out, host_port_, "/ws", ws_key_from_seed(w.ws_seed));
    s.send(out);
  }

  bool on_bytes(Wire& w, std::span<const char> bytes, SessionSink& s) const override {
    if (w.stage == AwaitUpgrade) {
      switch (w.ws.feed_head(bytes)) {
        case WsReader::Head::Incomplete:
          return true;
        case WsReader::Head::TooLong:
          s.failed(Stage::Register, "WebSocket upgrade: response head too long");
          return true;
        case WsReader::Head::Complete: {
          const std::string why = check_upgrade_response(w.ws.head(), ws_accept_for(ws_key_from_seed(w.ws_seed)));
          w.ws.drop_head();
          if (!why.empty()) {
            s.failed(Stage::Register, fmt::format("WebSocket upgrade: {}", why));
            return true;
          }
          w.stage = AwaitPrompt;
          break;
        }
      }
    }
    return w.ws.feed(bytes, [&](const WsMessage& m) { on_message(w, m, s); });
  }

  void format_message(const Wire& w, std::string_view, std::string_view payload, std::string& out) const override {
    append_client_frame(out, WsOpcode::Text, payload, ws_mask_from_seed(w.ws_seed));
  }
  void format_quit(const Wire& w, std::string& out) const override {
    append_client_frame(out, WsOpcode::Text, "/quit", ws_mask_from_seed(w.ws_seed));
  }
  bool echoes_to_sender() const override { return true; }

 private:
  static Stage stage_of(const Wire& w) {
    switch (w.stage) {
      case AwaitUpgrade:
      case AwaitPrompt:
      case AwaitWelcome: return Stage::Register;
      case AwaitCreate:
      case AwaitJoin: return Stage::Join;
      default: return Stage::Session;
    }
  }

  static void send_text(const Wire& w, SessionSink& s, std::string_view line) {
    std::string out;
    append_client_frame(out, WsOpcode::Text, line, ws_mask_from_seed(w.ws_seed));
    s.send(out);
  }

  void on_message(Wire& w, const WsMessage& m, SessionSink& s) const {
    switch (m.opcode) {
      case WsOpcode::Text:
        on_event(w, m.payload, s);
        return;
      case WsOpcode::Ping: {
        std::string out;
        append_client_frame(out, WsOpcode::Pong, m.payload, ws_mask_from_seed(w.ws_seed));
        s.send(out);
        return;
      }
      case WsOpcode::Close: {
        const std::uint16_t code = ws_close_code(m.payload);
        if (w.stage == Closing) return;
        const Stage at = stage_of(w);
        const bool in_room = w.stage == InRoom;
        w.stage = Closing;
        // Answer the close (the server may wait for it before closing TCP).
        std::string out;
        const char echo[2] = {static_cast<char>(code >> 8), static_cast<char>(code & 0xff)};
        append_client_frame(out, WsOpcode::Close, code == 1005 ? std::string_view() : std::string_view(echo, 2),
                            ws_mask_from_seed(w.ws_seed));
        s.send(out);
        // In the room, the TCP close that follows is what counts (a quit
        // that was asked for, a slow member dropped, or an unexpected
        // close): the worker tells them apart. Before it, a close is a refusal.
        if (!in_room)
          s.failed(at, fmt::format("closed by the server with {} {:.80}", code,
                                   m.payload.size() > 2 ? m.payload.substr(2) : std::string_view()));
        return;
      }
      case WsOpcode::Pong:
        return;
      case WsOpcode::Binary:
      case WsOpcode::Continuation:
        s.failed(stage_of(w), "a binary frame from the server");
        return;
    }
  }

  void on_event(Wire& w, std::string_view json, SessionSink& s) const {
    Event e;
    if (!read_event(json, e) || e.type.empty()) {
      s.failed(stage_of(w), fmt::format("not a JSON event: {:.80}", json));
      return;
    }
    const std::string_view type = e.type;
    if (w.stage == InRoom) {
      if (type == "message") {
        bool ok = false;
        thread_local std::string scratch;
        const std::string_view text = json_text(e.text, scratch, ok);
        if (!ok || !e.text_present) {
          s.failed(Stage::Session, fmt::format("bad message event: {:.80}", json));
          return;
        }
        s.delivery(text);
      } else if (type == "error" && e.code != "slow_consumer") {
        // Our traffic draws no error; slow_consumer is the server dropping
        // a slow member, which the close that follows reports.
        s.failed(Stage::Session, error_text(e));
      }
      return;
    }
    switch (w.stage) {
      case AwaitPrompt:
        if (type == "prompt") {
          if (e.want != "nick") {
            s.failed(Stage::Register, fmt::format("asked for {} (the nickname has an account)", e.want));
            return;
          }
          w.stage = AwaitWelcome;
          send_text(w, s, s.nick());
        } else if (type == "error") {
          s.failed(Stage::Register, error_text(e));
        }
        return;
      case AwaitWelcome:
        if (type == "welcome") {
          w.stage = AwaitCreate;
          s.registered();
          send_text(w, s, fmt::format("/create {}", s.room()));
          send_text(w, s, fmt::format("/join {}", s.room()));
        } else if (type == "error") {
          s.failed(Stage::Register, error_text(e));
        } else if (type == "prompt") {
          s.failed(Stage::Register, fmt::format("asked again for {}", e.want));
        }
        return;
      case AwaitCreate:
        // The first room_created or error answers /create (room_exists is
        // fine; any other refusal, a room limit say, leaves /join to tell).
        if (type == "room_created" || type == "error") {
          w.stage = AwaitJoin;
        } else if (type == "joined") {
          w.stage = InRoom;
          s.joined();
        }
        return;
      case AwaitJoin:
        if (type == "joined") {
          w.stage = InRoom;
          s.joined();
        } else if (type == "error") {
          s.failed(Stage::Join, error_text(e));
        }
        return;
      default:
        return;
    }
  }

  static std::string error_text(const Event& e) {
    std::string scratch;
    bool ok = false;
    const std::string_view message = json_text(e.message, scratch, ok);
    return fmt::format("{}: {:.120}", e.code.empty() ? "error" : e.code, message);
  }

  std::string host_port_;
};

}  // namespace

std::unique_ptr<Dialect> make_ws_dialect(const Config& cfg) { return std::make_unique<WsDialect>(cfg); }

}  // namespace chatd::loadgen
