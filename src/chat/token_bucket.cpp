#include "chat/token_bucket.hpp"

#include <algorithm>

namespace chatd::chat {

void TokenBucket::fill(unsigned burst, std::uint64_t now_ms) {
  tokens_ = burst;
  refilled_ms_ = now_ms;
}

bool TokenBucket::take(double rate, unsigned burst, std::uint64_t now_ms) {
  if (rate <= 0) return true;
  const double cap = burst;
  tokens_ = std::min(cap, tokens_ + static_cast<double>(now_ms - refilled_ms_) * rate / 1000.0);
  refilled_ms_ = now_ms;
  if (tokens_ < 1.0) return false;
  tokens_ -= 1.0;
  return true;
}

void TokenBucket::refund(double rate) { tokens_ += rate > 0 ? 1.0 : 0.0; }

std::uint64_t TokenBucket::ms_until_token(double rate) const {
  if (rate <= 0 || tokens_ >= 1.0) return 0;
  return static_cast<std::uint64_t>((1.0 - tokens_) * 1000.0 / rate) + 1;
}

}  // namespace chatd::chat
