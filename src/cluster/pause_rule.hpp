#pragma once
// When members hear that chat across nodes is paused, and that it resumed.
// The link reports its health on every tick (healthy: both connections up
// and each has answered since it connected — a Redis that accepts TCP but
// is stopped is not healthy). The rule:
//   * "paused" once the link has been unhealthy for kAfterMs without a
//     break, so a blip (a killed connection that comes back at once) tells
//     nobody; each room hears it once per outage;
//   * "resumed" only to a room that heard "paused", once the link is
//     healthy again and the room's gap is filled.
// A stall shorter than the link's reply timeout drops no connection, so it
// is no outage: delivery is only late.
//
// Pure: no I/O, no clock (the caller passes the time). Plain value, owned
// by one thread (the link's).
#include <cstdint>

namespace chatd::cluster {

class PauseRule {
 public:
  static constexpr std::uint64_t kAfterMs = 1000;

  enum class Notice : std::uint8_t { None, Paused, Resumed };

  // The link's health now.
  void link(bool healthy, std::uint64_t now_ms) {
    if (healthy) {
      healthy_ = true;
      return;
    }
    if (healthy_) down_since_ = now_ms;
    healthy_ = false;
    paused_ = now_ms - down_since_ >= kAfterMs;
  }

  bool healthy() const { return healthy_; }
  // Unhealthy for kAfterMs or more, and still.
  bool paused() const { return !healthy_ && paused_; }

  // What one room is to hear now: `told` = it heard "paused" and not yet
  // "resumed"; `filled` = its gap fill since the outage is done.
  Notice for_room(bool told, bool filled) const {
    if (!told) return paused() ? Notice::Paused : Notice::None;
    return healthy_ && filled ? Notice::Resumed : Notice::None;
  }

 private:
  bool healthy_ = true;
  bool paused_ = false;
  std::uint64_t down_since_ = 0;
};

}  // namespace chatd::cluster
