#include <doctest/doctest.h>

#include "seq_tracker.hpp"

using namespace chatd::loadgen;

TEST_CASE("in-order streams from several senders") {
  SeqTracker t;
  for (std::uint32_t seq = 0; seq < 5; ++seq)
    for (std::uint32_t s = 0; s < 3; ++s) CHECK(t.on_message(s, seq) == SeqOutcome::InOrder);
  CHECK(t.missing() == 0);
}

TEST_CASE("a gap, a late arrival and a duplicate") {
  SeqTracker t;
  CHECK(t.on_message(0, 0) == SeqOutcome::InOrder);
  CHECK(t.on_message(0, 3) == SeqOutcome::Gap);  // 1, 2 missing
  CHECK(t.missing() == 2);
  CHECK(t.on_message(0, 2) == SeqOutcome::Late);
  CHECK(t.missing() == 1);
  CHECK(t.on_message(0, 2) == SeqOutcome::Duplicate);
  CHECK(t.on_message(0, 3) == SeqOutcome::Duplicate);
  CHECK(t.on_message(0, 1) == SeqOutcome::Late);
  CHECK(t.missing() == 0);
  CHECK(t.on_message(0, 4) == SeqOutcome::InOrder);
}

TEST_CASE("a late arrival in the middle of a gap splits it") {
  SeqTracker t;
  CHECK(t.on_message(1, 10) == SeqOutcome::Gap);  // 0..9 missing
  CHECK(t.missing() == 10);
  CHECK(t.on_message(1, 5) == SeqOutcome::Late);
  CHECK(t.missing() == 9);
  CHECK(t.on_message(1, 5) == SeqOutcome::Duplicate);
  CHECK(t.on_message(1, 0) == SeqOutcome::Late);
  CHECK(t.on_message(1, 9) == SeqOutcome::Late);
  CHECK(t.missing() == 7);
  CHECK(t.on_message(0, 0) == SeqOutcome::InOrder);  // other senders unaffected
}
