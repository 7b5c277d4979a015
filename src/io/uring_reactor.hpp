#pragma once
// Internal to the io_uring backend (uring_reactor.cpp, uring_recv.cpp,
// uring_send.cpp); not installed, and nothing outside src/io includes it.
// Everyone else gets the backend through make_uring_reactor (reactor.hpp).
//
// The io_uring backend: one ring per shard thread, multishot accept and
// multishot recv into a per-ring provided-buffer ring (an idle connection
// holds no read buffer), one vectored SENDMSG in flight per connection, and
// one submit-and-wait syscall per loop iteration. While the owner pauses
// reading, the recv is cancelled and a multishot POLL_ADD watches the socket
// for an error instead, so a reset is reported without reading on.
//
// Completions are matched to their owner through user_data:
//   bits 60..63  kind (accept, recv, send, wake, cancel, cancel-fd, close,
//                watch)
//   bits 32..59  index: listener, connection slot (recv, send, watch), fd
//                (cancel-fd, close) or the target's kind (cancel)
//   bits  0..31  generation of the connection slot when the op was issued
//                (cancel: the target's index)
// A connection slot's generation bumps on close(), so completions of ops
// issued for an earlier connection in the same slot are recognised as
// stale and dropped (after returning any buffer they carry).
#include <liburing.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "io/reactor.hpp"
#include "io/socket.hpp"
#include "io/uring_setup.hpp"

namespace chatd::io::uring {

enum class Kind : std::uint64_t {
  None = 0,
  Accept = 1,
  Recv = 2,
  Send = 3,
  Wake = 4,
  Cancel = 5,    // ASYNC_CANCEL of one op (a paused accept or recv)
  CancelFd = 6,  // ASYNC_CANCEL of every op on a closing connection's fd
  Close = 7,     // CLOSE of a connection's fd
  Watch = 8,     // POLL_ADD (multishot) for an error on a paused connection
};

const char* kind_name(Kind k);

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
constexpr unsigned kDrainCqes = kCqEntries / 2;  // completions a poll may post (wait())
constexpr unsigned kTaskWorkPerEnter = 16;  // a poll that posts this many polls again (wait())
constexpr std::size_t kMaxIov = 1024;  // IOV_MAX: a backlog goes out in one send
constexpr std::size_t kStageIov = 16 * kMaxIov;  // iovecs of sends queued between two submits
constexpr std::uint16_t kBufGroup = 0;

[[noreturn]] void throw_errno(int err, const std::string& what);

// The provided-buffer ring: `entries` buffers of `size` bytes the kernel
// picks from for every multishot recv on this ring. liburing 2.3 has no
// io_uring_setup_buf_ring, so the shared ring memory is mapped here.
class BufRing {
 public:
  BufRing(io_uring& ring, unsigned entries, unsigned size);
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
  void release();

  unsigned entries_;
  unsigned size_;
  std::size_t ring_bytes_ = 0;
  std::size_t data_bytes_ = 0;
  io_uring_buf_ring* br_ = nullptr;
  char* data_ = nullptr;
};

// Per-slot state. Small on purpose: an idle connection is one of these and
// nothing else (no read buffer, no send buffer).
struct Conn {
  std::vector<char> carry;  // data that came in while paused, for resume
  Token token = 0;
  int fd = -1;              // -1: slot free
  std::uint32_t gen = 0;    // bumped by close(): later CQEs for old ops are stale
  int done_err = 0;               // with peer_done: errno of the failure, 0 = EOF
  bool reading = true;            // the owner wants data
  bool recv_armed = false;        // a multishot recv lives in the kernel (until its last CQE)
  bool recv_cancelling = false;   // ... and a cancel for it has been queued
  bool watch_armed = false;       // a paused connection's error watch lives in the kernel
  bool watch_cancelling = false;  // ... and a cancel for it has been queued
  bool peer_done = false;         // EOF or error seen on the read side
  bool closed_reported = false;   // on_closed was called: reading is over
  bool hangup_told = false;       // on_peer_hangup was called (a FIN while paused)
  bool send_live = false;         // a send is in flight (its CQE not yet seen)
  bool send_failed = false;       // no more sends
  bool dirty = false;             // listed in dirty_
  bool deliver_queued = false;    // listed in deliver_
  bool starved = false;           // listed in starved_ (recv ended on ENOBUFS)
};

struct Listener {
  int fd = -1;
  std::uint32_t tag = 0;    // the owner's, reported with each accept
  bool armed = false;       // a multishot accept lives in the kernel
  bool cancelling = false;  // ... and a cancel for it has been queued
  bool paused = false;      // an accept error paused it until set_accepting(true)
};

struct SlotRef {
  std::uint32_t slot;
  std::uint32_t gen;
};

// Its members are defined by responsibility: the ring, the loop, the
// completion dispatch, accept, close and wake in uring_reactor.cpp; the
// receive path in uring_recv.cpp; the send path in uring_send.cpp.
class UringReactor final : public Reactor {
 public:
  explicit UringReactor(const ReactorConfig& cfg);
  ~UringReactor() override;

