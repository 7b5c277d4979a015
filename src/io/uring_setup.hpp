#pragma once
// Ring creation shared by probe_uring() and UringReactor, so the probe tests
// exactly the setup the reactor will use.
#include <liburing.h>

#include <string>

namespace chatd::io {

// What the kernel accepted for one ring.
struct UringSetup {
  unsigned flags = 0;     // IORING_SETUP_* in effect
  unsigned features = 0;  // IORING_FEAT_* reported by the kernel
};

// Creates `ring` with `sq_entries` SQEs and at least `cq_entries` CQEs,
// asking for the optional flags chatd benefits from (SUBMIT_ALL,
// COOP_TASKRUN, SINGLE_ISSUER, DEFER_TASKRUN) and dropping them one at a
// time, newest first, while the kernel answers EINVAL; kernel versions are
// never read. `start_disabled` adds IORING_SETUP_R_DISABLED so the thread
// that later calls io_uring_enable_rings becomes the single issuer.
// Returns 0, or -errno of the last attempt (ring untouched then).
int init_uring(io_uring& ring, unsigned sq_entries, unsigned cq_entries, bool start_disabled,
               UringSetup& out);

// "SUBMIT_ALL|COOP_TASKRUN|..." for logs; optional flags only.
std::string describe_uring_flags(unsigned setup_flags);

// Creates a throwaway ring and describes the flags this kernel accepts,
// e.g. "io_uring flags SUBMIT_ALL|COOP_TASKRUN|SINGLE_ISSUER|DEFER_TASKRUN".
// For the start-up log line and tests; "" when no ring can be created.
std::string uring_setup_summary();

}  // namespace chatd::io
