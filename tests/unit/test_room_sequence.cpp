// RoomSequence: every offset once, in order, or a notice where it is gone.
#include <doctest/doctest.h>

#include <fmt/format.h>

#include "cluster/room_sequence.hpp"

using chatd::cluster::RoomSequence;

namespace {

using Step = RoomSequence::Step;

// "3" for an event at offset 3, "!2+4" for a notice that 4 offsets from 2 are lost.
std::vector<std::string> seen(const Step& s) {
  std::vector<std::string> out;
  for (const auto& i : s.deliver) {
    if (i.lost == RoomSequence::kUnknownLoss) out.push_back(fmt::format("!{}+?", i.offset));
    else if (i.lost) out.push_back(fmt::format("!{}+{}", i.offset, i.lost));
    else out.push_back(fmt::format("{}:{}", i.offset, i.payload));
  }
  return out;
}

using V = std::vector<std::string>;

}  // namespace

TEST_CASE("room sequence: in order, delivered at once") {
  RoomSequence s(5, "E");
  CHECK(seen(s.on_live(6, "E", "a")) == V{"6:a"});
  CHECK(seen(s.on_live(7, "E", "b")) == V{"7:b"});
  CHECK(s.last() == 7);
  CHECK_FALSE(s.fetching());
}

TEST_CASE("room sequence: what was delivered, or is at or before the start, is dropped") {
  RoomSequence s(5, "E");
  CHECK(seen(s.on_live(5, "E", "old")).empty());
  CHECK(seen(s.on_live(6, "E", "a")) == V{"6:a"});
  CHECK(seen(s.on_live(6, "E", "a")).empty());
  CHECK(s.last() == 6);
}

TEST_CASE("room sequence: a gap buffers what follows and asks for the missing range") {
  RoomSequence s(5, "E");
  Step st = s.on_live(8, "E", "c");
  CHECK(st.deliver.empty());
  REQUIRE(st.fetch);
  CHECK(st.fetch->from == 6);
  CHECK(st.fetch->to == 7);
  CHECK(s.fetching());
  // Live ones meanwhile wait, even the next in line: the fetch comes first.
  CHECK(s.on_live(9, "E", "d").deliver.empty());
  CHECK_FALSE(s.on_live(9, "E", "d").fetch);  // no second fetch while one is out
  st = s.on_range("E", {6, 7}, {{6, "a"}, {7, "b"}});
  CHECK(seen(st) == V{"6:a", "7:b", "8:c", "9:d"});
  CHECK_FALSE(st.fetch);
  CHECK(s.last() == 9);
  CHECK(s.buffered() == 0);
}

TEST_CASE("room sequence: a live event that arrives while its own offset is being fetched is not doubled") {
  RoomSequence s(0, "E");
  s.on_live(3, "E", "c");  // fetch 1..2
  CHECK(s.on_live(2, "E", "b").deliver.empty());  // buffered
  const Step st = s.on_range("E", {1, 2}, {{1, "a"}, {2, "b"}});
  CHECK(seen(st) == V{"1:a", "2:b", "3:c"});
}

TEST_CASE("room sequence: a range trimmed away becomes a notice with the count, in its place") {
  RoomSequence s(5, "E");
  s.on_live(10, "E", "j");
  // The stream kept only 8 and 9 of 6..9.
  const Step st = s.on_range("E", {6, 9}, {{8, "h"}, {9, "i"}});
  CHECK(seen(st) == V{"!6+2", "8:h", "9:i", "10:j"});
}

TEST_CASE("room sequence: a range that ends early: the tail is reported lost, buffered events follow") {
  RoomSequence s(5, "E");
  s.on_live(10, "E", "j");
  const Step st = s.on_range("E", {6, 9}, {{6, "f"}});
  CHECK(seen(st) == V{"6:f", "!7+3", "10:j"});
  CHECK(s.last() == 10);
}

TEST_CASE("room sequence: a second hole behind the buffer is fetched next") {
  RoomSequence s(0, "E");
  s.on_live(3, "E", "c");  // fetch 1..2
  s.on_live(6, "E", "f");  // buffered behind a second hole (4..5)
  Step st = s.on_range("E", {1, 2}, {{1, "a"}, {2, "b"}});
  CHECK(seen(st) == V{"1:a", "2:b", "3:c"});
  REQUIRE(st.fetch);
  CHECK(st.fetch->from == 4);
  CHECK(st.fetch->to == 5);
  st = s.on_range("E", {4, 5}, {{4, "d"}, {5, "e"}});
  CHECK(seen(st) == V{"4:d", "5:e", "6:f"});
}

