#pragma once
// Flood control for one connection: a token bucket that refills at `rate`
// tokens per second up to `burst`, one token per line. Out of tokens, the
// caller stops reading until ms_until_token() has passed.
//
// Pure: the caller passes the time (monotonic ms) and the rate and burst on
// every call, because they are live limits and may change between calls.
// A rate of 0 (or less) means unlimited.
#include <cstdint>

namespace chatd::chat {

// A plain value; owned by its connection's shard thread.
class TokenBucket {
 public:
  TokenBucket() = default;  // empty, as of time 0; fill() it for a new connection

  // A new connection: `burst` tokens, as of `now_ms`.
  void fill(unsigned burst, std::uint64_t now_ms);

  // Refills for the time since the last take (up to `burst`), then takes one
  // token. False when there is no whole token; with rate <= 0 always true,
  // and the bucket is left untouched.
  bool take(double rate, unsigned burst, std::uint64_t now_ms);

  // Gives back the token of the last take() when it framed no line ("no
  // line, no charge"). Nothing with rate <= 0: take() charged nothing.
  void refund(double rate);

  // After a take() that failed: ms until a whole token is there, for the
  // throttle timer (rounded down, plus one, so the timer never fires early).
  // 0 with rate <= 0 or a whole token already there.
  std::uint64_t ms_until_token(double rate) const;

  double tokens() const { return tokens_; }

 private:
  double tokens_ = 0;
  std::uint64_t refilled_ms_ = 0;  // when tokens_ was last brought up to date
};

}  // namespace chatd::chat
