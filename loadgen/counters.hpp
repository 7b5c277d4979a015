#pragma once
// Plain counters one worker keeps, and the totals the summary derives from
// them. Pure: no threads, no clocks.
#include <cstdint>

namespace chatd::loadgen {

struct Counters {
  // Clients (the measured members) and their setup.
  std::uint64_t connects_started = 0;
  std::uint64_t connected = 0;         // TCP established
  std::uint64_t joined = 0;            // registered and in their room
  std::uint64_t connect_errors = 0;
  std::uint64_t register_errors = 0;   // nickname refused, no welcome, ...
  std::uint64_t join_errors = 0;
  std::uint64_t closed_unexpected = 0; // server or network closed a member
  std::uint64_t emfile = 0;            // connects that failed for lack of fds
  // Messages.
  std::uint64_t sent = 0;              // messages queued to the server
  std::uint64_t sent_measured = 0;     // of which after the warm-up
  std::uint64_t expected = 0;          // deliveries those messages owe readers
  std::uint64_t received = 0;          // deliveries seen by readers
  std::uint64_t duplicated = 0;
  std::uint64_t out_of_order = 0;
  std::uint64_t gaps = 0;              // jumps ahead seen (each may be a loss)
  std::uint64_t foreign = 0;           // message lines that are not ours
  std::uint64_t late = 0;              // deliveries after the deadline (counted as lost)
  std::uint64_t last_delivery_ns = 0;  // CLOCK_MONOTONIC of the last delivery
  // Special clients.
  std::uint64_t slow_members = 0;
  std::uint64_t slow_disconnected = 0; // slow members the server dropped
  std::uint64_t churn_started = 0;
  std::uint64_t churn_completed = 0;   // connected, joined and quit
  std::uint64_t churn_errors = 0;
  std::uint64_t churn_received = 0;    // deliveries to churners (not checked)
  std::uint64_t publish_acks = 0;      // Redis: receivers PUBLISH reported

  void merge(const Counters& o);
};

// Derived totals.
struct Outcome {
  std::uint64_t unique_received = 0;
  std::uint64_t lost = 0;       // expected deliveries never seen
  std::uint64_t surplus = 0;    // unique deliveries beyond expectation
  std::uint64_t errors = 0;     // connect + registration + join + unexpected closes
  bool ok = false;              // nothing lost, duplicated, reordered or errored
};
Outcome evaluate(const Counters& c);

}  // namespace chatd::loadgen
