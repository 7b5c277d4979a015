// TokenBucket: flood control arithmetic, with the time passed in.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <random>

#include "chat/token_bucket.hpp"

using chatd::chat::TokenBucket;

TEST_CASE("a full bucket gives `burst` tokens at once, then none") {
  TokenBucket b;
  b.fill(3, 1000);
  CHECK(b.tokens() == 3.0);
  CHECK(b.take(5, 3, 1000));
  CHECK(b.take(5, 3, 1000));
  CHECK(b.take(5, 3, 1000));
  CHECK_FALSE(b.take(5, 3, 1000));
  CHECK_FALSE(b.take(5, 3, 1000));
}

TEST_CASE("it refills at `rate` per second, up to `burst`") {
  TokenBucket b;
  b.fill(2, 0);
  CHECK(b.take(5, 2, 0));
  CHECK(b.take(5, 2, 0));
  CHECK_FALSE(b.take(5, 2, 100));  // 0.5 token
  CHECK(b.take(5, 2, 200));        // 1.0: one line
  CHECK_FALSE(b.take(5, 2, 200));
  // A long silence fills it to `burst`, no further.
  CHECK(b.take(5, 2, 100000));
  CHECK(b.tokens() == 1.0);
  CHECK(b.take(5, 2, 100000));
  CHECK_FALSE(b.take(5, 2, 100000));
}

TEST_CASE("a lower burst (a reload) caps the tokens at the next take") {
  TokenBucket b;
  b.fill(200, 0);
  CHECK(b.take(20, 10, 0));
  CHECK(b.tokens() == 9.0);
}

TEST_CASE("rate 0 is unlimited and leaves the bucket alone") {
  TokenBucket b;
  b.fill(1, 50);
  for (int i = 0; i < 1000; ++i) CHECK(b.take(0, 1, 50));
  CHECK(b.tokens() == 1.0);
  b.refund(0);
  CHECK(b.tokens() == 1.0);
  CHECK(b.ms_until_token(0) == 0);
}

TEST_CASE("no line, no charge: refund gives the token back") {
  TokenBucket b;
  b.fill(1, 0);
  CHECK(b.take(5, 1, 0));
  CHECK(b.tokens() == 0.0);
  b.refund(5);
  CHECK(b.tokens() == 1.0);
  CHECK(b.take(5, 1, 0));
}

TEST_CASE("ms_until_token: when the throttle timer should fire") {
  TokenBucket b;
  b.fill(1, 0);
  CHECK(b.take(5, 1, 0));
  CHECK_FALSE(b.take(5, 1, 0));
  CHECK(b.ms_until_token(5) == 201);  // 1 token at 5/s = 200 ms, plus one
  CHECK_FALSE(b.take(5, 1, 100));     // half a token now
  CHECK(b.ms_until_token(5) == 101);
  CHECK_FALSE(b.take(3, 1, 100));     // a reload to 3/s: the other half takes 166.67 ms
  CHECK(b.ms_until_token(3) == 167);
  // Waiting that long is enough.
  CHECK(b.take(3, 1, 100 + b.ms_until_token(3)));
}

namespace {

// The arithmetic as it was inlined in Shard::take_token, Shard::throttle and
// Shard::pump, kept verbatim: TokenBucket must give the very same numbers.
struct InlinedBucket {
  double tokens = 0;
  std::uint64_t tokens_at_ms = 0;

  void accept(unsigned burst, std::uint64_t now) {
    tokens = burst;
    tokens_at_ms = now;
  }
  bool take_token(double rate, unsigned burst_limit, std::uint64_t now_ms_) {
    if (rate <= 0) return true;
    const double burst = burst_limit;
    tokens = std::min(burst, tokens + static_cast<double>(now_ms_ - tokens_at_ms) * rate / 1000.0);
    tokens_at_ms = now_ms_;
    if (tokens < 1.0) return false;
    tokens -= 1.0;
    return true;
  }
  std::uint64_t throttle_wait(double rate) const {
    return static_cast<std::uint64_t>((1.0 - tokens) * 1000.0 / rate) + 1;
  }
  void no_line(double rate) { tokens += rate > 0 ? 1.0 : 0.0; }
};

}  // namespace

TEST_CASE("the same numbers as the arithmetic it replaces, over random traffic") {
  std::mt19937_64 rnd(20240611);
  for (int run = 0; run < 200; ++run) {
    const double rates[] = {0, 0.5, 1, 5, 20, 333.3, 1e6};
    double rate = rates[rnd() % std::size(rates)];
    unsigned burst = 1 + static_cast<unsigned>(rnd() % 300);
    std::uint64_t now = rnd() % 1000000;
    TokenBucket b;
    InlinedBucket ref;
    b.fill(burst, now);
    ref.accept(burst, now);
    for (int step = 0; step < 500; ++step) {
      CAPTURE(run);
      CAPTURE(step);
      switch (rnd() % 10) {
        case 0:  // a reload
          rate = rates[rnd() % std::size(rates)];
          burst = 1 + static_cast<unsigned>(rnd() % 300);
          break;
        case 1:
          now += rnd() % 2000;
          break;
        default: {
          now += rnd() % 5;
          const bool got = b.take(rate, burst, now);
          REQUIRE(got == ref.take_token(rate, burst, now));
          if (!got) REQUIRE(b.ms_until_token(rate) == ref.throttle_wait(rate));
          if (got && rnd() % 4 == 0) {
            b.refund(rate);
            ref.no_line(rate);
          }
        }
      }
      REQUIRE(b.tokens() == ref.tokens);
    }
  }
}