  std::string_view name() const override { return "io_uring"; }
  void add_listener(int fd, std::uint32_t tag) override;
  void set_accepting(bool on) override;
  void add_connection(int fd, Token t) override;
  void set_reading(Token t, bool on) override;
  void want_send(Token t) override;
  void close(Token t) override;
  void run_once(ReactorHandler& h, int timeout_ms) override;
  void wake() override;

 private:
  // ---- ring plumbing (uring_reactor.cpp) ----------------------------------
  void start();
  io_uring_sqe* get_sqe();
  void submit_now();
  void queue_cancel(std::uint64_t target);
  void wait(int timeout_ms);
  void submitted();
  void reap(ReactorHandler& h);
  void dispatch(ReactorHandler& h, std::uint64_t ud, int res, unsigned flags);
  static void warn_unexpected(std::uint64_t ud, int res);

  // ---- close (uring_reactor.cpp) -------------------------------------------
  bool close_after_sync_cancel(int fd);
  void queue_cancel_and_close(int fd);

  // ---- accept (uring_reactor.cpp) ------------------------------------------
  void arm_accept(std::uint32_t i);
  void on_accept_cqe(ReactorHandler& h, std::uint32_t i, int res, unsigned flags);

  // ---- receive (uring_recv.cpp) --------------------------------------------
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

  void arm_recv(Conn& c);
  void maybe_rearm_recv(Conn& c);
  void queue_delivery(Conn& c);
  void on_recv_cqe(ReactorHandler& h, std::uint32_t slot, std::uint32_t gen, int res,
                   unsigned flags);
  Conn* on_recv_data(ReactorHandler& h, Conn& c, SlotRef ref, const char* p, std::size_t n);
  Conn* on_recv_end(ReactorHandler& h, Conn& c, SlotRef ref, int res);
  void rearm_starved();
  void maybe_arm_watch(Conn& c);
  void cancel_watch(Conn& c);
  void on_watch_cqe(ReactorHandler& h, std::uint32_t slot, std::uint32_t gen, int res,
                    unsigned flags);
  void report_closed(ReactorHandler& h, Conn& c, int err);
  void deliver_held(ReactorHandler& h);

  // ---- send (uring_send.cpp) -----------------------------------------------
  void mark_dirty(Conn& c);
  void flush_sends(ReactorHandler& h);
  bool stage_ready();
  void start_send(ReactorHandler& h, SlotRef ref);
  void on_send_cqe(ReactorHandler& h, std::uint32_t slot, std::uint32_t gen, int res);

  // ---- wake (uring_reactor.cpp) --------------------------------------------
  void arm_wake();
  void on_wake_cqe(ReactorHandler& h, int res);

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
  // The msghdrs and iovec arrays of queued sends, until they are submitted:
  // the kernel copies both as it consumes the SQE (IORING_FEAT_SUBMIT_STABLE,
  // required by the probe), so nothing per send lives on to its completion
  // but the owner's bytes. Reset whenever the SQ is empty; untouched pages
  // cost nothing.
  std::unique_ptr<iovec[]> stage_iov_;   // kStageIov
  std::unique_ptr<msghdr[]> stage_msg_;  // kSqEntries: at most one per queued SQE
  std::size_t stage_iov_used_ = 0;
  std::size_t stage_msg_used_ = 0;
  std::vector<SlotRef> dirty_;
  std::vector<SlotRef> deliver_;
  std::vector<SlotRef> starved_;  // FIFO from starved_head_
  std::size_t starved_head_ = 0;
  unsigned reaped_ = 0;  // CQEs the last reap() handled
  std::vector<int> unsubmitted_closes_;  // fds whose IORING_OP_CLOSE is still queued
  const unsigned buf_entries_;
};

}  // namespace chatd::io::uring
