// PauseRule: when members hear that chat across nodes paused and resumed.
#include <doctest/doctest.h>

#include "cluster/pause_rule.hpp"

using chatd::cluster::PauseRule;
using Notice = PauseRule::Notice;

TEST_CASE("pause rule: a healthy link tells nobody") {
  PauseRule r;
  for (std::uint64_t t = 0; t < 10000; t += 100) {
    r.link(true, t);
    CHECK(r.for_room(false, true) == Notice::None);
    CHECK_FALSE(r.paused());
  }
}

TEST_CASE("pause rule: a blip shorter than kAfterMs tells nobody, however often it comes") {
  PauseRule r;
  std::uint64_t t = 1000;
  for (int flap = 0; flap < 50; ++flap) {
    for (std::uint64_t d = 0; d < PauseRule::kAfterMs; d += 100, t += 100) {  // down 0 .. 900 ms
      r.link(false, t);
      CHECK(r.for_room(false, false) == Notice::None);
    }
    r.link(true, t);
    t += 50;
    CHECK(r.healthy());
  }
}

TEST_CASE("pause rule: down for kAfterMs: paused once per room; resumed once its gap is filled") {
  PauseRule r;
  r.link(true, 0);
  r.link(false, 5000);
  CHECK(r.for_room(false, false) == Notice::None);
  r.link(false, 5000 + PauseRule::kAfterMs - 1);
  CHECK(r.for_room(false, false) == Notice::None);
  r.link(false, 5000 + PauseRule::kAfterMs);
  CHECK(r.paused());
  CHECK(r.for_room(false, false) == Notice::Paused);
  // Told: nothing more while the outage lasts, however long.
  for (std::uint64_t t = 6000; t < 60000; t += 100) {
    r.link(false, t);
    CHECK(r.for_room(true, false) == Notice::None);
    CHECK(r.for_room(true, true) == Notice::None);  // a fill that ended before the link came back
  }
  // Back, but the room's gap is not filled yet: wait.
  r.link(true, 60000);
  CHECK_FALSE(r.paused());
  CHECK(r.for_room(true, false) == Notice::None);
  CHECK(r.for_room(true, true) == Notice::Resumed);
  // A room that did not hear "paused" hears no "resumed".
  CHECK(r.for_room(false, true) == Notice::None);
}

TEST_CASE("pause rule: back and down again before a room resumed: it hears no second paused") {
  PauseRule r;
  r.link(false, 0);
  r.link(false, 1500);
  CHECK(r.for_room(false, false) == Notice::Paused);
  r.link(true, 2000);  // back; the room's fill has not finished
  r.link(false, 2100);
  r.link(false, 4000);  // a second outage, long enough
  CHECK(r.for_room(true, false) == Notice::None);  // still "paused" for it: no second notice
  CHECK(r.for_room(false, false) == Notice::Paused);  // a room that resumed in between hears it again
  r.link(true, 5000);
  CHECK(r.for_room(true, true) == Notice::Resumed);
}

TEST_CASE("pause rule: each outage is timed from its own start") {
  PauseRule r;
  r.link(false, 0);
  r.link(false, 900);
  r.link(true, 950);
  r.link(false, 1000);  // a new outage: 1000 ms from here, not from 0
  r.link(false, 1900);
  CHECK(r.for_room(false, false) == Notice::None);
  r.link(false, 2000);
  CHECK(r.for_room(false, false) == Notice::Paused);
}
