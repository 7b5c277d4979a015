#pragma once
// The open-file limit: raised to its hard limit at start.
#include <cstdint>
#include <string>

namespace chatd::loadgen {

struct NofileLimit {
  std::uint64_t before = 0;  // soft limit found
  std::uint64_t soft = 0;    // soft limit now
  std::uint64_t hard = 0;
};

NofileLimit raise_nofile_limit();

}  // namespace chatd::loadgen
