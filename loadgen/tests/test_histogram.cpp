#include <doctest/doctest.h>

#include "histogram.hpp"

using chatd::loadgen::Histogram;

TEST_CASE("histogram buckets cover every value with bounded relative error") {
  for (std::uint64_t v : {0ull, 1ull, 127ull, 128ull, 129ull, 255ull, 256ull, 1000ull, 123456789ull,
                          (1ull << 40) + 12345, ~0ull}) {
    const auto i = Histogram::index_of(v);
    REQUIRE(i < Histogram::kBuckets);
    CHECK(Histogram::lowest_in(i) <= v);
    CHECK(Histogram::highest_in(i) >= v);
    const double width = static_cast<double>(Histogram::highest_in(i) - Histogram::lowest_in(i));
    CHECK(width <= static_cast<double>(v) / 64.0 + 1.0);
  }
}

TEST_CASE("histogram indexes are monotonic and contiguous") {
  std::size_t prev = 0;
  for (std::uint64_t v = 0; v < 100000; ++v) {
    const auto i = Histogram::index_of(v);
    CHECK(i >= prev);
    CHECK(i <= prev + 1);
    prev = i;
  }
  for (std::size_t i = 0; i + 1 < Histogram::kBuckets; ++i)
    CHECK(Histogram::highest_in(i) + 1 == Histogram::lowest_in(i + 1));
}

TEST_CASE("quantiles of a uniform distribution") {
  Histogram h;
  for (std::uint64_t v = 1; v <= 10000; ++v) h.record(v * 1000);
  CHECK(h.count() == 10000);
  CHECK(h.min() == 1000);
  CHECK(h.max() == 10'000'000);
  const auto p50 = static_cast<double>(h.quantile(0.5));
  CHECK(p50 == doctest::Approx(5'000'000).epsilon(0.02));
  CHECK(static_cast<double>(h.quantile(0.99)) == doctest::Approx(9'900'000).epsilon(0.02));
  CHECK(h.quantile(1.0) == 10'000'000);
  CHECK(h.quantile(0.0) == 1000);
  CHECK(h.mean() == doctest::Approx(5'000'500));
}

TEST_CASE("merge adds counts and keeps extremes") {
  Histogram a, b;
  a.record(10);
  b.record(1'000'000, 3);
  a.merge(b);
  CHECK(a.count() == 4);
  CHECK(a.min() == 10);
  CHECK(a.max() == 1'000'000);
  CHECK(a.quantile(0.25) == 10);
  CHECK(a.quantile(0.5) == 1'000'000);
  Histogram empty;
  CHECK(empty.quantile(0.99) == 0);
  CHECK(empty.min() == 0);
}
