#include "io/uring_setup.hpp"

#include <cerrno>
#include <cstring>
#include <iterator>

namespace chatd::io {
namespace {

// liburing 2.3's headers know these, but older copies of io_uring.h may not:
// an unknown flag simply is not requested.
#ifndef IORING_SETUP_SUBMIT_ALL
#define IORING_SETUP_SUBMIT_ALL 0U
#endif
#ifndef IORING_SETUP_COOP_TASKRUN
#define IORING_SETUP_COOP_TASKRUN 0U
#endif
#ifndef IORING_SETUP_SINGLE_ISSUER
#define IORING_SETUP_SINGLE_ISSUER 0U
#endif
#ifndef IORING_SETUP_DEFER_TASKRUN
#define IORING_SETUP_DEFER_TASKRUN 0U
#endif

struct NamedFlag {
  unsigned flag;
  const char* name;
};

// Oldest first; init_uring drops from the back. DEFER_TASKRUN requires
// SINGLE_ISSUER, so it has to go first anyway.
constexpr NamedFlag kOptional[] = {
    {IORING_SETUP_SUBMIT_ALL, "SUBMIT_ALL"},        // 5.18: one bad SQE doesn't stall the rest
    {IORING_SETUP_COOP_TASKRUN, "COOP_TASKRUN"},    // 5.19: no IPIs to interrupt the shard
    {IORING_SETUP_SINGLE_ISSUER, "SINGLE_ISSUER"},  // 6.0: lets the kernel skip locking
    {IORING_SETUP_DEFER_TASKRUN, "DEFER_TASKRUN"},  // 6.1: completions run only when we wait
};

}  // namespace

int init_uring(io_uring& ring, unsigned sq_entries, unsigned cq_entries, bool start_disabled,
               UringSetup& out) {
  unsigned base = IORING_SETUP_CQSIZE | IORING_SETUP_CLAMP;
  if (start_disabled) base |= IORING_SETUP_R_DISABLED;
  std::size_t keep = std::size(kOptional);
  for (;;) {
    unsigned optional = 0;
    for (std::size_t i = 0; i < keep; ++i) optional |= kOptional[i].flag;
    io_uring_params p;
    std::memset(&p, 0, sizeof p);
    p.flags = base | optional;
    p.cq_entries = cq_entries;
    int r = io_uring_queue_init_params(sq_entries, &ring, &p);
    if (r == 0) {
      out.flags = p.flags;
      out.features = p.features;
      return 0;
    }
    if (r != -EINVAL || keep == 0) return r;
    --keep;
  }
}

std::string describe_uring_flags(unsigned setup_flags) {
  std::string s;
  for (const auto& f : kOptional) {
    if (f.flag == 0 || (setup_flags & f.flag) == 0) continue;
    if (!s.empty()) s += '|';
    s += f.name;
  }
  return s.empty() ? "none" : s;
}

std::string uring_setup_summary() {
  io_uring ring;
  UringSetup setup;
  if (init_uring(ring, 4, 8, false, setup) != 0) return "";
  io_uring_queue_exit(&ring);
  return "io_uring flags " + describe_uring_flags(setup.flags);
}

}  // namespace chatd::io
