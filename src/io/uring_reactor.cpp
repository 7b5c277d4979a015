// The io_uring backend: one ring per shard thread, multishot accept and
// multishot recv into a per-ring provided-buffer ring (an idle connection
// holds no read buffer), one vectored SENDMSG in flight per connection, and
// one submit-and-wait syscall per loop iteration.
//
// Completions are matched to their owner through user_data:
//   bits 60..63  kind (accept, recv, send, wake, cancel, cancel-fd, close)
//   bits 32..59  index: listener, connection slot, send-op pool entry, fd
//                (cancel-fd, close) or the target's kind (cancel)
//   bits  0..31  generation of the connection slot when the op was issued
//                (cancel: the target's index)
// A connection slot's generation bumps on close(), so completions of ops
// issued for an earlier connection in the same slot are recognised as
// stale and dropped (after returning any buffer they carry).
#include <liburing.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>
#include <system_error>
#include <vector>

#include <spdlog/spdlog.h>

#include "io/accept_policy.hpp"
#include "io/reactor.hpp"
#include "io/socket.hpp"
#include "io/uring_setup.hpp"

namespace chatd::io {
namespace {

enum class Kind : std::uint64_t {
  None = 0,
  Accept = 1,
  Recv = 2,
  Send = 3,
  Wake = 4,
  Cancel = 5,    // ASYNC_CANCEL of one op (a paused accept or recv)
  CancelFd = 6,  // ASYNC_CANCEL of every op on a closing connection's fd
  Close = 7,     // CLOSE of a connection's fd
};

const char* kind_name(Kind k) {
  switch (k) {
    case Kind::Accept: return "accept";
    case Kind::Recv: return "recv";
    case Kind::Send: return "send";
    case Kind::Wake: return "wake read";
    case Kind::Cancel: return "cancel";
    case Kind::CancelFd: return "cancel-fd";
    case Kind::Close: return "close";
    case Kind::None: break;
  }
  return "unknown";
}

constexpr std::uint32_t kIndexMask = (1U << 28) - 1;
constexpr std::uint64_t make_ud(Kind k, std::uint32_t index, std::uint32_t gen) {
  return (static_cast<std::uint64_t>(k) << 60) |
         (static_cast<std::uint64_t>(index & kIndexMask) << 32) | gen;
}
constexpr Kind ud_kind(std::uint64_t ud) { return static_cast<Kind>(ud >> 60); }
constexpr std::uint32_t ud_index(std::uint64_t ud) {
  return static_cast<std::uint32_t>(ud >> 32) & kIndexMask;
}
constexpr std::uint32_t ud_gen(std::uint64_t ud) { return static_cast<std::uint32_t>(ud); }
// A cancel's own user_data names its target, for the log should it fail.
constexpr std::uint64_t cancel_ud(std::uint64_t target) {
  return make_ud(Kind::Cancel, static_cast<std::uint32_t>(ud_kind(target)), ud_index(target));
}

constexpr unsigned kSqEntries = 256;
constexpr unsigned kCqEntries = 4096;  // multishot ops post many CQEs per SQE
constexpr unsigned kMaxReap = kCqEntries;
constexpr std::size_t kMaxIov = 1024;  // IOV_MAX: a backlog goes out in one send
constexpr std::size_t kSpareOps = 64;
constexpr std::uint16_t kBufGroup = 0;
constexpr std::uint32_t kNoOp = ~0U;

[[noreturn]] void throw_errno(int err, const std::string& what) {
  throw std::system_error(err, std::generic_category(), "io_uring reactor: " + what);
}

// The provided-buffer ring: `entries` buffers of `size` bytes the kernel
// picks from for every multishot recv on this ring. liburing 2.3 has no
// io_uring_setup_buf_ring, so the shared ring memory is mapped here.
class BufRing {
 public:
  BufRing(io_uring& ring, unsigned entries, unsigned size) : entries_(entries), size_(size) {
    ring_bytes_ = entries_ * sizeof(io_uring_buf);
    void* rm = ::mmap(nullptr, ring_bytes_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                      -1, 0);
    if (rm == MAP_FAILED) throw_errno(errno, "mmap of the buffer ring");
    br_ = static_cast<io_uring_buf_ring*>(rm);
    data_bytes_ = static_cast<std::size_t>(entries_) * size_;
    void* dm = ::mmap(nullptr, data_bytes_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                      -1, 0);
    if (dm == MAP_FAILED) {
      int e = errno;
      ::munmap(br_, ring_bytes_);
      throw_errno(e, "mmap of the receive buffers");
    }
    data_ = static_cast<char*>(dm);

    io_uring_buf_reg reg;
    std::memset(&reg, 0, sizeof reg);
    reg.ring_addr = reinterpret_cast<std::uintptr_t>(br_);
    reg.ring_entries = entries_;
    reg.bgid = kBufGroup;
    if (int r = io_uring_register_buf_ring(&ring, &reg, 0); r < 0) {
      release();
      throw_errno(-r, "registering the provided-buffer ring (kernel too old?)");
    }
    io_uring_buf_ring_init(br_);
    for (unsigned i = 0; i < entries_; ++i)
      io_uring_buf_ring_add(br_, buf(static_cast<std::uint16_t>(i)), size_,
                            static_cast<std::uint16_t>(i), mask(), static_cast<int>(i));
    io_uring_buf_ring_advance(br_, static_cast<int>(entries_));
  }
  BufRing(const BufRing&) = delete;
  BufRing& operator=(const BufRing&) = delete;
  // UringReactor destroys this after cancelling every op and exiting the
  // ring, so no recv can still be writing into the buffers.
  ~BufRing() { release(); }

