#include "sys/options.hpp"

#include <cstdio>
#include <fstream>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

namespace chatd::sys {
namespace {

// A size with an optional K/M/G suffix (powers of 1024).
std::optional<std::size_t> parse_size(const std::string& s) {
  if (s.empty()) return std::nullopt;
  std::size_t pos = 0;
  unsigned long long v = 0;
  try {
    v = std::stoull(s, &pos);
  } catch (...) {
    return std::nullopt;
  }
  std::string unit = s.substr(pos);
  if (unit.empty() || unit == "B") return v;
  if (unit == "K" || unit == "KiB" || unit == "k") return v << 10;
  if (unit == "M" || unit == "MiB") return v << 20;
  if (unit == "G" || unit == "GiB") return v << 30;
  return std::nullopt;
}

}  // namespace

ParseResult parse_options(int argc, char** argv) {
  Options o;
  auto& c = o.server;
  CLI::App app{"chatd - a multi-room text chat daemon (telnet/netcat line protocol)", "chatd"};
  app.get_formatter()->column_width(34);

  std::vector<std::string> listen;
  std::string backend = "auto", lang = "en", max_outbuf = "4M";
  app.set_version_flag("-V,--version", std::string("chatd ") + CHATD_VERSION);
  app.add_option("-l,--listen", listen, "ADDR:PORT to listen on (repeatable; default 127.0.0.1:6789)");
  app.add_option("-t,--threads", c.threads, "shards (threads); 0 = one per CPU")
      ->check(CLI::Range(0u, 1024u))->capture_default_str();
  app.add_option("--backend", backend, "event loop: auto (io_uring, else epoll), uring or epoll")
      ->check(CLI::IsMember({"auto", "uring", "epoll"}))->capture_default_str();
  app.add_option("--lang", lang, "reply language: en or pt (the original's wording)")
      ->check(CLI::IsMember({"en", "pt"}))->capture_default_str();
  app.add_option("--log-level", o.log_level, "trace, debug, info, warn, error, critical or off")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "critical", "off"}))
      ->capture_default_str();
  app.add_option("--max-line", c.max_line, "longest accepted line in bytes")
      ->check(CLI::Range(std::size_t{64}, std::size_t{1} << 20))->capture_default_str();
  app.add_option("--max-outbuf", max_outbuf, "unsent output per client before it is dropped (K/M/G)")
      ->capture_default_str();
  app.add_option("--line-idle-flush", c.line_idle_flush_ms,
                 "ms after which a partial line without newline counts as a line; 0 = never")
      ->check(CLI::Range(0u, 60000u))->capture_default_str();
  app.add_option("--login-timeout", c.login_timeout_s, "seconds to send a nickname; 0 = no limit")
      ->check(CLI::Range(0u, 86400u))->capture_default_str();
  app.add_option("--max-rooms", c.max_rooms, "rooms the server will hold")
      ->check(CLI::Range(1u, 10000000u))->capture_default_str();
  app.add_option("--shutdown-timeout", c.shutdown_timeout_s, "seconds to flush clients on stop")
      ->check(CLI::Range(0u, 3600u))->capture_default_str();
  app.add_option("--backlog", c.backlog, "listen() backlog")
      ->check(CLI::Range(1, 1 << 20))->capture_default_str();
  app.add_option("--rate", c.rate, "lines per second a client may send (flood control); 0 = off")
      ->check(CLI::Range(0.0, 1e9))->capture_default_str();
  app.add_option("--burst", c.burst, "lines a client may send at once before --rate applies")
      ->check(CLI::Range(1u, 1000000u))->capture_default_str();
  app.add_option("--flood-disconnect", c.flood_disconnect_s,
                 "seconds of non-stop throttling before a flooder is disconnected; 0 = never")
      ->check(CLI::Range(0u, 86400u))->capture_default_str();
  app.add_option("--max-conns", c.max_conns, "connections the server accepts; 0 = no limit")
      ->capture_default_str();
  app.add_option("--max-conns-per-ip", c.max_conns_per_ip, "connections per client address; 0 = no limit")
      ->capture_default_str();
  app.add_option("--rooms-per-minute", c.rooms_per_minute, "room creations per client per minute; 0 = no limit")
      ->capture_default_str();
  app.add_option("--io-buffers", c.reactor.buf_ring_entries,
                 "io_uring provided read buffers per shard (power of two)")
      ->check(CLI::Range(1u, 32768u))->capture_default_str();
  app.add_option("--io-buffer-size", c.reactor.buf_size, "bytes per read buffer")
      ->check(CLI::Range(64u, 1u << 20))->capture_default_str();
  app.set_config("--config", "", "read options from this file (key = value, same names)");
  app.allow_config_extras(CLI::config_extras_mode::error);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForVersion& e) {
    std::puts(e.what());
    return {std::nullopt, 0};
  } catch (const CLI::Success&) {
    std::fputs(app.help().c_str(), stdout);
    return {std::nullopt, 0};
  } catch (const CLI::ParseError& e) {
    std::string what = e.what();
    if (auto nl = what.find('\n'); nl != std::string::npos) what.resize(nl);
    std::fprintf(stderr, "chatd: %s (see chatd --help)\n", what.c_str());
    return {std::nullopt, 2};
  }

  if (auto* cfg = app.get_config_ptr(); cfg && cfg->count() > 0) o.config_file = cfg->as<std::string>();
  c.backend = backend == "uring" ? io::BackendKind::Uring
            : backend == "epoll" ? io::BackendKind::Epoll
                                 : io::BackendKind::Auto;
  c.lang = *chat::parse_lang(lang);
  auto outbuf = parse_size(max_outbuf);
  if (!outbuf || *outbuf < 1024) {
    std::fprintf(stderr, "chatd: --max-outbuf: '%s' is not a size of at least 1K (e.g. 4M)\n",
                 max_outbuf.c_str());
    return {std::nullopt, 2};
  }
  c.max_outbuf = *outbuf;
  if (listen.empty()) listen.push_back("127.0.0.1:6789");
  for (auto& l : listen) {
    std::string err;
    auto a = io::parse_address(l, &err);
    if (!a) {
      std::fprintf(stderr, "chatd: --listen: %s\n", err.c_str());
      return {std::nullopt, 2};
    }
    c.listen.push_back(std::move(*a));
  }
  return {std::move(o), 0};
}

}  // namespace chatd::sys
