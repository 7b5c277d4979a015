#pragma once
// What the controller and the workers share: the phase the run is in (set
// by the controller), the members per room that read (for the expected
// delivery count), and each worker's published report.
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "counters.hpp"
#include "histogram.hpp"

namespace chatd::loadgen {

enum class Phase : int {
  Setup,    // connect, register, join every member
  Run,      // the scenario's load
  Drain,    // no more sends; deliveries still counted
  Reopen,   // slow: read the slow members again to see who was dropped
  Quit,     // say goodbye and close
  Done,     // leave the thread
};

// Published by one worker, read by the controller (under mu).
struct WorkerReport {
  std::mutex mu;
  Counters counters;
  Histogram latency;        // delivery latency, ns (measured window)
  Histogram setup;          // connect start → joined, ns
  Histogram registration;   // connect start → registered (welcome), ns
  Histogram join;           // registered → joined (/create + /join answered), ns
  std::uint64_t open = 0;   // connections open now
  std::uint64_t last_join_ns = 0;
  std::uint64_t slow_open = 0;
  bool setup_done = false;
  bool send_done = false;
  bool quit_done = false;
  std::string first_error;
};

struct SharedState {
  explicit SharedState(std::size_t rooms, std::size_t workers)
      : room_readers(rooms), reports(workers) {
    for (auto& r : reports) r = std::make_unique<WorkerReport>();
  }
  std::atomic<Phase> phase{Phase::Setup};
  // CLOCK_MONOTONIC ns; set before the phase that uses them.
  std::atomic<std::uint64_t> run_start_ns{0};
  std::atomic<std::uint64_t> measure_start_ns{0};
  std::atomic<std::uint64_t> send_end_ns{0};
  std::vector<std::atomic<std::int32_t>> room_readers;
  std::vector<std::unique_ptr<WorkerReport>> reports;
};

}  // namespace chatd::loadgen
