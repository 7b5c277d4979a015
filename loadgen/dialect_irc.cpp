// IRC (tested against ngIRCd): NICK/USER, wait for 001, JOIN #room, wait
// for 366 (end of NAMES), PRIVMSG #room :payload; PING is answered.
#include <fmt/format.h>

#include <cctype>

#include "dialect.hpp"
#include "payload.hpp"

namespace chatd::loadgen {

namespace {

enum IrcStage : std::uint8_t { Registering, Joining, InChannel };

bool is_error_numeric(std::string_view cmd) {
  return cmd.size() == 3 && (cmd[0] == '4' || cmd[0] == '5') &&
         std::isdigit(static_cast<unsigned char>(cmd[1])) && std::isdigit(static_cast<unsigned char>(cmd[2]));
}

class IrcDialect final : public Dialect {
 public:
  void on_connected(Wire& w, SessionSink& s) const override {
    w.stage = Registering;
    s.send(fmt::format("NICK {0}\r\nUSER {0} 0 * :chatd-loadgen\r\n", s.nick()));
  }

  bool on_bytes(Wire& w, std::span<const char> bytes, SessionSink& s) const override {
    w.lines.feed(bytes, [&](std::string_view line) { on_line(w, line, s); });
    return true;
  }

  void format_message(const Wire&, std::string_view room, std::string_view payload, std::string& out) const override {
    out += "PRIVMSG #";
    out += room;
    out += " :";
    out += payload;
    out += "\r\n";
  }
  void format_quit(const Wire&, std::string& out) const override { out += "QUIT :bye\r\n"; }

  void make_nick(std::string& out, std::string_view prefix, unsigned, std::uint32_t id) const override {
    // RFC 2812 nicknames: 9 characters by default; ngIRCd's MaxNickLength
    // may allow more. prefix + base-36 id stays short.
    out += prefix;
    append_base36(out, id);
  }

 private:
  static void on_line(Wire& w, std::string_view line, SessionSink& s) {
    const auto m = parse_irc_line(line);
    if (!m) return;
    if (m->command == "PING") {
      s.send(fmt::format("PONG :{}\r\n", m->trailing.empty() ? m->first : m->trailing));
      return;
    }
    switch (w.stage) {
      case Registering:
        if (m->command == "001") {
          w.stage = Joining;
          s.registered();
          s.send(fmt::format("JOIN #{}\r\n", s.room()));
        } else if (is_error_numeric(m->command)) {
          s.failed(Stage::Register, line);
        } else if (m->command == "ERROR") {
          s.failed(Stage::Register, line);
        }
        return;
      case Joining:
        if (m->command == "366") {
          w.stage = InChannel;
          s.joined();
        } else if (is_error_numeric(m->command)) {
          s.failed(Stage::Join, line);
        }
        return;
      case InChannel:
        if (m->command == "PRIVMSG") s.delivery(m->trailing);
        return;
    }
  }
};

}  // namespace

std::unique_ptr<Dialect> make_irc_dialect() { return std::make_unique<IrcDialect>(); }

}  // namespace chatd::loadgen
