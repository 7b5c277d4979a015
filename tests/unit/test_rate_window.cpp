// RateWindow: "N events per minute" per connection, with the time passed in.
#include <doctest/doctest.h>

#include <cstdint>
#include <random>

#include "chat/rate_window.hpp"

using chatd::chat::RateWindow;

TEST_CASE("N per minute: the N+1th within the window is refused") {
  RateWindow w;
  const std::uint64_t t0 = 1000000;
  CHECK(w.admit(3, t0));
  CHECK(w.admit(3, t0 + 1));
  CHECK(w.admit(3, t0 + 2));
  CHECK_FALSE(w.admit(3, t0 + 3));
  CHECK_FALSE(w.admit(3, t0 + 59999));
  // A minute after the window began, a new one.
  CHECK(w.admit(3, t0 + 60000));
  CHECK(w.admit(3, t0 + 60001));
  CHECK(w.admit(3, t0 + 60002));
  CHECK_FALSE(w.admit(3, t0 + 60003));
}

TEST_CASE("the window is fixed, not sliding") {
  RateWindow w;
  const std::uint64_t t0 = 1000000;
  CHECK(w.admit(2, t0));
  CHECK(w.admit(2, t0 + 59000));
  CHECK_FALSE(w.admit(2, t0 + 59500));
  // 60 s after the first event, though the second was a second ago.
  CHECK(w.admit(2, t0 + 60000));
}

TEST_CASE("limit 0 is unlimited and counts nothing") {
  RateWindow w;
  for (int i = 0; i < 1000; ++i) CHECK(w.admit(0, 1000000));
  CHECK(w.admit(1, 1000000));
  CHECK_FALSE(w.admit(1, 1000000));
}

TEST_CASE("a lower limit (a reload) applies within the current window") {
  RateWindow w;
  CHECK(w.admit(10, 1000000));
  CHECK(w.admit(10, 1000000));
  CHECK_FALSE(w.admit(2, 1000000));
  CHECK(w.admit(10, 1000000));  // raised again: 4 of 10
}

TEST_CASE("the first window starts at time 0") {
  RateWindow w;
  CHECK(w.admit(1, 30000));
  CHECK_FALSE(w.admit(1, 59999));
  CHECK(w.admit(1, 60000));
}

TEST_CASE("another window length") {
  RateWindow w(1000);
  CHECK(w.admit(1, 5000));
  CHECK_FALSE(w.admit(1, 5999));
  CHECK(w.admit(1, 6000));
}

namespace {

// The check as it was inlined in Shard::Host::create_room, kept verbatim:
// RateWindow must decide the same.
struct InlinedWindow {
  std::uint64_t rooms_window_ms = 0;
  std::uint32_t rooms_in_window = 0;

  bool rate_limited(unsigned rooms_per_minute, std::uint64_t now_ms_) {
    if (rooms_per_minute > 0) {
      if (now_ms_ - rooms_window_ms >= 60000) {
        rooms_window_ms = now_ms_;
        rooms_in_window = 0;
      }
      if (++rooms_in_window > rooms_per_minute) return true;
    }
    return false;
  }
};

}  // namespace

TEST_CASE("the same decisions as the check it replaces, over random traffic") {
  std::mt19937_64 rnd(7);
  for (int run = 0; run < 200; ++run) {
    RateWindow w;
    InlinedWindow ref;
    std::uint64_t now = rnd() % 200000;
    unsigned limit = static_cast<unsigned>(rnd() % 12);
    for (int step = 0; step < 300; ++step) {
      CAPTURE(run);
      CAPTURE(step);
      if (rnd() % 20 == 0) limit = static_cast<unsigned>(rnd() % 12);
      now += rnd() % 3 == 0 ? rnd() % 70000 : rnd() % 1000;
      REQUIRE(w.admit(limit, now) == !ref.rate_limited(limit, now));
    }
  }
}

TEST_CASE("idle_at: a window that is over can be forgotten") {
  RateWindow w;
  const std::uint64_t t0 = 1000000;
  CHECK(w.idle_at(t0));  // nothing counted yet
  CHECK(w.admit(1, t0));
  CHECK_FALSE(w.idle_at(t0 + 59999));
  CHECK(w.idle_at(t0 + 60000));
  // Forgetting it (a fresh window) answers the next admit the same way.
  RateWindow fresh;
  CHECK(w.admit(1, t0 + 60000) == fresh.admit(1, t0 + 60000));
}
