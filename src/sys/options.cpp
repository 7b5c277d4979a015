#include "sys/options.hpp"

#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>
#include <type_traits>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "shard/limits.hpp"

namespace chatd::sys {
namespace {

constexpr const char* kDescription =
    "chatd - a multi-room text chat daemon (telnet/netcat line protocol)";

std::string trim(std::string_view s) {
  const auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) return {};
  const auto e = s.find_last_not_of(" \t\r\n");
  return std::string(s.substr(b, e - b + 1));
}

// CLI11 messages may span lines; the daemon's errors are one line.
std::string first_line(std::string s) {
  if (auto nl = s.find('\n'); nl != std::string::npos) s.resize(nl);
  return s;
}

// A limit CLI11 keeps as text (a Check::Form::Size one: "4M").
struct SizeText {
  std::string text;
  std::string default_text;  // for the error message's example
};

// Values CLI11 keeps as text; finish() turns them into the server's types.
struct Raw {
  std::vector<std::string> listen, web;
  std::string backend = "auto", lang = "en", metrics;
  std::map<std::string, SizeText, std::less<>> sizes;  // by limit key
};

// One limit's option, from its row of the limits table; `value` holds the
// default. A Size limit is bound to its text in `r` (finish() converts it).
template <typename T>
void add_limit(CLI::App& app, const shard::LimitInfo& info, T& value, Raw& r) {
  const std::string name = "--" + std::string(info.key);
  const std::string help(info.help);
  switch (info.check.form) {
    case shard::Check::Form::Any:
      app.add_option(name, value, help)->capture_default_str();
      break;
    case shard::Check::Form::Range:
      app.add_option(name, value, help)
          ->check(CLI::Range(static_cast<T>(info.check.min), static_cast<T>(info.check.max)))
          ->capture_default_str();
      break;
    case shard::Check::Form::Size: {
      const std::string text = shard::format_size(static_cast<std::size_t>(value));
      SizeText& s = r.sizes[std::string(info.key)] = {text, text};
      app.add_option(name, s.text, help)->capture_default_str();
      break;
    }
  }
}

// Every option except --config, bound to `o` and `r`. The same definition
// serves the real parse and the per-line check of the config file, so both
// apply the very same validators.
void define_options(CLI::App& app, Options& o, Raw& r) {
  auto& c = o.server;
  app.get_formatter()->column_width(34);
  app.set_version_flag("-V,--version", std::string("chatd ") + CHATD_VERSION);
  app.add_option("-l,--listen", r.listen, "ADDR:PORT to listen on (repeatable; default 127.0.0.1:6789)");
  app.add_option("--web", r.web,
                 "ADDR:PORT serving the web chat: the page, /healthz and WebSocket at /ws (repeatable; default: off)");
  app.add_option("--web-origin", c.web_origins,
                 "Origin allowed to open the WebSocket, e.g. https://chat.example.org (repeatable; "
                 "default: the page's own origin; * = any)");
  app.add_option("-t,--threads", c.threads, "shards (threads); 0 = one per CPU")
      ->check(CLI::Range(0u, 1024u))->capture_default_str();
  app.add_option("--backend", r.backend, "event loop: auto (io_uring, else epoll), uring or epoll")
      ->check(CLI::IsMember({"auto", "uring", "epoll"}))->capture_default_str();
  app.add_option("--lang", r.lang, "reply language: en or pt (the original's wording)")
      ->check(CLI::IsMember({"en", "pt"}))->capture_default_str();
  app.add_option("--log-level", o.log_level, "trace, debug, info, warn, error, critical or off")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "critical", "off"}))
      ->capture_default_str();
  shard::for_each_limit(c.limits, [&](const shard::LimitInfo& info, auto& value) {
    add_limit(app, info, value, r);
  });
  app.add_option("--shutdown-timeout", c.shutdown_timeout_s, "seconds to flush clients on stop")
      ->check(CLI::Range(0u, 3600u))->capture_default_str();
  app.add_option("--backlog", c.backlog, "listen() backlog")
      ->check(CLI::Range(1, 1 << 20))->capture_default_str();
  app.add_option("--io-buffers", c.reactor.buf_ring_entries,
                 "io_uring provided read buffers per shard (power of two)")
      ->check(CLI::Range(1u, 32768u))->capture_default_str();
  app.add_option("--io-buffer-size", c.reactor.buf_size, "bytes per read buffer")
      ->check(CLI::Range(64u, 1u << 20))->capture_default_str();
  // Under systemd with StateDirectory=, $STATE_DIRECTORY names the place.
  if (const char* state = std::getenv("STATE_DIRECTORY"); state && *state)
    c.data_dir = std::string(state).substr(0, std::string_view(state).find(':'));
  app.add_option("--data-dir", c.data_dir,
                 "directory of the database (chatd.db: rooms, topics, history, accounts); "
                 "default $STATE_DIRECTORY (systemd), else '' = memory only")
      ->capture_default_str();
  app.add_option("--auth-threads", c.auth_threads, "password hashing threads (each needs 64 MiB while hashing)")
      ->check(CLI::Range(1u, 64u))->capture_default_str();
  app.add_option("--metrics", r.metrics,
                 "ADDR:PORT serving Prometheus metrics at /metrics (default: off)");
}

