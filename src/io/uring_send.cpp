// The io_uring backend's send path: connections with pending output are
// gathered once per loop turn into one send each, at most one in flight per
// connection: a SEND when the owner has one piece queued (most fan-out
// traffic), a vectored SENDMSG for more. See uring_reactor.hpp.
#include <algorithm>
#include <cerrno>
#include <cstddef>

#include "io/uring_reactor.hpp"

namespace chatd::io::uring {

void UringReactor::want_send(Token t) {
  Conn* c = find(t);
  if (!c || c->send_failed) return;
  // With a send in flight there is nothing to do: its completion gathers
  // again anyway.
  if (c->send_live) return;
  mark_dirty(*c);
}

void UringReactor::mark_dirty(Conn& c) {
  if (c.dirty) return;
  c.dirty = true;
  dirty_.push_back({token_slot(c.token), c.gen});
}

void UringReactor::flush_sends(ReactorHandler& h) {
  std::size_t i = 0;
  for (; i < dirty_.size(); ++i) {
    const SlotRef ref = dirty_[i];
    Conn* c = live(ref.slot, ref.gen);
    if (!c || !c->dirty) continue;
    if (c->send_live || c->send_failed) {
      c->dirty = false;
      continue;
    }
    // The kernel takes no SQE now (CQ backed up): the rest stay dirty
    // for the next turn, which polls rather than sleeps.
    if (!stage_ready()) break;
    c->dirty = false;
    start_send(h, ref);
  }
  dirty_.erase(dirty_.begin(), dirty_.begin() + static_cast<std::ptrdiff_t>(i));
}

// Room for one more send: an SQE, a msghdr and a whole gather's iovecs.
// Submits what is queued when full (which frees the stage); false only if
// the kernel would not take it.
bool UringReactor::stage_ready() {
  const auto room = [this] {
    return io_uring_sq_space_left(&ring_) > 0 && stage_msg_used_ < kSqEntries &&
           kStageIov - stage_iov_used_ >= kMaxIov;
  };
  if (room()) return true;
  submit_now();
  return room();
}

void UringReactor::start_send(ReactorHandler& h, SlotRef ref) {
  iovec* iov = stage_iov_.get() + stage_iov_used_;
  std::size_t n = h.gather(conns_[ref.slot].token, {iov, kMaxIov});
  Conn* c = live(ref.slot, ref.gen);
  if (n == 0 || !c) return;
  n = std::min(n, kMaxIov);
  // Not get_sqe(): a submit here would free the stage under this send.
  // stage_ready() left an SQE, unless the owner's gather queued ops; then
  // this send waits for the next turn (nothing was consumed).
  io_uring_sqe* sqe = io_uring_get_sqe(&ring_);
  if (!sqe) {
    mark_dirty(*c);
    return;
  }
  if (n == 1) {
    io_uring_prep_send(sqe, c->fd, iov->iov_base, iov->iov_len, MSG_NOSIGNAL);
  } else {
    stage_iov_used_ += n;
    msghdr& msg = stage_msg_[stage_msg_used_++];
    msg = msghdr{};
    msg.msg_iov = iov;
    msg.msg_iovlen = n;
    io_uring_prep_sendmsg(sqe, c->fd, &msg, MSG_NOSIGNAL);
  }
  io_uring_sqe_set_data64(sqe, make_ud(Kind::Send, ref.slot, ref.gen));
  c->send_live = true;
}

void UringReactor::on_send_cqe(ReactorHandler& h, std::uint32_t slot, std::uint32_t gen,
                               int res) {
  Conn* c = live(slot, gen);
  if (!c) return;  // closed meanwhile: close() made sure the kernel was done with it
  c->send_live = false;
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

}  // namespace chatd::io::uring
