#include "histogram.hpp"

#include <algorithm>
#include <bit>
#include <cmath>

namespace chatd::loadgen {

// Layout: indexes [0, 2*kSub) hold the values themselves; above that, the
// power of two whose top bit is `msb` owns kSub buckets of width
// 2^(msb - kSubBits).
std::size_t Histogram::index_of(std::uint64_t v) {
  if (v < 2 * kSub) return static_cast<std::size_t>(v);
  const unsigned msb = 63u - static_cast<unsigned>(std::countl_zero(v));
  const unsigned shift = msb - kSubBits;
  const std::uint64_t mantissa = (v >> shift) - kSub;  // [0, kSub)
  return static_cast<std::size_t>(2 * kSub + (shift - 1) * kSub + mantissa);
}

std::uint64_t Histogram::lowest_in(std::size_t index) {
  if (index < 2 * kSub) return index;
  const std::size_t rel = index - 2 * kSub;
  const unsigned shift = static_cast<unsigned>(rel / kSub) + 1;
  const std::uint64_t mantissa = kSub + rel % kSub;
  return mantissa << shift;
}

std::uint64_t Histogram::highest_in(std::size_t index) {
  if (index < 2 * kSub) return index;
  const std::size_t rel = index - 2 * kSub;
  const unsigned shift = static_cast<unsigned>(rel / kSub) + 1;
  return lowest_in(index) + ((std::uint64_t{1} << shift) - 1);
}

void Histogram::record(std::uint64_t v, std::uint64_t n) {
  if (n == 0) return;
  buckets_[index_of(v)] += n;
  count_ += n;
  sum_ += v * n;
  min_ = std::min(min_, v);
  max_ = std::max(max_, v);
}

void Histogram::merge(const Histogram& o) {
  if (o.count_ == 0) return;
  for (std::size_t i = 0; i < kBuckets; ++i) buckets_[i] += o.buckets_[i];
  count_ += o.count_;
  sum_ += o.sum_;
  min_ = std::min(min_, o.min_);
  max_ = std::max(max_, o.max_);
}

std::uint64_t Histogram::quantile(double q) const {
  if (count_ == 0) return 0;
  q = std::clamp(q, 0.0, 1.0);
  if (q == 0.0) return min();
  auto rank = static_cast<std::uint64_t>(std::ceil(q * static_cast<double>(count_)));
  rank = std::clamp<std::uint64_t>(rank, 1, count_);
  std::uint64_t seen = 0;
  for (std::size_t i = 0; i < kBuckets; ++i) {
    seen += buckets_[i];
    if (seen >= rank) return std::clamp(highest_in(i), min(), max_);
  }
  return max_;
}

}  // namespace chatd::loadgen
