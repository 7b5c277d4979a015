#pragma once
// What one receiver saw of each sender's stream. Senders number their
// messages 0, 1, 2, ...; a server that keeps per-sender order delivers them
// in that order. A jump ahead leaves a gap (messages missing so far); an
// older number later either fills a gap (out of order) or was already seen
// (duplicate). Messages never seen at the end are found by the caller from
// expected - unique received, since a lost tail leaves no gap.
#include <cstddef>
#include <cstdint>
#include <vector>

namespace chatd::loadgen {

enum class SeqOutcome : std::uint8_t { InOrder, Gap, Late, Duplicate };

class SeqTracker {
 public:
  // `slot` indexes senders densely (the sender's position in the room).
  SeqOutcome on_message(std::uint32_t slot, std::uint32_t seq);
  void reserve(std::size_t senders) { next_.reserve(senders); }
  // Messages currently missing inside gaps.
  std::uint64_t missing() const;
  std::size_t senders_seen() const { return next_.size(); }

 private:
  struct Gap {
    std::uint32_t slot, from, to;  // [from, to) missing
  };
  std::vector<std::uint32_t> next_;  // next expected seq per slot
  std::vector<Gap> gaps_;
};

}  // namespace chatd::loadgen
