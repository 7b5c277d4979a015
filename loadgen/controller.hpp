#pragma once
// Runs one scenario: starts the workers, walks them through the phases,
// samples the server, and renders the results.
#include "options.hpp"

namespace chatd::loadgen {

// Returns the process exit status: 0 when nothing was lost, duplicated,
// reordered or errored; 1 otherwise; 2 for a run that could not start.
int run_scenario(const Config& cfg);

}  // namespace chatd::loadgen
