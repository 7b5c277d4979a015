// chatd's line protocol: prompt (no newline) → nickname → welcome →
// /create + /join → "[nick] text" deliveries. Replies are recognised by
// their first character, never by wording, so either --lang works.
#include <fmt/format.h>

#include "dialect.hpp"
#include "payload.hpp"

namespace chatd::loadgen {

namespace {

enum ChatdStage : std::uint8_t { AwaitPrompt, AwaitWelcome, AwaitCreate, AwaitJoin, InRoom };

constexpr std::string_view kOk = "\u2705";       // ✅
constexpr std::string_view kWarn = "\u26a0";     // ⚠ (⚠️ adds U+FE0F)
constexpr std::string_view kError = "\u274c";    // ❌

class ChatdDialect final : public Dialect {
 public:
  void on_connected(Wire& w, SessionSink&) const override { w.stage = AwaitPrompt; }

  bool on_bytes(Wire& w, std::span<const char> bytes, SessionSink& s) const override {
    w.lines.feed(bytes, [&](std::string_view line) { on_line(w, line, s); });
    if (w.stage == AwaitPrompt && w.lines.partial().ends_with(": ")) {
      w.lines.clear_partial();
      w.stage = AwaitWelcome;
      std::string out(s.nick());
      out += '\n';
      s.send(out);
    }
    return true;
  }

  void format_message(const Wire&, std::string_view, std::string_view payload, std::string& out) const override {
    out += payload;
    out += '\n';
  }
  void format_quit(const Wire&, std::string& out) const override { out += "/quit\n"; }

 private:
  static void on_line(Wire& w, std::string_view line, SessionSink& s) {
    switch (w.stage) {
      case AwaitPrompt:
        return;
      case AwaitWelcome:
        // The welcome's second line is "__Connected to the server__" (en)
        // or "__Conectado ao servidor__" (pt).
        if (line.starts_with("__")) {
          w.stage = AwaitCreate;
          s.registered();
          s.send(fmt::format("/create {}\n/join {}\n", s.room(), s.room()));
        } else if (line.starts_with(kWarn) || line.starts_with(kError)) {
          s.failed(Stage::Register, line);
        }
        return;
      case AwaitCreate:
        // The first ✅ or ⚠️ answers /create ("exists" is fine).
        if (line.starts_with(kOk) || line.starts_with(kWarn)) {
          w.stage = AwaitJoin;
        } else if (line.starts_with(kError)) {
          w.stage = AwaitJoin;  // e.g. room limit; /join tells whether it exists
        }
        return;
      case AwaitJoin:
        if (line.starts_with(kOk)) {
          w.stage = InRoom;
          s.joined();
        } else if (line.starts_with(kWarn) || line.starts_with(kError)) {
          s.failed(Stage::Join, line);
        }
        return;
      case InRoom:
        if (auto text = chatd_message_text(line)) s.delivery(*text);
        return;
    }
  }
};

}  // namespace

std::unique_ptr<Dialect> make_chatd_dialect() { return std::make_unique<ChatdDialect>(); }

}  // namespace chatd::loadgen