  char* buf(std::uint16_t bid) const { return data_ + static_cast<std::size_t>(bid) * size_; }

  // Hand buffer `bid` back to the kernel (visible immediately).
  void recycle(std::uint16_t bid) {
    io_uring_buf_ring_add(br_, buf(bid), size_, bid, mask(), 0);
    io_uring_buf_ring_advance(br_, 1);
  }

 private:
  int mask() const { return io_uring_buf_ring_mask(entries_); }
  void release() {
    if (data_) ::munmap(data_, data_bytes_);
    if (br_) ::munmap(br_, ring_bytes_);
    data_ = nullptr;
    br_ = nullptr;
  }

  unsigned entries_;
  unsigned size_;
  std::size_t ring_bytes_ = 0;
  std::size_t data_bytes_ = 0;
  io_uring_buf_ring* br_ = nullptr;
  char* data_ = nullptr;
};

// The msghdr + iovec array of one SENDMSG in flight. Pooled rather than
// per connection: ~1 KiB each, and only connections with a send in flight
// need one. Pool entries never move (unique_ptr) while the kernel holds them.
struct SendOp {
  msghdr msg{};
  std::vector<iovec> iov;  // sized to the send; pooled ops keep the capacity
  std::uint32_t slot = 0;
  std::uint32_t gen = 0;
};

// Per-slot state. Small on purpose: an idle connection is one of these and
// nothing else (no read buffer, no send buffer).
struct Conn {
  std::vector<char> carry;  // data that came in while paused, for resume
  Token token = 0;
  int fd = -1;              // -1: slot free
  std::uint32_t gen = 0;    // bumped by close(): later CQEs for old ops are stale
  std::uint32_t send_op = kNoOp;  // pool index while a SENDMSG is in flight
  int done_err = 0;               // with peer_done: errno of the failure, 0 = EOF
  bool reading = true;            // the owner wants data
  bool recv_armed = false;        // a multishot recv lives in the kernel (until its last CQE)
  bool recv_cancelling = false;   // ... and a cancel for it has been queued
  bool peer_done = false;         // EOF or error seen on the read side
  bool closed_reported = false;   // on_closed was called: reading is over
  bool send_failed = false;       // no more sends
  bool dirty = false;             // listed in dirty_
  bool deliver_queued = false;    // listed in deliver_
  bool starved = false;           // listed in starved_ (recv ended on ENOBUFS)
};

struct Listener {
  int fd = -1;
  bool armed = false;       // a multishot accept lives in the kernel
  bool cancelling = false;  // ... and a cancel for it has been queued
  bool paused = false;      // an accept error paused it until set_accepting(true)
};

struct SlotRef {
  std::uint32_t slot;
  std::uint32_t gen;
};

unsigned round_up_pow2(unsigned v) {
  unsigned p = 1;
  while (p < v) p <<= 1;
  return p;
}

class UringReactor final : public Reactor {
 public:
  explicit UringReactor(const ReactorConfig& cfg)
      : buf_entries_(std::clamp(round_up_pow2(std::max(cfg.buf_ring_entries, 1U)), 1U, 32768U)) {
    // Started disabled: the thread that first submits (the shard thread, in
    // run_once) enables the ring and so becomes its single issuer, even when
    // the reactor is built on another thread.
    int r = init_uring(ring_, kSqEntries, kCqEntries, true, setup_);
    if (r < 0) throw_errno(-r, "io_uring_queue_init (see the backend probe for why)");
    try {
      bufs_ = std::make_unique<BufRing>(ring_, buf_entries_, std::max(cfg.buf_size, 16U));
      wakefd_ = UniqueFd(::eventfd(0, EFD_CLOEXEC));  // blocking: io_uring polls it
      if (!wakefd_) throw_errno(errno, "eventfd");
    } catch (...) {
      io_uring_queue_exit(&ring_);
      throw;
    }
    arm_wake();
  }

