#pragma once
// A shard's timers: per-connection deadlines, due in time order. Stale
// entries (the connection is gone, or the reason passed) are dropped when
// they come due rather than searched for; entries are 16 bytes.
#include <cstdint>
#include <functional>
#include <queue>
#include <vector>

#include "io/reactor.hpp"

namespace chatd::shard {

enum class TimerKind : std::uint8_t {
  Login,      // no nickname yet: give up on the client
  IdleFlush,  // a partial line has been quiet long enough to count as a line
  Linger,     // a closing client had its chance to read its last output
  Throttle,   // a throttled client has a token again
  WebPing,    // a WebSocket client's keep-alive: ping it, or drop it if the last ping went unanswered
  WebIdle,    // an HTTP connection sent no complete request in time
};

// Owned by one shard thread.
class TimerQueue {
 public:
  void add(std::uint64_t due_ms, io::Token token, TimerKind kind) { heap_.push({due_ms, token, kind}); }
  bool empty() const { return heap_.empty(); }
  std::uint64_t next_due_ms() const { return heap_.top().due_ms; }

  // Calls f(token, kind) for each timer due at `now_ms`, earliest first;
  // f may add timers (a re-armed timer due now runs in this call too).
  template <typename F>
  void run_due(std::uint64_t now_ms, F&& f) {
    while (!heap_.empty() && heap_.top().due_ms <= now_ms) {
      const Timer t = heap_.top();
      heap_.pop();
      f(t.token, t.kind);
    }
  }

 private:
  struct Timer {
    std::uint64_t due_ms;
    io::Token token;
    TimerKind kind;
    bool operator>(const Timer& o) const { return due_ms > o.due_ms; }
  };
  std::priority_queue<Timer, std::vector<Timer>, std::greater<>> heap_;
};

}  // namespace chatd::shard
