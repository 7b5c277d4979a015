// The io_uring backend's ring and loop: setup and teardown, submission,
// the wait, completion dispatch, listeners (multishot accept), close and
// wake. The receive path is in uring_recv.cpp, the send path in
// uring_send.cpp; the design and the user_data layout in uring_reactor.hpp.
#include "io/uring_reactor.hpp"

#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <system_error>

#include <spdlog/spdlog.h>

#include "io/accept_policy.hpp"

namespace chatd::io {
namespace uring {
namespace {

unsigned round_up_pow2(unsigned v) {
  unsigned p = 1;
  while (p < v) p <<= 1;
  return p;
}

}  // namespace

const char* kind_name(Kind k) {
  switch (k) {
    case Kind::Accept: return "accept";
    case Kind::Recv: return "recv";
    case Kind::Send: return "send";
    case Kind::Wake: return "wake read";
    case Kind::Cancel: return "cancel";
    case Kind::CancelFd: return "cancel-fd";
    case Kind::Close: return "close";
    case Kind::Watch: return "error watch";
    case Kind::None: break;
  }
  return "unknown";
}

void throw_errno(int err, const std::string& what) {
  throw std::system_error(err, std::generic_category(), "io_uring reactor: " + what);
}

UringReactor::UringReactor(const ReactorConfig& cfg)
    : buf_entries_(std::clamp(round_up_pow2(std::max(cfg.buf_ring_entries, 1U)), 1U, 32768U)) {
  // Started disabled: the thread that first submits (the shard thread, in
  // run_once) enables the ring and so becomes its single issuer, even when
  // the reactor is built on another thread.
  int r = init_uring(ring_, kSqEntries, kCqEntries, true, setup_);
  if (r < 0) throw_errno(-r, "io_uring_queue_init (see the backend probe for why)");
  try {
    bufs_ = std::make_unique<BufRing>(ring_, buf_entries_, std::max(cfg.buf_size, 16U));
    stage_iov_ = std::make_unique_for_overwrite<iovec[]>(kStageIov);
    stage_msg_ = std::make_unique_for_overwrite<msghdr[]>(kSqEntries);
    wakefd_ = UniqueFd(::eventfd(0, EFD_CLOEXEC));  // blocking: io_uring polls it
    if (!wakefd_) throw_errno(errno, "eventfd");
  } catch (...) {
    io_uring_queue_exit(&ring_);
    throw;
  }
  arm_wake();
}

UringReactor::~UringReactor() {
  // Queued SQEs include IORING_OP_CLOSEs of connections the owner closed.
  // If they cannot be submitted from this thread (ring never started, or
  // SINGLE_ISSUER bound to another thread: -EEXIST), close those fds here.
  if (!started_ || io_uring_submit(&ring_) < 0)
    for (int fd : unsubmitted_closes_) ::close(fd);
  // Make the kernel drop every reference to our memory (send iovecs, the
  // owner's output, receive buffers, the wake buffer) before it is freed:
  // ring teardown itself is asynchronous. From another thread this fails
  // with -EEXIST; if the shard thread has exited, its exit already
  // cancelled and waited for everything it issued.
  if (started_) {
    io_uring_sync_cancel_reg reg;
    std::memset(&reg, 0, sizeof reg);
    reg.flags = IORING_ASYNC_CANCEL_ANY | IORING_ASYNC_CANCEL_ALL;
    reg.timeout.tv_sec = -1;
    reg.timeout.tv_nsec = -1;
    io_uring_register_sync_cancel(&ring_, &reg);
  }
  io_uring_queue_exit(&ring_);
  for (auto& c : conns_)
    if (c.fd >= 0) ::close(c.fd);
}

void UringReactor::run_once(ReactorHandler& h, int timeout_ms) {
  start();
  deliver_held(h);
  flush_sends(h);
  rearm_starved();
  // Handlers may have resumed reading during the sends, starved recvs wait
  // for their turn, or the owner has work: don't sleep on any of it.
  // Or the last turn reaped completions: more may be queued as task work
  // the kernel did not run yet (see wait()).
  if (!deliver_.empty() || !dirty_.empty() || starved_head_ < starved_.size() ||
      reaped_ > 0 || h.has_pending_work())
    timeout_ms = 0;
  wait(timeout_ms);
  reap(h);
}

// ---- ring plumbing -----------------------------------------------------------

// First call on the shard thread: enable the ring (making this thread
// its single issuer) and register the ring fd, which is per thread too.
void UringReactor::start() {
  if (started_) return;
  started_ = true;
  if (setup_.flags & IORING_SETUP_R_DISABLED) {
    // Raw syscall: Debian's liburing 2.3 declares io_uring_enable_rings
    // but does not export it.
    if (::syscall(__NR_io_uring_register, ring_.ring_fd, IORING_REGISTER_ENABLE_RINGS, nullptr,
                  0) < 0)
      throw_errno(errno, "enabling the ring");
  }
  // Saves an fd lookup per io_uring_enter; optional (Linux 5.18+).
  io_uring_register_ring_fd(&ring_);
}

io_uring_sqe* UringReactor::get_sqe() {
  if (io_uring_sqe* sqe = io_uring_get_sqe(&ring_)) return sqe;
  submit_now();  // SQ full: push what we have to the kernel
  if (io_uring_sqe* sqe = io_uring_get_sqe(&ring_)) return sqe;
  // Only if the kernel keeps refusing submissions (CQ hopelessly backed
  // up); spinning here, inside a handler, could never fix that.
  throw_errno(EBUSY, "submission queue full");
}

void UringReactor::submit_now() {
  start();
  for (;;) {
    int r = io_uring_submit(&ring_);
    if (r >= 0) {
      submitted();
      return;
    }
    if (r == -EINTR) continue;
    // -EBUSY/-EAGAIN: the CQ is backed up; SQEs stay queued and go out
    // with the next wait.
    if (r == -EBUSY || r == -EAGAIN) return;
    throw_errno(-r, "io_uring_submit");
  }
}

void UringReactor::queue_cancel(std::uint64_t target) {
  io_uring_sqe* sqe = get_sqe();
  io_uring_prep_cancel64(sqe, target, 0);
  io_uring_sqe_set_data64(sqe, cancel_ud(target));
}

// The one syscall per iteration (a busy poll may take a few): submit
// everything queued and wait.
void UringReactor::wait(int timeout_ms) {
  int r;
  if (timeout_ms == 0) {
    // GETEVENTS even with nothing to submit: with DEFER_TASKRUN,
    // completions are only posted while we are in the kernel, as task work
    // run in the syscall — at most max(20, wait_nr) items per call since
    // Linux 6.13. One call would read ~20 lines per turn and send each
    // member a small batch of them, so poll again while a call keeps
    // posting about that many. Not a zero-timeout wait for kDrainCqes
    // instead: that goes through io_cqring_wait's sleep path every time,
    // which perf showed costing tens of µs of CPU per poll on this VM —
    // 2-3x epoll's CPU per client in a connect-and-join storm, where most
    // turns bring one line.
    unsigned before = io_uring_cq_ready(&ring_);
    for (;;) {
      r = io_uring_submit_and_get_events(&ring_);
      if (r < 0) break;
      const unsigned ready = io_uring_cq_ready(&ring_);
      if (ready - before < kTaskWorkPerEnter || ready >= kDrainCqes) break;
      before = ready;
    }
  } else if (timeout_ms < 0) {
    r = io_uring_submit_and_wait(&ring_, 1);
  } else {
    __kernel_timespec ts{};
    ts.tv_sec = timeout_ms / 1000;
    ts.tv_nsec = static_cast<long long>(timeout_ms % 1000) * 1000000;
    io_uring_cqe* cqe = nullptr;
    r = io_uring_submit_and_wait_timeout(&ring_, &cqe, 1, &ts, nullptr);
  }
  if (r == -EEXIST)
    throw_errno(EEXIST, "run_once called from a thread other than the one that first ran it");
  if (r < 0 && r != -ETIME && r != -EINTR && r != -EAGAIN && r != -EBUSY)
    throw_errno(-r, "io_uring_submit_and_wait");
  submitted();
}

// Once the SQ has been handed to the kernel, the closes queued on it are
// done (for the destructor) and the send stage is free again.
void UringReactor::submitted() {
  if (io_uring_sq_ready(&ring_) != 0) return;
  unsubmitted_closes_.clear();
  stage_iov_used_ = 0;
  stage_msg_used_ = 0;
}

// ---- completions -------------------------------------------------------------

void UringReactor::reap(ReactorHandler& h) {
  unsigned head;
  unsigned n = 0;
  io_uring_cqe* cqe;
  io_uring_for_each_cqe(&ring_, head, cqe) {
    // Copy out: handlers may queue SQEs or cancel synchronously, but the
    // CQE slot itself stays ours until cq_advance.
    const std::uint64_t ud = cqe->user_data;
    const int res = cqe->res;
    const unsigned flags = cqe->flags;
    dispatch(h, ud, res, flags);
    if (++n == kMaxReap) break;  // bounded; the rest wait for the next turn
  }
  io_uring_cq_advance(&ring_, n);
  reaped_ = n;
}

void UringReactor::dispatch(ReactorHandler& h, std::uint64_t ud, int res, unsigned flags) {
  switch (ud_kind(ud)) {
    case Kind::Accept:
      on_accept_cqe(h, ud_index(ud), res, flags);
      break;
    case Kind::Recv:
      on_recv_cqe(h, ud_index(ud), ud_gen(ud), res, flags);
      break;
    case Kind::Send:
      on_send_cqe(h, ud_index(ud), ud_gen(ud), res);
      break;
    case Kind::Watch:
      on_watch_cqe(h, ud_index(ud), ud_gen(ud), res, flags);
      break;
    case Kind::Wake:
      on_wake_cqe(h, res);
      break;
    case Kind::Cancel:
    case Kind::CancelFd:
      // A cancel succeeds (0, or with CANCEL_ALL the count, 0 included),
      // or its target is already done (-ENOENT) or finishing (-EALREADY);
      // either way the target's own CQE reports it.
      if (res < 0 && res != -ENOENT && res != -EALREADY) warn_unexpected(ud, res);
      break;
    case Kind::Close:
      if (res < 0) warn_unexpected(ud, res);
      break;
    case Kind::None:
    default:
      // liburing's internal timeouts (kernels without EXT_ARG, which the
      // probe refuses) carry LIBURING_UDATA_TIMEOUT; nothing else should.
      if (ud != LIBURING_UDATA_TIMEOUT) warn_unexpected(ud, res);
      break;
  }
}

// Results no code path expects: worth a line, never a reason to stop.
void UringReactor::warn_unexpected(std::uint64_t ud, int res) {
  const Kind k = ud_kind(ud);
  const char* err = res < 0 ? std::strerror(-res) : "no error";
  switch (k) {
    case Kind::Cancel:
      spdlog::warn("io_uring: cancel of a {} op (index {}) failed: {}",
                   kind_name(static_cast<Kind>(ud_index(ud))), ud_gen(ud), err);
      break;
    case Kind::CancelFd:
      spdlog::warn("io_uring: cancelling the ops of closing fd {} failed: {}", ud_index(ud), err);
      break;
    case Kind::Close:
      spdlog::warn("io_uring: close of fd {} failed: {}", ud_index(ud), err);
      break;
    case Kind::Wake:
      spdlog::warn("io_uring: {} failed: {}; wake() no longer interrupts a wait (the loop "
                   "still runs at each timeout)", kind_name(k), err);
      break;
    default:
      spdlog::warn("io_uring: unexpected completion (user_data {:#x}, {} op): result {} ({})", ud,
                   kind_name(k), res, err);
      break;
  }
}

// ---- close -------------------------------------------------------------------

void UringReactor::close(Token t) {
  Conn* c = find(t);
  if (!c) return;
  const int fd = c->fd;
  // A poll holds its own reference to the file: the fd must not be closed
  // under it (the socket would stay open) but cancelled with it.
  const bool recv_live = c->recv_armed || c->watch_armed;
  const bool send_live = c->send_live;
  // From here every CQE of this connection is stale; the send-op pool
  // entry (if any) is freed when its CQE arrives.
  const std::uint32_t gen = c->gen + 1;
  *c = Conn{};
  c->gen = gen;
  if (!recv_live && !send_live) {
    ::close(fd);
    return;
  }
  // The owner may free the gathered memory once we return, so the kernel
  // must be done with it now.
  if (send_live && close_after_sync_cancel(fd)) return;
  queue_cancel_and_close(fd);
  if (send_live) submit_now();
}

// Cancels every op on `fd` synchronously (Linux 6.0+) and closes it; true
// when done. Queued SQEs for this fd are submitted first so the cancel sees
// them. False with no sync cancel on this kernel, or SQEs still queued (CQ
// backed up): the caller takes the in-order ring path, submitted right away.
bool UringReactor::close_after_sync_cancel(int fd) {
  submit_now();
  io_uring_sync_cancel_reg reg;
  std::memset(&reg, 0, sizeof reg);
  reg.fd = fd;
  reg.flags = IORING_ASYNC_CANCEL_FD | IORING_ASYNC_CANCEL_ALL;
  reg.timeout.tv_sec = -1;
  reg.timeout.tv_nsec = -1;
  int r = io_uring_register_sync_cancel(&ring_, &reg);
  if ((r >= 0 || r == -ENOENT) && io_uring_sq_ready(&ring_) == 0) {
    ::close(fd);
    return true;
  }
  return false;
}

// Cancel everything on the fd, then close it through the ring. Both run
// in SQ order at the next submit, so any queued SQE for this fd is
// cancelled too, and the fd number cannot be reused by an accept before
// the cancel has found its ops. HARDLINK: close even when the cancel
// finds nothing.
void UringReactor::queue_cancel_and_close(int fd) {
  // Both SQEs are taken first: get_sqe may submit when the SQ is full,
  // and the hard link must not be split across two submits.
  if (io_uring_sq_space_left(&ring_) < 2) submit_now();
  io_uring_sqe* sqe = get_sqe();
  io_uring_prep_cancel_fd(sqe, fd, IORING_ASYNC_CANCEL_ALL);
  io_uring_sqe_set_data64(sqe, make_ud(Kind::CancelFd, static_cast<std::uint32_t>(fd), 0));
  sqe->flags |= IOSQE_IO_HARDLINK;
  sqe = get_sqe();
  io_uring_prep_close(sqe, fd);
  io_uring_sqe_set_data64(sqe, make_ud(Kind::Close, static_cast<std::uint32_t>(fd), 0));
  unsubmitted_closes_.push_back(fd);
}

// ---- accept ------------------------------------------------------------------

void UringReactor::add_listener(int fd, std::uint32_t tag) {
  listeners_.push_back(Listener{.fd = fd, .tag = tag});
  if (accepting_) arm_accept(static_cast<std::uint32_t>(listeners_.size() - 1));
}

void UringReactor::set_accepting(bool on) {
  accepting_ = on;
  for (std::uint32_t i = 0; i < listeners_.size(); ++i) {
    Listener& l = listeners_[i];
    if (on) {
      l.paused = false;
      // Still armed while a cancel is in flight: its final CQE re-arms.
      if (!l.armed) arm_accept(i);
    } else if (l.armed && !l.cancelling) {
      l.cancelling = true;
      queue_cancel(make_ud(Kind::Accept, i, 0));
    }
  }
}

void UringReactor::arm_accept(std::uint32_t i) {
  Listener& l = listeners_[i];
  io_uring_sqe* sqe = get_sqe();
  // No address buffer: every CQE of a multishot accept would overwrite
  // the same one. The peer comes from getpeername instead.
  io_uring_prep_multishot_accept(sqe, l.fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
  io_uring_sqe_set_data64(sqe, make_ud(Kind::Accept, i, 0));
  l.armed = true;
  l.cancelling = false;
}

void UringReactor::on_accept_cqe(ReactorHandler& h, std::uint32_t i, int res, unsigned flags) {
  if (i >= listeners_.size()) return;
  if (!(flags & IORING_CQE_F_MORE)) {
    listeners_[i].armed = false;
    listeners_[i].cancelling = false;
  }
  if (res >= 0) {
    // Accepted before any pause took effect: the connection exists, so
    // hand it over (the owner may close it) rather than drop it.
    sockaddr_storage peer{};
    socklen_t len = sizeof peer;
    if (::getpeername(res, reinterpret_cast<sockaddr*>(&peer), &len) != 0) peer = {};
    h.on_accept(res, peer, listeners_[i].tag);
  } else if (res != -ECANCELED) {  // -ECANCELED: our own pause
    const AcceptOutcome outcome = classify_accept_error(-res);
    if (outcome != AcceptOutcome::Retry) {
      // Pause this listener until the owner calls set_accepting(true);
      // retrying now would spin.
      Listener& l = listeners_[i];
      l.paused = true;
      if (l.armed && !l.cancelling) {
        l.cancelling = true;
        queue_cancel(make_ud(Kind::Accept, i, 0));
      }
      if (outcome == AcceptOutcome::Failed) log_accept_failure(name(), l.fd, -res);
      h.on_accept_error(-res);
    }
  }
  Listener& l = listeners_[i];  // handlers may have added listeners
  if (!l.armed && accepting_ && !l.paused) arm_accept(i);
}

// ---- wake --------------------------------------------------------------------

void UringReactor::wake() {
  // Coalesce bursts: one eventfd write until the loop has seen it. The
  // acq_rel exchange orders the caller's queue pushes before the loop's
  // own exchange in on_wake_cqe, which precedes its queue drain.
  if (wake_pending_.exchange(true, std::memory_order_acq_rel)) return;
  std::uint64_t one = 1;
  [[maybe_unused]] auto r = ::write(wakefd_.get(), &one, sizeof one);
}

void UringReactor::arm_wake() {
  io_uring_sqe* sqe = get_sqe();
  io_uring_prep_read(sqe, wakefd_.get(), &wake_buf_, sizeof wake_buf_, 0);
  io_uring_sqe_set_data64(sqe, make_ud(Kind::Wake, 0, 0));
}

void UringReactor::on_wake_cqe(ReactorHandler& h, int res) {
  if (res < 0 && res != -EINTR && res != -EAGAIN && res != -ECANCELED) {
    // Not re-armed: a failing read would fail again at once.
    warn_unexpected(make_ud(Kind::Wake, 0, 0), res);
    return;
  }
  arm_wake();
  if (res < 0) return;
  wake_pending_.exchange(false, std::memory_order_acq_rel);
  h.on_wake();
}

}  // namespace uring

std::unique_ptr<Reactor> make_uring_reactor(const ReactorConfig& cfg) {
  return std::make_unique<uring::UringReactor>(cfg);
}

}  // namespace chatd::io