struct Problem {
  std::string key;  // option name without dashes
  std::string message;
};

// Converts the text values into `o`; names the first bad one.
std::optional<Problem> finish(Options& o, const Raw& r) {
  auto& c = o.server;
  c.backend = r.backend == "uring" ? io::BackendKind::Uring
            : r.backend == "epoll" ? io::BackendKind::Epoll
                                   : io::BackendKind::Auto;
  c.lang = *chat::parse_lang(r.lang);
  std::optional<Problem> bad_size;
  shard::for_each_limit(c.limits, [&](const shard::LimitInfo& info, auto& value) {
    if (info.check.form != shard::Check::Form::Size || bad_size) return;
    const SizeText& s = r.sizes.find(info.key)->second;
    const auto bytes = shard::parse_size(s.text);
    if (!bytes || *bytes < info.check.min) {
      bad_size = Problem{std::string(info.key),
                         fmt::format("'{}' is not a size of at least {} (e.g. {})", s.text,
                                     shard::format_size(static_cast<std::size_t>(info.check.min)),
                                     s.default_text)};
      return;
    }
    value = static_cast<std::remove_reference_t<decltype(value)>>(*bytes);
  });
  if (bad_size) return bad_size;
  c.listen.clear();
  std::vector<std::string> listen = r.listen;
  if (listen.empty()) listen.push_back("127.0.0.1:6789");
  for (auto& l : listen) {
    std::string err;
    auto a = io::parse_address(l, &err);
    if (!a) return Problem{"listen", err};
    c.listen.push_back(std::move(*a));
  }
  c.web.clear();
  for (auto& w : r.web) {
    std::string err;
    auto a = io::parse_address(w, &err);
    if (!a) return Problem{"web", err};
    c.web.push_back(std::move(*a));
  }
  o.metrics.reset();
  if (!r.metrics.empty()) {
    std::string err;
    o.metrics = io::parse_address(r.metrics, &err);
    if (!o.metrics) return Problem{"metrics", err};
  }
  return std::nullopt;
}

// argv for CLI11 from strings (CLI11's vector overload wants them reversed).
std::vector<const char*> argv_of(const std::vector<std::string>& args) {
  std::vector<const char*> v;
  v.reserve(args.size());
  for (auto& a : args) v.push_back(a.c_str());
  return v;
}

