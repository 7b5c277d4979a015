// The io_uring backend's send path: connections with pending output are
// gathered once per loop turn into one vectored SENDMSG each, at most one
// in flight per connection, from a pool of send ops. See uring_reactor.hpp.
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
  if (c->send_op != kNoOp) return;
  mark_dirty(*c);
}

void UringReactor::mark_dirty(Conn& c) {
  if (c.dirty) return;
  c.dirty = true;
  dirty_.push_back({token_slot(c.token), c.gen});
}

void UringReactor::flush_sends(ReactorHandler& h) {
  for (std::size_t i = 0; i < dirty_.size(); ++i) {
    const SlotRef ref = dirty_[i];
    Conn* c = live(ref.slot, ref.gen);
    if (!c || !c->dirty) continue;
    c->dirty = false;
    if (c->send_op == kNoOp && !c->send_failed) start_send(h, ref);
  }
  dirty_.clear();
}

std::uint32_t UringReactor::alloc_op() {
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

void UringReactor::release_op(std::uint32_t idx) {
  // Keep a few spares; a burst's worth of iovec arrays (1 KiB each) goes
  // back to the heap, so idle connections cost nothing here.
  if (free_ops_.size() >= kSpareOps) {
    ops_[idx].reset();
    empty_ops_.push_back(idx);
    return;
  }
  free_ops_.push_back(idx);
}

void UringReactor::start_send(ReactorHandler& h, SlotRef ref) {
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

void UringReactor::on_send_cqe(ReactorHandler& h, std::uint32_t idx, int res) {
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

}  // namespace chatd::io::uring
