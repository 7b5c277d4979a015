#pragma once
// The command line and config file (the same keys in both; CLI11 reads both).
#include <optional>
#include <string>
#include <vector>

#include "shard/server_config.hpp"

namespace chatd::sys {

struct Options {
  shard::ServerConfig server;
  std::string log_level = "info";
  std::string config_file;  // empty: none was read
};

// What parse_options decided.
struct ParseResult {
  std::optional<Options> options;  // set when the daemon should run
  int exit_code = 0;               // otherwise: exit with this (0 for --help/--version)
};

// Parses argv (and the config file it names). Prints --help/--version or a
// one-line error to the right stream itself.
ParseResult parse_options(int argc, char** argv);

}  // namespace chatd::sys
