#include "cluster/room_sequence.hpp"

namespace chatd::cluster {

void RoomSequence::reset(std::uint64_t offset, std::string epoch) {
  last_ = offset;
  epoch_ = std::move(epoch);
  buffer_.clear();
  fetching_ = false;
}

// Redis lost the room (restarted without its data, or the keys were
// removed): the old epoch's offsets after last_ are gone for good, and the
// new epoch counts from 1 again.
void RoomSequence::change_epoch(std::string_view epoch, Step& step) {
  if (!epoch_.empty()) {
    step.epoch_changed = true;
    step.deliver.push_back({last_ + 1, kUnknownLoss, {}});
  }  // else: the room had no events when this node started following it
  epoch_ = std::string(epoch);
  last_ = 0;
  buffer_.clear();
  fetching_ = false;
}

void RoomSequence::ask(Step& step, Range r) {
  fetching_ = true;
  step.fetch = r;
}

// Hands out the buffered events that follow last_ without a hole; a hole
// before the next buffered one is fetched.
void RoomSequence::deliver_buffered(Step& step) {
  while (!buffer_.empty()) {
    auto it = buffer_.begin();
    if (it->first <= last_) {
      buffer_.erase(it);
      continue;
    }
    if (it->first != last_ + 1) {
      if (!fetching_) ask(step, {last_ + 1, it->first - 1});
      return;
    }
    last_ = it->first;
    step.deliver.push_back({it->first, 0, std::move(it->second)});
    buffer_.erase(it);
  }
}

RoomSequence::Step RoomSequence::on_live(std::uint64_t offset, std::string_view epoch, std::string payload) {
  Step step;
  if (epoch != epoch_) change_epoch(epoch, step);
  if (offset <= last_ || buffer_.count(offset)) return step;  // already delivered or waiting
  if (fetching_ || offset != last_ + 1) {
    buffer_.emplace(offset, std::move(payload));
    if (!fetching_) ask(step, {last_ + 1, offset - 1});
    return step;
  }
  last_ = offset;
  step.deliver.push_back({offset, 0, std::move(payload)});
  deliver_buffered(step);
  return step;
}

RoomSequence::Step RoomSequence::on_range(std::string_view epoch, Range asked, std::vector<Entry> entries) {
  Step step;
  fetching_ = false;
  if (epoch.empty()) {
    // Redis has nothing for the room (its data was lost and nothing was
    // said since): the next event, in a new epoch, brings the notice.
    deliver_buffered(step);
    return step;
  }
  if (epoch != epoch_) {
    // The range was read in a new epoch: its entries count from 1 again.
    change_epoch(epoch, step);
    asked = {1, kOpenEnd};
  }
  for (Entry& e : entries) {
    if (e.offset <= last_ || e.offset < asked.from) continue;
    if (asked.to != kOpenEnd && e.offset > asked.to) break;
    if (e.offset > last_ + 1) step.deliver.push_back({last_ + 1, e.offset - last_ - 1, {}});  // trimmed away
    last_ = e.offset;
    buffer_.erase(e.offset);
    step.deliver.push_back({e.offset, 0, std::move(e.payload)});
  }
  // Asked up to a known offset but the stream ends before it: those are gone
  // too (trimmed, or never written). Buffered events past it stay.
  if (asked.to != kOpenEnd && last_ < asked.to) {
    step.deliver.push_back({last_ + 1, asked.to - last_, {}});
    last_ = asked.to;
  }
  deliver_buffered(step);
  return step;
}

RoomSequence::Step RoomSequence::on_position(std::uint64_t offset, std::string_view epoch) {
  Step step;
  if (epoch.empty()) return step;  // the room has no events yet
  if (epoch != epoch_) {
    change_epoch(epoch, step);
    if (offset > 0) ask(step, {1, offset});
    return step;
  }
  if (offset > last_ && !fetching_) ask(step, {last_ + 1, offset});
  return step;
}

RoomSequence::Step RoomSequence::on_resubscribed() {
  Step step;
  ask(step, {last_ + 1, kOpenEnd});
  return step;
}

}  // namespace chatd::cluster