// A config line's shape, before CLI11 reads it: "" or the problem. `line`
// is trimmed, neither empty nor a comment; `where` is "file:line".
std::string check_line_shape(const std::string& where, const std::string& line) {
  if (line.front() == '[')
    return where + ": sections ([...]) are not used here; write 'key = value' lines";
  const auto eq = line.find('=');
  if (eq == std::string::npos) return fmt::format("{}: expected 'key = value', got '{}'", where, line);

  // CLI11 would treat a value opening with '[' but not closing it as a
  // multi-line array and swallow the following lines: refuse instead.
  std::string value = trim(std::string_view(line).substr(eq + 1));
  if (auto hash = value.find('#'); hash != std::string::npos) value = trim(value.substr(0, hash));
  std::string key = trim(std::string_view(line).substr(0, eq));
  if (value.size() > 1 && value.front() == '[' && value.back() != ']')
    return fmt::format("{}: key '{}': quote an IPv6 address (\"[::1]:6789\") and keep a list on one line",
                       where, key);
  return {};
}

// One config line as CLI11 read it, run through a fresh set of the real
// options: "" or the problem. `seen` maps the keys set so far to their line.
std::string check_config_item(const std::string& where, std::size_t lineno,
                              const CLI::ConfigItem& item, std::map<std::string, std::size_t>& seen) {
  const std::string key = item.fullname();
  Options probe;
  Raw probe_raw;
  CLI::App app{kDescription, "chatd"};
  define_options(app, probe, probe_raw);
  const CLI::Option* op = app.get_option_no_throw("--" + key);
  if (key == "config") return where + ": key 'config' only works on the command line";
  if (!op || key == "help" || key == "version" || !op->get_configurable())
    return fmt::format("{}: unknown key '{}' (the keys are the long options of chatd --help)", where, key);
  if (auto it = seen.find(key); it != seen.end())
    return fmt::format("{}: key '{}' already set on line {}{}", where, key, it->second,
                       key == "listen" ? "; list several as listen = [\"A:P\", \"B:P\"]" : "");
  seen.emplace(key, lineno);

  std::vector<std::string> args{"chatd"};
  for (auto& v : item.inputs) args.push_back("--" + key + "=" + v);
  auto argv = argv_of(args);
  try {
    app.parse(static_cast<int>(argv.size()), argv.data());
  } catch (const CLI::ParseError& e) {
    std::string what = first_line(e.what());
    // "--max-line: Value ..." -> "Value ...": the key is named already.
    if (const std::string prefix = "--" + key + ": "; what.rfind(prefix, 0) == 0)
      what.erase(0, prefix.size());
    return fmt::format("{}: key '{}': {}", where, key, what);
  }
  if (auto p = finish(probe, probe_raw); p && p->key == key)
    return fmt::format("{}: key '{}': {}", where, key, p->message);
  return {};
}

// CLI11 reads the file itself but reports no line numbers, so each line is
// checked first: read by CLI11's own config reader (so it sees exactly what
// the real parse will see), then its key and value run through a fresh set
// of the same options. Returns the first problem as one line, or "".
std::string check_config_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) return fmt::format("{}: cannot read: {}", path, std::strerror(errno));
  std::map<std::string, std::size_t> seen;  // key -> line
  std::string raw;
  for (std::size_t lineno = 1; std::getline(in, raw); ++lineno) {
    const std::string line = trim(raw);
    if (line.empty() || line.front() == '#' || line.front() == ';') continue;
    const std::string where = fmt::format("{}:{}", path, lineno);
    if (auto err = check_line_shape(where, line); !err.empty()) return err;

    std::istringstream one(line);
    std::vector<CLI::ConfigItem> items = CLI::ConfigTOML().from_config(one);
    if (items.size() != 1) return fmt::format("{}: cannot read '{}'", where, line);
    if (auto err = check_config_item(where, lineno, items.front(), seen); !err.empty()) return err;
  }
  if (in.bad()) return fmt::format("{}: read error: {}", path, std::strerror(errno));
  return {};
}

ParseResult fail(std::string message) { return {std::nullopt, 2, std::move(message)}; }

