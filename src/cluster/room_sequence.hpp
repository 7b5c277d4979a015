#pragma once
// One room's place in its order on this node: the last offset delivered and
// the room's epoch (a new epoch means Redis lost the room's data and its
// offsets started again). Live events arrive from pubsub; this decides,
// for each, whether to deliver it now, hold it while a missing range is
// fetched from the room's stream, or drop it as already delivered — so that
// members see every offset once, in order, or a notice where offsets could
// not be recovered. Never a silent hole, never a reorder, never a duplicate.
//
// Pure: no I/O. The caller fetches the ranges it is asked to and reports
// them back. Plain value, owned by one thread.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace chatd::cluster {

class RoomSequence {
 public:
  static constexpr std::uint64_t kUnknownLoss = ~0ull;  // an epoch change: how many is unknown
  static constexpr std::uint64_t kOpenEnd = 0;           // a fetch "up to the newest"

  // What to hand to members, in this order: an event (lost == 0), or a
  // notice that `lost` offsets before the next event are gone.
  struct Item {
    std::uint64_t offset = 0;
    std::uint64_t lost = 0;
    std::string payload;
  };
  struct Range {
    std::uint64_t from = 0, to = kOpenEnd;  // inclusive; to == kOpenEnd: up to the newest
  };
  // The outcome of one input.
  struct Step {
    std::vector<Item> deliver;
    std::optional<Range> fetch;  // ask the stream for this range, then call on_range
    bool epoch_changed = false;
  };

  RoomSequence() = default;
  RoomSequence(std::uint64_t offset, std::string epoch) { reset(offset, std::move(epoch)); }

  // Start (or start again) at the room's position: nothing up to `offset`
  // will be delivered.
  void reset(std::uint64_t offset, std::string epoch);

  // An event from pubsub.
  Step on_live(std::uint64_t offset, std::string_view epoch, std::string payload);
  // The answer to a fetch: the stream's entries in [from, to] as they are
  // now (oldest first), with the room's epoch when it was read.
  struct Entry {
    std::uint64_t offset = 0;
    std::string payload;
  };
  Step on_range(std::string_view epoch, Range asked, std::vector<Entry> entries);
  // The fetch could not be made (Redis down, timeout): a later input or
  // position check asks again.
  void on_fetch_failed() { fetching_ = false; }
  // The room's current position (a periodic check): catches a lost newest event.
  Step on_position(std::uint64_t offset, std::string_view epoch);
  // The pubsub connection came back: whatever was published meanwhile is
  // fetched (everything after the last delivered offset).
  Step on_resubscribed();

  std::uint64_t last() const { return last_; }
  const std::string& epoch() const { return epoch_; }
  bool fetching() const { return fetching_; }
  std::size_t buffered() const { return buffer_.size(); }

 private:
  void change_epoch(std::string_view epoch, Step& step);
  void deliver_buffered(Step& step);
  void ask(Step& step, Range r);

  std::uint64_t last_ = 0;
  std::string epoch_;
  std::map<std::uint64_t, std::string> buffer_;  // live events ahead of last_ + 1, waiting
  bool fetching_ = false;
};

}  // namespace chatd::cluster
