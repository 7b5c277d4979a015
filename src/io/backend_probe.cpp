// probe_uring(): can this process run UringReactor here? Tries the real
// thing (ring setup, opcodes, a provided-buffer ring, one multishot recv)
// instead of reading kernel versions, and explains a refusal in words an
// operator can act on.
#include <liburing.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <string>

#include "io/reactor.hpp"
#include "io/socket.hpp"
#include "io/uring_setup.hpp"

namespace chatd::io {
namespace {

std::string errno_text(int err) { return std::strerror(err); }

// kernel.io_uring_disabled (Linux 6.6+): 0 on, 1 privileged/group only, 2 off.
int read_io_uring_disabled() {
  std::ifstream f("/proc/sys/kernel/io_uring_disabled");
  int v = -1;
  if (f >> v) return v;
  return -1;
}

std::string explain_setup_error(int err) {
  switch (err) {
    case ENOSYS:
      return "kernel built without io_uring (ENOSYS); use --backend epoll";
    case EPERM: {
      const int disabled = read_io_uring_disabled();
      if (disabled == 2)
        return "io_uring refused (EPERM): sysctl kernel.io_uring_disabled=2 turns it off; "
               "set it to 0, or use --backend epoll";
      if (disabled == 1)
        return "io_uring refused (EPERM): sysctl kernel.io_uring_disabled=1 allows it only to "
               "root and the group in kernel.io_uring_group; add chatd's user to that group, "
               "set the sysctl to 0, or use --backend epoll";
      return "io_uring refused (EPERM): a seccomp policy such as Docker's default profile "
             "blocks it; allow io_uring_setup/io_uring_enter/io_uring_register in the "
             "profile, or use --backend epoll";
    }
    case ENOMEM:
      return "io_uring ring could not be allocated (ENOMEM): RLIMIT_MEMLOCK is too low on "
             "this kernel; raise it (ulimit -l, LimitMEMLOCK= in the unit) or use --backend "
             "epoll";
    case EINVAL:
      return "io_uring setup refused (EINVAL): kernel too old for chatd's io_uring backend";
    default:
      return "io_uring setup failed: " + errno_text(err);
  }
}

struct RingGuard {
  io_uring ring{};
  bool live = false;
  ~RingGuard() {
    if (live) io_uring_queue_exit(&ring);
  }
};

// Opcodes UringReactor issues (READ: the eventfd wake; CLOSE: closing a
// connection behind its cancels).
struct NamedOp {
  int op;
  const char* name;
};
constexpr NamedOp kNeededOps[] = {
    {IORING_OP_SENDMSG, "SENDMSG"}, {IORING_OP_RECV, "RECV"},
    {IORING_OP_ACCEPT, "ACCEPT"},   {IORING_OP_ASYNC_CANCEL, "ASYNC_CANCEL"},
    {IORING_OP_READ, "READ"},       {IORING_OP_PROVIDE_BUFFERS, "PROVIDE_BUFFERS"},
    {IORING_OP_CLOSE, "CLOSE"},     {IORING_OP_SEND, "SEND"},
    {IORING_OP_POLL_ADD, "POLL_ADD"},
};

std::string check_ops(io_uring& ring) {
  io_uring_probe* probe = io_uring_get_probe_ring(&ring);
  if (!probe) return "io_uring opcode probe unavailable: kernel too old";
  std::string missing;
  for (const auto& o : kNeededOps) {
    if (io_uring_opcode_supported(probe, o.op)) continue;
    if (!missing.empty()) missing += ", ";
    missing += o.name;
  }
  io_uring_free_probe(probe);
  if (missing.empty()) return "";
  return "kernel's io_uring lacks " + missing + ": too old for chatd's io_uring backend";
}

// Runs one multishot recv on a socketpair, selecting from buffer group 0
// (EINVAL before 6.0; the same kernels also lack multishot accept, 5.19).
// The caller keeps that group's buffer alive until this returns. Returns
// "" on success.
std::string check_multishot_recv(io_uring& ring) {
  int sv[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
    return "io_uring probe: socketpair failed: " + errno_text(errno);
  UniqueFd a(sv[0]), b(sv[1]);
  if (::write(b.get(), "x", 1) != 1) return "io_uring probe: write failed: " + errno_text(errno);

  io_uring_sqe* sqe = io_uring_get_sqe(&ring);
  io_uring_prep_recv_multishot(sqe, a.get(), nullptr, 0, 0);
  sqe->flags |= IOSQE_BUFFER_SELECT;
  sqe->buf_group = 0;
  io_uring_sqe_set_data64(sqe, 1);
  io_uring_submit_and_wait(&ring, 1);
  io_uring_cqe* cqe = nullptr;
  int r = io_uring_peek_cqe(&ring, &cqe);
  if (r < 0 || !cqe) return "io_uring probe: no completion for a multishot recv";
  const int res = cqe->res;
  const unsigned flags = cqe->flags;
  io_uring_cqe_seen(&ring, cqe);
  if (res == -EINVAL)
    return "io_uring lacks multishot recv: kernel too old (needs Linux 6.0+)";
  if (res != 1 || !(flags & IORING_CQE_F_BUFFER))
    return "io_uring multishot recv with provided buffers misbehaves (res " +
           std::to_string(res) + ")";
  // The recv is still armed and ring teardown is asynchronous: cancel it
  // now, while the caller's buffer and buffer ring are still alive.
  sqe = io_uring_get_sqe(&ring);
  io_uring_prep_cancel64(sqe, 1, 0);
  io_uring_sqe_set_data64(sqe, 2);
  io_uring_submit_and_wait(&ring, 1);
  return "";
}

// Registers a one-entry provided-buffer ring (EINVAL before Linux 5.19),
// then runs one multishot recv on it (check_multishot_recv). Returns "" on
// success.
std::string check_buf_ring_and_multishot(io_uring& ring) {
  const long page = ::sysconf(_SC_PAGESIZE);
  const auto len = static_cast<std::size_t>(page > 0 ? page : 4096);
  void* mem = ::mmap(nullptr, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (mem == MAP_FAILED) return "io_uring probe: mmap failed: " + errno_text(errno);
  struct Unmap {
    void* p;
    std::size_t n;
    ~Unmap() { ::munmap(p, n); }
  } unmap{mem, len};

  auto* br = static_cast<io_uring_buf_ring*>(mem);
  io_uring_buf_reg reg;
  std::memset(&reg, 0, sizeof reg);
  reg.ring_addr = reinterpret_cast<std::uintptr_t>(br);
  reg.ring_entries = 1;
  reg.bgid = 0;
  int r = io_uring_register_buf_ring(&ring, &reg, 0);
  if (r < 0)
    return "io_uring cannot register a provided-buffer ring (" + errno_text(-r) +
           "): kernel too old (needs buffer rings, Linux 5.19+)";

  char buf[64];
  io_uring_buf_ring_init(br);
  io_uring_buf_ring_add(br, buf, sizeof buf, 0, io_uring_buf_ring_mask(1), 0);
  io_uring_buf_ring_advance(br, 1);
  return check_multishot_recv(ring);
}

}  // namespace

BackendProbe probe_uring() {
  RingGuard g;
  UringSetup setup;
  int r = init_uring(g.ring, 8, 16, false, setup);
  if (r < 0) return {false, explain_setup_error(-r)};
  g.live = true;
  // submit_and_wait_timeout without an internal timeout SQE (Linux 5.11).
  if (!(setup.features & IORING_FEAT_EXT_ARG))
    return {false, "io_uring lacks IORING_FEAT_EXT_ARG: kernel too old (needs Linux 5.11+)"};
  // Send msghdrs and iovecs live only until their SQE is submitted.
  if (!(setup.features & IORING_FEAT_SUBMIT_STABLE))
    return {false, "io_uring lacks IORING_FEAT_SUBMIT_STABLE: kernel too old"};
  if (!(setup.features & IORING_FEAT_NODROP))
    return {false, "io_uring lacks IORING_FEAT_NODROP: kernel too old"};
  if (auto why = check_ops(g.ring); !why.empty()) return {false, why};
  if (auto why = check_buf_ring_and_multishot(g.ring); !why.empty()) return {false, why};
  return {true, ""};
}

}  // namespace chatd::io
