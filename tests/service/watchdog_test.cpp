// The watchdog decision (sys::Watchdog): pings only while the oldest shard
// heartbeat is recent, withholds them once a loop is stuck, resumes when it
// runs again. A real stuck shard cannot be staged from outside the process,
// so the rule is checked here on its own.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

#include "sys/systemd.hpp"

using chatd::sys::Watchdog;
using std::chrono::milliseconds;

TEST_CASE("no watchdog configured: always healthy, never pings") {
  Watchdog w(milliseconds(0), milliseconds(2500));
  CHECK_FALSE(w.enabled());
  CHECK(w.tick(0, 1'000'000));
}

TEST_CASE("pings at half the timeout while heartbeats are fresh") {
  Watchdog w(milliseconds(20000), milliseconds(2500));
  REQUIRE(w.enabled());
  CHECK(w.interval() == milliseconds(10000));
  CHECK(w.tick(100'000, 100'500));
  CHECK(w.tick(100'000, 119'999));  // 19.999 s old: still within WatchdogSec
}

TEST_CASE("a stuck shard stops the pings; they resume when it runs again") {
  Watchdog w(milliseconds(20000), milliseconds(2500));
  CHECK_FALSE(w.tick(100'000, 120'001));
  CHECK_FALSE(w.tick(100'000, 125'000));
  CHECK(w.tick(125'000, 125'010));
}

TEST_CASE("a short WatchdogSec does not mistake an idle shard's 1 s nap for a stall") {
  Watchdog w(milliseconds(1000), milliseconds(2500));
  CHECK(w.interval() == milliseconds(500));
  CHECK(w.tick(100'000, 101'200));   // idle shard napping: fine
  CHECK(w.tick(100'000, 102'500));
  CHECK_FALSE(w.tick(100'000, 102'501));
}

TEST_CASE("a heartbeat newer than the reading (coarse clock race) is fresh") {
  Watchdog w(milliseconds(20000), milliseconds(2500));
  CHECK(w.tick(100'010, 100'000));
}
