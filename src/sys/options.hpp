#pragma once
// The command line and the config file: the same keys in both (CLI11 reads
// both; `key = value` lines), the command line winning over the file.
#include <optional>
#include <string>
#include <vector>

#include "io/socket.hpp"
#include "shard/server_config.hpp"

namespace chatd::sys {

// Read when it exists; a missing default is fine, a missing --config is not.
inline constexpr const char* kDefaultConfigFile = "/etc/chatd/chatd.conf";

struct Options {
  shard::ServerConfig server;
  std::string log_level = "info";
  std::string config_file;  // the file that was read; empty: none
  std::optional<io::SocketAddress> metrics;  // --metrics: where /metrics is served
};

// What loading the options decided.
struct ParseResult {
  std::optional<Options> options;  // set when the daemon should run
  int exit_code = 0;               // otherwise: exit with this (0 for --help/--version)
  std::string message;             // what to print (help, version or a one-line error)
};

// Loads options from `args` (args[0] is the program name) and the config
// file they name (or the default one). Prints nothing; on a bad option or
// config line `message` is one line naming file, line and key. Used at start
// and again on SIGHUP with the original command line.
ParseResult load_options(const std::vector<std::string>& args);

// load_options for main: prints help/version to stdout and errors (prefixed
// "chatd: ") to stderr itself.
ParseResult parse_options(int argc, char** argv);

}  // namespace chatd::sys
