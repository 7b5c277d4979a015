// The io_uring backend's receive path: the provided-buffer ring, multishot
// recv per connection, data and EOF held while the owner pauses reading,
// the error watch on paused connections, and the re-arming of recvs the
// buffer ring starved. See uring_reactor.hpp.
#include <poll.h>
#include <sys/mman.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <utility>
#include <vector>

#include "io/uring_reactor.hpp"

namespace chatd::io::uring {

BufRing::BufRing(io_uring& ring, unsigned entries, unsigned size) : entries_(entries), size_(size) {
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

void BufRing::release() {
  if (data_) ::munmap(data_, data_bytes_);
  if (br_) ::munmap(br_, ring_bytes_);
  data_ = nullptr;
  br_ = nullptr;
}

void UringReactor::add_connection(int fd, Token t) {
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

void UringReactor::set_reading(Token t, bool on) {
  Conn* c = find(t);
  if (!c || c->reading == on) return;
  c->reading = on;
  if (!on) {
    // Stop the kernel reading so TCP pushes back on the peer. CQEs posted
    // before the cancel lands go to `carry` (see on_recv_cqe).
    if (c->recv_armed && !c->recv_cancelling) {
      c->recv_cancelling = true;
      queue_cancel(make_ud(Kind::Recv, token_slot(t), c->gen));
    }
    // A failure the recv already saw is reported now, not at resume.
    if (c->peer_done && c->done_err != 0) queue_delivery(*c);
    maybe_arm_watch(*c);
    return;
  }
  cancel_watch(*c);  // the recv sees errors again
  // Held data and a held EOF are delivered by the next run_once (never
  // from inside a Reactor method).
  if (!c->carry.empty() || (c->peer_done && !c->closed_reported)) queue_delivery(*c);
  maybe_rearm_recv(*c);
}

void UringReactor::arm_recv(Conn& c) {
  io_uring_sqe* sqe = get_sqe();
  io_uring_prep_recv_multishot(sqe, c.fd, nullptr, 0, 0);
  sqe->flags |= IOSQE_BUFFER_SELECT;
  sqe->buf_group = kBufGroup;
  io_uring_sqe_set_data64(sqe, make_ud(Kind::Recv, token_slot(c.token), c.gen));
  c.starved = false;  // its FIFO entry, if any, is skipped
  c.recv_armed = true;
  c.recv_cancelling = false;
}

void UringReactor::maybe_rearm_recv(Conn& c) {
  if (c.fd >= 0 && c.reading && !c.recv_armed && !c.peer_done && !c.closed_reported)
    arm_recv(c);
}

void UringReactor::queue_delivery(Conn& c) {
  if (c.deliver_queued) return;
  c.deliver_queued = true;
  deliver_.push_back({token_slot(c.token), c.gen});
}

void UringReactor::on_recv_cqe(ReactorHandler& h, std::uint32_t slot, std::uint32_t gen, int res,
                               unsigned flags) {
  const bool has_buf = (flags & IORING_CQE_F_BUFFER) != 0;
  const auto bid = static_cast<std::uint16_t>(flags >> IORING_CQE_BUFFER_SHIFT);
  const SlotRef ref{slot, gen};
  Conn* c = live(slot, gen);
  if (c && !(flags & IORING_CQE_F_MORE)) {
    c->recv_armed = false;
    c->recv_cancelling = false;
  }
  if (!c || c->closed_reported) {
    // Stale, or reading is over: drop the data, keep the buffer.
  } else if (res > 0) {
    if (has_buf) c = on_recv_data(h, *c, ref, bufs_->buf(bid), static_cast<std::size_t>(res));
  } else if (res == 0 || (res != -ENOBUFS && res != -ECANCELED)) {
    c = on_recv_end(h, *c, ref, res);
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
        starved_.push_back(ref);
      }
    } else {
      maybe_rearm_recv(*c);
    }
  }
}

// `n` bytes at `p` for a live connection whose reading is not over (it may
// be paused). Returns it again (null if the handler closed it).
Conn* UringReactor::on_recv_data(ReactorHandler& h, Conn& c, SlotRef ref, const char* p,
                                 std::size_t n) {
  if (c.reading && c.carry.empty()) {
    h.on_data(c.token, {p, n});
    return live(ref.slot, ref.gen);  // the handler may have closed it or grown conns_
  }
  // Paused, or older held data must go first: keep order by holding.
  c.carry.insert(c.carry.end(), p, p + n);
  if (c.reading) queue_delivery(c);
  return &c;
}

// EOF (res 0) or a socket error; the multishot is over. An EOF is reported
// after any held data, and only while the owner is reading (a paused
// connection's lines before its FIN still count). An error is reported at
// once while paused, the held data dropped: the session is over (epoll
// fetches it the same way). Returns the connection again (null if the
// handler closed it).
Conn* UringReactor::on_recv_end(ReactorHandler& h, Conn& c, SlotRef ref, int res) {
  c.peer_done = true;
  c.done_err = res == 0 ? 0 : -res;
  if ((c.reading && c.carry.empty()) || (!c.reading && c.done_err != 0)) {
    report_closed(h, c, c.done_err);
    return live(ref.slot, ref.gen);
  }
  if (c.reading) queue_delivery(c);
  return &c;
}

void UringReactor::rearm_starved() {
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

// While paused, a multishot POLL_ADD waits for POLLERR (a reset, a keepalive
// or user timeout) and POLLRDHUP (a FIN): without a recv nothing else would
// notice. Multishot, not one-shot: after a FIN a re-armed one-shot poll
// would fire at once, forever; the multishot one only posts again on a
// wakeup that matches (data arrivals and write space are filtered out by
// their wakeup key), and hangup_told keeps the owner from hearing twice.
void UringReactor::maybe_arm_watch(Conn& c) {
  if (c.fd < 0 || c.reading || c.watch_armed || c.closed_reported ||
      (c.peer_done && c.done_err != 0))
    return;
  io_uring_sqe* sqe = get_sqe();
  io_uring_prep_poll_multishot(sqe, c.fd, POLLERR | POLLRDHUP);
  io_uring_sqe_set_data64(sqe, make_ud(Kind::Watch, token_slot(c.token), c.gen));
  c.watch_armed = true;
  c.watch_cancelling = false;
}

void UringReactor::cancel_watch(Conn& c) {
  if (!c.watch_armed || c.watch_cancelling) return;
  c.watch_cancelling = true;
  queue_cancel(make_ud(Kind::Watch, token_slot(c.token), c.gen));
}

void UringReactor::on_watch_cqe(ReactorHandler& h, std::uint32_t slot, std::uint32_t gen, int res,
                                unsigned flags) {
  Conn* c = live(slot, gen);
  if (!c) return;  // stale: its connection was closed (and the poll cancelled with it)
  if (!(flags & IORING_CQE_F_MORE)) {
    c->watch_armed = false;
    c->watch_cancelling = false;
  }
  if (res < 0) {
    // -ECANCELED: our resume or close. Anything else would fail again if
    // re-armed; the resumed recv still sees the error.
    if (res != -ECANCELED) {
      warn_unexpected(make_ud(Kind::Watch, slot, gen), res);
      return;
    }
  } else if (!c->reading && !c->closed_reported) {
    // Only while paused: reading SO_ERROR clears it, and a live recv must
    // get it instead.
    if (res & POLLERR) {
      int err = 0;
      socklen_t len = sizeof err;
      if (::getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0) err = errno;
      if (err != 0) {
        c->peer_done = true;
        c->done_err = err;
        report_closed(h, *c, err);  // cancels this watch; c may dangle after
        return;
      }
    }
    // A FIN: the data before it waits for the resume, unless the owner
    // ends the session now.
    if ((res & (POLLRDHUP | POLLHUP)) && !c->hangup_told) {
      c->hangup_told = true;
      h.on_peer_hangup(c->token);
      c = live(slot, gen);
      if (!c) return;
    }
  }
  maybe_arm_watch(*c);  // the last CQE of a cancel that a new pause outran
}

// on_closed exactly once; reading stops for good.
void UringReactor::report_closed(ReactorHandler& h, Conn& c, int err) {
  if (c.closed_reported) return;
  c.closed_reported = true;
  if (c.recv_armed && !c.recv_cancelling) {
    c.recv_cancelling = true;
    queue_cancel(make_ud(Kind::Recv, token_slot(c.token), c.gen));
  }
  cancel_watch(c);
  c.carry = {};
  h.on_closed(c.token, err);
}

// Data (and EOF) held while paused, in order, now that reading resumed.
void UringReactor::deliver_held(ReactorHandler& h) {
  // Index loop: handlers may queue more deliveries while we iterate.
  for (std::size_t i = 0; i < deliver_.size(); ++i) {
    const SlotRef ref = deliver_[i];
    Conn* c = live(ref.slot, ref.gen);
    if (!c) continue;
    c->deliver_queued = false;
    if (c->closed_reported) continue;
    if (!c->reading) {
      // Paused: only a failure is reported now (set_reading queued it).
      if (c->peer_done && c->done_err != 0) report_closed(h, *c, c->done_err);
      continue;
    }
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

}  // namespace chatd::io::uring
