#pragma once
// A small log-linear histogram in the spirit of HdrHistogram: exact below
// 128, then 64 linear sub-buckets per power of two (relative error < 1.6 %).
// Values are unsigned 64-bit (the load generator records nanoseconds).
#include <array>
#include <cstddef>
#include <cstdint>

namespace chatd::loadgen {

class Histogram {
 public:
  static constexpr unsigned kSubBits = 6;                  // 64 sub-buckets
  static constexpr std::uint64_t kSub = 1u << kSubBits;
  static constexpr std::size_t kBuckets = 2 * kSub + (64 - kSubBits - 1) * kSub;

  void record(std::uint64_t v, std::uint64_t n = 1);
  void merge(const Histogram& o);
  void reset() { *this = Histogram{}; }

  std::uint64_t count() const { return count_; }
  std::uint64_t min() const { return count_ ? min_ : 0; }
  std::uint64_t max() const { return max_; }
  double mean() const { return count_ ? static_cast<double>(sum_) / static_cast<double>(count_) : 0.0; }
  // The value at quantile q in [0, 1]: the highest value of the bucket
  // holding that rank, clipped to [min, max]. 0 when empty.
  std::uint64_t quantile(double q) const;

  // Bucket arithmetic, exposed for tests.
  static std::size_t index_of(std::uint64_t v);
  static std::uint64_t lowest_in(std::size_t index);
  static std::uint64_t highest_in(std::size_t index);

 private:
  std::array<std::uint64_t, kBuckets> buckets_{};
  std::uint64_t count_ = 0;
  std::uint64_t min_ = ~std::uint64_t{0};
  std::uint64_t max_ = 0;
  std::uint64_t sum_ = 0;  // wraps only after ~584 years of nanoseconds
};

}  // namespace chatd::loadgen
