#include "limits.hpp"

#include <sys/resource.h>

namespace chatd::loadgen {

NofileLimit raise_nofile_limit() {
  NofileLimit out;
  rlimit rl{};
  if (::getrlimit(RLIMIT_NOFILE, &rl) != 0) return out;
  out.before = rl.rlim_cur;
  out.hard = rl.rlim_max;
  if (rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    if (::setrlimit(RLIMIT_NOFILE, &rl) == 0) out.soft = rl.rlim_max;
  }
  if (out.soft == 0) out.soft = out.before;
  return out;
}

}  // namespace chatd::loadgen
