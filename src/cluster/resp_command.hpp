#pragma once
// Commands out, in RESP, formatted by hiredis (redisFormatCommandArgv):
// appended to a buffer so that many commands go in one write (pipelining).
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>

namespace chatd::cluster {

// Appends the command `args` (binary-safe) to `out`.
void append_command(std::string& out, std::span<const std::string_view> args);
inline void append_command(std::string& out, std::initializer_list<std::string_view> args) {
  append_command(out, std::span<const std::string_view>(args.begin(), args.size()));
}

}  // namespace chatd::cluster