// Which config file to read, as the command line says.
struct ConfigChoice {
  std::string path;
  bool explicit_path = false;  // named by --config (else the default, if it exists)
};

// 1. The command line alone: its own errors, --help, --version, and which
//    config file to read. Returns the result to end with, or nullopt to go on.
std::optional<ParseResult> parse_command_line(const std::vector<const char*>& argv,
                                              ConfigChoice& config) {
  Options o;
  Raw r;
  CLI::App app{kDescription, "chatd"};
  define_options(app, o, r);
  app.add_option("--config", config.path,
                 fmt::format("read options from FILE (key = value, the same names); default {} "
                             "if it exists",
                             kDefaultConfigFile))
      ->type_name("FILE");
  try {
    app.parse(static_cast<int>(argv.size()), argv.data());
  } catch (const CLI::CallForVersion& e) {
    return ParseResult{std::nullopt, 0, e.what()};
  } catch (const CLI::CallForHelp&) {
    return ParseResult{std::nullopt, 0, app.help()};
  } catch (const CLI::ParseError& e) {
    return fail(first_line(e.what()) + " (see chatd --help)");
  }
  config.explicit_path = app.count("--config") > 0;
  if (auto p = finish(o, r)) return fail(fmt::format("--{}: {}", p->key, p->message));
  return std::nullopt;
}

// 2. The file: a missing default is fine, a missing explicit one is not.
//    Sets `have_file`; returns the problem as one line, or "".
std::string check_config_choice(ConfigChoice& config, bool& have_file) {
  if (!config.explicit_path) config.path = kDefaultConfigFile;
  struct stat st{};
  have_file = ::stat(config.path.c_str(), &st) == 0;
  if (!have_file && (config.explicit_path || errno != ENOENT))
    return fmt::format("{}: {}", config.path, std::strerror(errno));
  if (have_file && S_ISDIR(st.st_mode)) return fmt::format("{}: is a directory", config.path);
  if (have_file) return check_config_file(config.path);
  return {};
}

// 3. Both together, CLI11 merging them: options already given on the
//    command line keep their values, the file fills in the rest.
ParseResult parse_with_config(const std::vector<const char*>& argv, const ConfigChoice& config,
                              bool have_file) {
  Options o;
  Raw r;
  CLI::App app{kDescription, "chatd"};
  define_options(app, o, r);
  app.set_config("--config", have_file && !config.explicit_path ? config.path : "",
                 "read options from this file")
      ->type_name("FILE");
  app.allow_config_extras(CLI::config_extras_mode::error);
  try {
    app.parse(static_cast<int>(argv.size()), argv.data());
  } catch (const CLI::ParseError& e) {
    return fail(fmt::format("{}: {}", config.path, first_line(e.what())));
  }
  if (auto p = finish(o, r)) return fail(fmt::format("{}: key '{}': {}", config.path, p->key, p->message));
  if (have_file) o.config_file = config.path;
  return {std::move(o), 0, {}};
}

}  // namespace

ParseResult load_options(const std::vector<std::string>& args) {
  const auto argv = argv_of(args);
  ConfigChoice config;
  if (auto done = parse_command_line(argv, config)) return std::move(*done);
  bool have_file = false;
  if (auto err = check_config_choice(config, have_file); !err.empty()) return fail(err);
  return parse_with_config(argv, config, have_file);
}

ParseResult parse_options(int argc, char** argv) {
  std::vector<std::string> args(argv, argv + argc);
  ParseResult r = load_options(args);
  if (r.options) return r;
  if (r.exit_code == 0) {
    std::fputs(r.message.c_str(), stdout);
    if (!r.message.empty() && r.message.back() != '\n') std::fputc('\n', stdout);
  } else {
    std::fprintf(stderr, "chatd: %s\n", r.message.c_str());
  }
  return r;
}

}  // namespace chatd::sys