TEST_CASE("room sequence: a failed fetch is asked again by the next event") {
  RoomSequence s(0, "E");
  CHECK(s.on_live(3, "E", "c").fetch);
  s.on_fetch_failed();
  const Step st = s.on_live(4, "E", "d");
  REQUIRE(st.fetch);
  CHECK(st.fetch->from == 1);
  CHECK(st.fetch->to == 3);  // up to the newest buffered one's predecessor
}

TEST_CASE("room sequence: a new epoch is announced, then its offsets count from 1") {
  RoomSequence s(41, "E");
  Step st = s.on_live(1, "F", "a");
  CHECK(st.epoch_changed);
  CHECK(seen(st) == V{"!42+?", "1:a"});
  CHECK(s.epoch() == "F");
  st = s.on_live(3, "F", "c");
  REQUIRE(st.fetch);
  CHECK(st.fetch->from == 2);
}

TEST_CASE("room sequence: a new epoch mid-stream: fetch from 1") {
  RoomSequence s(41, "E");
  const Step st = s.on_live(4, "F", "d");
  CHECK(seen(st) == V{"!42+?"});
  REQUIRE(st.fetch);
  CHECK(st.fetch->from == 1);
  CHECK(st.fetch->to == 3);
}

TEST_CASE("room sequence: a range read in a new epoch resets and delivers from 1") {
  RoomSequence s(10, "E");
  s.on_live(12, "E", "x");  // fetch 11..11, buffered 12 of the old epoch
  const Step st = s.on_range("F", {11, 11}, {{1, "a"}, {2, "b"}});
  CHECK(st.epoch_changed);
  CHECK(seen(st) == V{"!11+?", "1:a", "2:b"});
  CHECK(s.last() == 2);
  CHECK(s.buffered() == 0);
}

TEST_CASE("room sequence: the first epoch seen is adopted silently") {
  RoomSequence s(0, "");
  const Step st = s.on_live(1, "E", "a");
  CHECK_FALSE(st.epoch_changed);
  CHECK(seen(st) == V{"1:a"});
}

TEST_CASE("room sequence: position check catches a lost newest event") {
  RoomSequence s(5, "E");
  CHECK_FALSE(s.on_position(5, "E").fetch);
  Step st = s.on_position(7, "E");
  REQUIRE(st.fetch);
  CHECK(st.fetch->from == 6);
  CHECK(st.fetch->to == 7);
  CHECK_FALSE(s.on_position(7, "E").fetch);  // already asked
  st = s.on_range("E", {6, 7}, {{6, "f"}, {7, "g"}});
  CHECK(seen(st) == V{"6:f", "7:g"});
  // The live copy of 7, late, is not shown again.
  CHECK(s.on_live(7, "E", "g").deliver.empty());
}

TEST_CASE("room sequence: position in a new epoch: notice, then fetch what it has") {
  RoomSequence s(5, "E");
  const Step st = s.on_position(2, "F");
  CHECK(seen(st) == V{"!6+?"});
  REQUIRE(st.fetch);
  CHECK(st.fetch->from == 1);
  CHECK(st.fetch->to == 2);
  CHECK(s.on_position(0, "").deliver.empty());  // nothing in Redis: nothing to say yet
}

TEST_CASE("room sequence: after a pubsub reconnect everything after the last is fetched, open-ended") {
  RoomSequence s(5, "E");
  Step st = s.on_resubscribed();
  REQUIRE(st.fetch);
  CHECK(st.fetch->from == 6);
  CHECK(st.fetch->to == RoomSequence::kOpenEnd);
  s.on_live(9, "E", "i");  // live after resubscribing: waits for the fetch
  st = s.on_range("E", {6, RoomSequence::kOpenEnd}, {{6, "f"}, {7, "g"}, {8, "h"}, {9, "i"}});
  CHECK(seen(st) == V{"6:f", "7:g", "8:h", "9:i"});
  CHECK(s.buffered() == 0);
}

TEST_CASE("room sequence: a range answer with no room data (Redis emptied) waits for the new epoch") {
  RoomSequence s(5, "E");
  s.on_resubscribed();
  Step st = s.on_range("", {6, RoomSequence::kOpenEnd}, {});
  CHECK(st.deliver.empty());
  CHECK_FALSE(s.fetching());
  st = s.on_live(1, "F", "a");
  CHECK(seen(st) == V{"!6+?", "1:a"});
}