  ~UringReactor() override {
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

  std::string_view name() const override { return "io_uring"; }

  void add_listener(int fd) override {
    listeners_.push_back(Listener{fd});
    if (accepting_) arm_accept(static_cast<std::uint32_t>(listeners_.size() - 1));
  }

  void set_accepting(bool on) override {
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

  void add_connection(int fd, Token t) override {
    const std::uint32_t slot = token_slot(t);
    if (slot > kIndexMask) throw std::length_error("io_uring reactor: token slot too large");
    if (slot >= conns_.size()) conns_.resize(slot + 1);
    Conn& c = conns_[slot];
    if (c.fd >= 0) throw std::logic_error("io_uring reactor: add_connection on a slot in use");
    const std::uint32_t gen = c.gen;
    c = Conn{};
    c.gen = gen;
    c.token = t;
    c.fd = fd;
    arm_recv(c);
  }

  void set_reading(Token t, bool on) override {
    Conn* c = find(t);
    if (!c || c->reading == on) return;
    c->reading = on;
    if (!on) {
      // Stop the kernel reading so TCP pushes back on the peer. CQEs posted
      // before the cancel lands go to `carry` (see on_recv).
      if (c->recv_armed && !c->recv_cancelling) {
        c->recv_cancelling = true;
        queue_cancel(make_ud(Kind::Recv, token_slot(t), c->gen));
      }
      return;
    }
    // Held data and a held EOF are delivered by the next run_once (never
    // from inside a Reactor method).
    if (!c->carry.empty() || (c->peer_done && !c->closed_reported)) queue_delivery(*c);
    maybe_rearm_recv(*c);
  }

  void want_send(Token t) override {
    Conn* c = find(t);
    if (!c || c->send_failed) return;
    // With a send in flight there is nothing to do: its completion gathers
    // again anyway.
    if (c->send_op != kNoOp) return;
    mark_dirty(*c);
  }

  void close(Token t) override {
    Conn* c = find(t);
    if (!c) return;
    const int fd = c->fd;
    const bool recv_live = c->recv_armed;
    const bool send_live = c->send_op != kNoOp;
    // From here every CQE of this connection is stale; the send-op pool
    // entry (if any) is freed when its CQE arrives.
    const std::uint32_t gen = c->gen + 1;
    *c = Conn{};
    c->gen = gen;
    if (!recv_live && !send_live) {
      ::close(fd);
      return;
    }
    if (send_live) {
      // The owner may free the gathered memory once we return, so the kernel
      // must be done with it now: cancel synchronously (Linux 6.0+). Queued
      // SQEs for this fd are submitted first so the cancel sees them.
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
        return;
      }
      // No sync cancel on this kernel, or SQEs still queued (CQ backed up):
      // fall through to the in-order ring path, submitted right away.
    }
    // Cancel everything on the fd, then close it through the ring. Both run
    // in SQ order at the next submit, so any queued SQE for this fd is
    // cancelled too, and the fd number cannot be reused by an accept before
    // the cancel has found its ops. HARDLINK: close even when the cancel
    // finds nothing.
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
    if (send_live) submit_now();
  }

  void run_once(ReactorHandler& h, int timeout_ms) override {
    start();
    deliver_held(h);
    flush_sends(h);
    rearm_starved();
    // Handlers may have resumed reading during the sends, starved recvs wait
    // for their turn, or the owner has work: don't sleep on any of it.
    if (!deliver_.empty() || starved_head_ < starved_.size() || h.has_pending_work())
      timeout_ms = 0;
    wait(timeout_ms);
    reap(h);
  }

  void wake() override {
    // Coalesce bursts: one eventfd write until the loop has seen it. The
    // acq_rel exchange orders the caller's queue pushes before the loop's
    // own exchange in on_wake_cqe, which precedes its queue drain.
    if (wake_pending_.exchange(true, std::memory_order_acq_rel)) return;
    std::uint64_t one = 1;
    [[maybe_unused]] auto r = ::write(wakefd_.get(), &one, sizeof one);
  }

 private:
  // ---- ring plumbing -------------------------------------------------------

  // First call on the shard thread: enable the ring (making this thread
  // its single issuer) and register the ring fd, which is per thread too.
  void start() {
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

  io_uring_sqe* get_sqe() {
    if (io_uring_sqe* sqe = io_uring_get_sqe(&ring_)) return sqe;
    submit_now();  // SQ full: push what we have to the kernel
    if (io_uring_sqe* sqe = io_uring_get_sqe(&ring_)) return sqe;
    // Only if the kernel keeps refusing submissions (CQ hopelessly backed
    // up); spinning here, inside a handler, could never fix that.
    throw_errno(EBUSY, "submission queue full");
  }

  void submit_now() {
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

  void queue_cancel(std::uint64_t target) {
    io_uring_sqe* sqe = get_sqe();
    io_uring_prep_cancel64(sqe, target, 0);
    io_uring_sqe_set_data64(sqe, cancel_ud(target));
  }

  // The one syscall per iteration: submit everything queued and wait.
  void wait(int timeout_ms) {
    int r;
    if (timeout_ms == 0) {
      // GETEVENTS even with nothing to submit: with DEFER_TASKRUN,
      // completions are only posted while we are in the kernel.
      r = io_uring_submit_and_get_events(&ring_);
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

  // Bookkeeping for the destructor: closes queued on the ring are done
  // once the SQ has been handed to the kernel.
  void submitted() {
    if (io_uring_sq_ready(&ring_) == 0) unsubmitted_closes_.clear();
  }

  void reap(ReactorHandler& h) {
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
  }

  void dispatch(ReactorHandler& h, std::uint64_t ud, int res, unsigned flags) {
    switch (ud_kind(ud)) {
      case Kind::Accept:
        on_accept_cqe(h, ud_index(ud), res, flags);
        break;
      case Kind::Recv:
        on_recv_cqe(h, ud_index(ud), ud_gen(ud), res, flags);
        break;
      case Kind::Send:
        on_send_cqe(h, ud_index(ud), res);
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
  static void warn_unexpected(std::uint64_t ud, int res) {
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

  // ---- accept --------------------------------------------------------------

  void arm_accept(std::uint32_t i) {
    Listener& l = listeners_[i];
    io_uring_sqe* sqe = get_sqe();
    // No address buffer: every CQE of a multishot accept would overwrite
    // the same one. The peer comes from getpeername instead.
    io_uring_prep_multishot_accept(sqe, l.fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    io_uring_sqe_set_data64(sqe, make_ud(Kind::Accept, i, 0));
    l.armed = true;
    l.cancelling = false;
  }

  void on_accept_cqe(ReactorHandler& h, std::uint32_t i, int res, unsigned flags) {
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
      h.on_accept(res, peer);
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

  // ---- receive -------------------------------------------------------------

  Conn* find(Token t) {
    const std::uint32_t slot = token_slot(t);
    if (slot >= conns_.size()) return nullptr;
    Conn& c = conns_[slot];
    return (c.fd >= 0 && c.token == t) ? &c : nullptr;
  }

  Conn* live(std::uint32_t slot, std::uint32_t gen) {
    if (slot >= conns_.size()) return nullptr;
    Conn& c = conns_[slot];
    return (c.fd >= 0 && c.gen == gen) ? &c : nullptr;
  }

  void arm_recv(Conn& c) {
    io_uring_sqe* sqe = get_sqe();
    io_uring_prep_recv_multishot(sqe, c.fd, nullptr, 0, 0);
    sqe->flags |= IOSQE_BUFFER_SELECT;
    sqe->buf_group = kBufGroup;
    io_uring_sqe_set_data64(sqe, make_ud(Kind::Recv, token_slot(c.token), c.gen));
    c.starved = false;  // its FIFO entry, if any, is skipped
    c.recv_armed = true;
    c.recv_cancelling = false;
  }

  void maybe_rearm_recv(Conn& c) {
    if (c.fd >= 0 && c.reading && !c.recv_armed && !c.peer_done && !c.closed_reported)
      arm_recv(c);
  }

  void queue_delivery(Conn& c) {
    if (c.deliver_queued) return;
    c.deliver_queued = true;
    deliver_.push_back({token_slot(c.token), c.gen});
  }

  void on_recv_cqe(ReactorHandler& h, std::uint32_t slot, std::uint32_t gen, int res,
                   unsigned flags) {
    const bool has_buf = (flags & IORING_CQE_F_BUFFER) != 0;
    const auto bid = static_cast<std::uint16_t>(flags >> IORING_CQE_BUFFER_SHIFT);
    Conn* c = live(slot, gen);
    if (c && !(flags & IORING_CQE_F_MORE)) {
      c->recv_armed = false;
      c->recv_cancelling = false;
    }
    if (!c || c->closed_reported) {
      // Stale, or reading is over: drop the data, keep the buffer.
    } else if (res > 0) {
      const char* p = has_buf ? bufs_->buf(bid) : nullptr;
      const auto n = static_cast<std::size_t>(res);
      if (p && c->reading && c->carry.empty()) {
        h.on_data(c->token, {p, n});
        c = live(slot, gen);  // the handler may have closed it or grown conns_
      } else if (p) {
        // Paused, or older held data must go first: keep order by holding.
        c->carry.insert(c->carry.end(), p, p + n);
        if (c->reading) queue_delivery(*c);
      }
    } else if (res == 0 || (res != -ENOBUFS && res != -ECANCELED)) {
      // EOF or a socket error; the multishot is over. Reported after any
      // held data, and only while the owner is reading (like epoll, where a
      // paused connection is not read and so its EOF is not seen).
      c->peer_done = true;
      c->done_err = res == 0 ? 0 : -res;
      if (c->reading && c->carry.empty()) {
        report_closed(h, *c, c->done_err);
        c = live(slot, gen);
      } else if (c->reading) {
        queue_delivery(*c);
      }
    }
    // -ENOBUFS: the buffer ring ran dry; the unread data is still in the
    // socket, in order, so re-arming loses nothing. Not re-armed at once:
    // with many connections ready, all would race for the few buffers and
    // most would fail again. rearm_starved() re-arms them in FIFO order,
    // about as many per turn as there are buffers.
    // -ECANCELED: our pause; re-arm if reading resumed meanwhile.
    if (has_buf) bufs_->recycle(bid);  // right after on_data returned
    if (c && !c->recv_armed) {
      if (res == -ENOBUFS) {
        if (!c->starved) {
          c->starved = true;
          starved_.push_back({slot, gen});
        }
      } else {
        maybe_rearm_recv(*c);
      }
    }
  }

  void rearm_starved() {
    // Every buffer is back in the ring by now (they are returned as soon as
    // on_data returns), so this many recvs can each get at least one.
    unsigned budget = buf_entries_;
    while (budget > 0 && starved_head_ < starved_.size()) {
      const SlotRef ref = starved_[starved_head_++];
      Conn* c = live(ref.slot, ref.gen);
      if (!c || !c->starved) continue;
      c->starved = false;
      if (c->reading && !c->recv_armed) --budget;
      maybe_rearm_recv(*c);
    }
    if (starved_head_ == starved_.size()) {
      starved_.clear();
      starved_head_ = 0;
    }
  }

  // on_closed exactly once; reading stops for good.
  void report_closed(ReactorHandler& h, Conn& c, int err) {
    if (c.closed_reported) return;
    c.closed_reported = true;
    if (c.recv_armed && !c.recv_cancelling) {
      c.recv_cancelling = true;
      queue_cancel(make_ud(Kind::Recv, token_slot(c.token), c.gen));
    }
    c.carry = {};
    h.on_closed(c.token, err);
  }

  // Data (and EOF) held while paused, in order, now that reading resumed.
  void deliver_held(ReactorHandler& h) {
    // Index loop: handlers may queue more deliveries while we iterate.
    for (std::size_t i = 0; i < deliver_.size(); ++i) {
      const SlotRef ref = deliver_[i];
      Conn* c = live(ref.slot, ref.gen);
      if (!c) continue;
      c->deliver_queued = false;
      if (!c->reading || c->closed_reported) continue;
      if (!c->carry.empty()) {
        // Moved out: frees the memory once delivered, and anything a
        // handler adds meanwhile lands in a fresh vector.
        std::vector<char> data = std::move(c->carry);
        c->carry = {};
        h.on_data(c->token, data);
        c = live(ref.slot, ref.gen);
        if (!c || !c->reading) continue;
      }
      if (c->peer_done) report_closed(h, *c, c->done_err);
    }
    deliver_.clear();
  }

  // ---- send ----------------------------------------------------------------

  void mark_dirty(Conn& c) {
    if (c.dirty) return;
    c.dirty = true;
    dirty_.push_back({token_slot(c.token), c.gen});
  }

  void flush_sends(ReactorHandler& h) {
    for (std::size_t i = 0; i < dirty_.size(); ++i) {
      const SlotRef ref = dirty_[i];
      Conn* c = live(ref.slot, ref.gen);
      if (!c || !c->dirty) continue;
      c->dirty = false;
      if (c->send_op == kNoOp && !c->send_failed) start_send(h, ref);
    }
    dirty_.clear();
  }

  std::uint32_t alloc_op() {
    if (!free_ops_.empty()) {
      std::uint32_t i = free_ops_.back();
      free_ops_.pop_back();
      return i;
    }
    if (!empty_ops_.empty()) {
      std::uint32_t i = empty_ops_.back();
      empty_ops_.pop_back();
      ops_[i] = std::make_unique<SendOp>();
      return i;
    }
    ops_.push_back(std::make_unique<SendOp>());
    return static_cast<std::uint32_t>(ops_.size() - 1);
  }

  void release_op(std::uint32_t idx) {
    // Keep a few spares; a burst's worth of iovec arrays (1 KiB each) goes
    // back to the heap, so idle connections cost nothing here.
    if (free_ops_.size() >= kSpareOps) {
      ops_[idx].reset();
      empty_ops_.push_back(idx);
      return;
    }
    free_ops_.push_back(idx);
  }

  void start_send(ReactorHandler& h, SlotRef ref) {
    const std::uint32_t idx = alloc_op();
    SendOp& op = *ops_[idx];
    // Gather into one scratch array, keep only what this send uses: most
    // sends are a line or two, a few carry a backlog of hundreds.
    std::size_t n = h.gather(conns_[ref.slot].token, gather_);
    Conn* c = live(ref.slot, ref.gen);
    if (n == 0 || !c) {
      release_op(idx);
      return;
    }
    n = std::min(n, kMaxIov);
    op.iov.assign(gather_.begin(), gather_.begin() + static_cast<std::ptrdiff_t>(n));
    op.msg = msghdr{};
    op.msg.msg_iov = op.iov.data();
    op.msg.msg_iovlen = n;
    op.slot = ref.slot;
    op.gen = ref.gen;
    io_uring_sqe* sqe = get_sqe();
    io_uring_prep_sendmsg(sqe, c->fd, &op.msg, MSG_NOSIGNAL);
    io_uring_sqe_set_data64(sqe, make_ud(Kind::Send, idx, ref.gen));
    c->send_op = idx;
  }

  void on_send_cqe(ReactorHandler& h, std::uint32_t idx, int res) {
    if (idx >= ops_.size()) return;
    const SendOp& op = *ops_[idx];
    const std::uint32_t slot = op.slot;
    const std::uint32_t gen = op.gen;
    release_op(idx);  // the kernel is done with it either way
    Conn* c = live(slot, gen);
    if (!c) return;
    c->send_op = kNoOp;
    if (res < 0) {
      if (res == -EINTR || res == -EAGAIN) {
        mark_dirty(*c);
        return;
      }
      c->send_failed = true;
      report_closed(h, *c, -res);
      return;
    }
    h.on_sent(c->token, static_cast<std::size_t>(res));
    c = live(slot, gen);
    if (!c) return;
    // Gather again at the start of the next iteration (batching whatever
    // else this turn queues), even after a full write: a short write left
    // bytes, the owner may have had more than kMaxIov pieces, or output came
    // meanwhile. Like epoll's loop, sending stops when gather returns 0.
    mark_dirty(*c);
  }

  // ---- wake ----------------------------------------------------------------

  void arm_wake() {
    io_uring_sqe* sqe = get_sqe();
    io_uring_prep_read(sqe, wakefd_.get(), &wake_buf_, sizeof wake_buf_, 0);
    io_uring_sqe_set_data64(sqe, make_ud(Kind::Wake, 0, 0));
  }

  void on_wake_cqe(ReactorHandler& h, int res) {
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

  io_uring ring_{};
  bool started_ = false;
  UringSetup setup_;
  std::unique_ptr<BufRing> bufs_;
  UniqueFd wakefd_;
  std::uint64_t wake_buf_ = 0;
  std::atomic<bool> wake_pending_{false};
  bool accepting_ = true;
  std::vector<Listener> listeners_;
  std::vector<Conn> conns_;
  std::vector<std::unique_ptr<SendOp>> ops_;
  std::array<iovec, kMaxIov> gather_{};
  std::vector<std::uint32_t> free_ops_;   // allocated, unused
  std::vector<std::uint32_t> empty_ops_;  // indices whose SendOp was freed
  std::vector<SlotRef> dirty_;
  std::vector<SlotRef> deliver_;
  std::vector<SlotRef> starved_;  // FIFO from starved_head_
  std::size_t starved_head_ = 0;
  std::vector<int> unsubmitted_closes_;  // fds whose IORING_OP_CLOSE is still queued
  const unsigned buf_entries_;
};

}  // namespace

std::unique_ptr<Reactor> make_uring_reactor(const ReactorConfig& cfg) {
  return std::make_unique<UringReactor>(cfg);
}

}  // namespace chatd::io
