#pragma once
// Everything a run measured, and its two renderings: a table for people
// and one JSON object for scripts.
#include <cstdint>
#include <optional>
#include <string>

#include "counters.hpp"
#include "histogram.hpp"
#include "options.hpp"
#include "proc_stats.hpp"

namespace chatd::loadgen {

struct Results {
  Config cfg;
  unsigned rooms = 0;
  std::string backend;          // reactor backend used
  std::string server;           // address
  Counters totals;
  Outcome outcome;
  Histogram latency;            // ns
  Histogram setup;              // ns: connect start → joined
  Histogram registration;       // ns: connect start → registered (chatd: welcome)
  Histogram join;               // ns: registered → joined (chatd: /create + /join answered)
  bool setup_complete = false;
  double setup_s = 0;           // first connect → last join
  double run_s = 0;             // report: first send → last delivery; else measured window
  double deliveries_per_s = 0;  // unique deliveries per second in the window
  double messages_per_s = 0;    // messages sent per second in the window
  std::uint64_t window_deliveries = 0;
  // Server (with --server-pid).
  std::optional<ProcSample> srv_start, srv_setup, srv_window_start, srv_end;
  double server_cpu_s = 0;           // in the measured window
  double cpu_us_per_delivery = 0;
  double kib_per_conn = 0;
  std::uint64_t slow_still_open = 0;
  // Limits.
  std::uint64_t nofile_hard = 0;
  bool nofile_bound = false;    // the open-file hard limit stopped the run
  std::string first_error;
};

std::string format_table(const Results& r);
std::string format_json(const Results& r);

}  // namespace chatd::loadgen
