#include "seq_tracker.hpp"

namespace chatd::loadgen {

SeqOutcome SeqTracker::on_message(std::uint32_t slot, std::uint32_t seq) {
  if (slot >= next_.size()) next_.resize(slot + 1, 0);
  std::uint32_t& next = next_[slot];
  if (seq == next) {
    ++next;
    return SeqOutcome::InOrder;
  }
  if (seq > next) {
    gaps_.push_back({slot, next, seq});
    next = seq + 1;
    return SeqOutcome::Gap;
  }
  for (std::size_t i = 0; i < gaps_.size(); ++i) {
    Gap& g = gaps_[i];
    if (g.slot != slot || seq < g.from || seq >= g.to) continue;
    if (seq == g.from) {
      ++g.from;
    } else if (seq + 1 == g.to) {
      --g.to;
    } else {
      const Gap tail{slot, seq + 1, g.to};
      g.to = seq;
      gaps_.push_back(tail);  // g may dangle after this; not used again
    }
    if (gaps_[i].from >= gaps_[i].to) {
      gaps_[i] = gaps_.back();
      gaps_.pop_back();
    }
    return SeqOutcome::Late;
  }
  return SeqOutcome::Duplicate;
}

std::uint64_t SeqTracker::missing() const {
  std::uint64_t n = 0;
  for (const Gap& g : gaps_) n += g.to - g.from;
  return n;
}

}  // namespace chatd::loadgen
