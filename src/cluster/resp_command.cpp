#include "cluster/resp_command.hpp"

#include <hiredis/hiredis.h>

#include <cstdlib>
#include <memory>
#include <new>
#include <vector>

namespace chatd::cluster {

void append_command(std::string& out, std::span<const std::string_view> args) {
  std::vector<const char*> argv;
  std::vector<size_t> lens;
  argv.reserve(args.size());
  lens.reserve(args.size());
  for (std::string_view a : args) {
    argv.push_back(a.data());
    lens.push_back(a.size());
  }
  char* cmd = nullptr;
  const int n = redisFormatCommandArgv(&cmd, static_cast<int>(args.size()), argv.data(), lens.data());
  std::unique_ptr<char, decltype(&std::free)> owned(cmd, &std::free);
  if (n < 0 || !cmd) throw std::bad_alloc();
  out.append(cmd, static_cast<std::size_t>(n));
}

}  // namespace chatd::cluster
