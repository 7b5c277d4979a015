#include "plan.hpp"

#include <cmath>

namespace chatd::loadgen {

bool Plan::is_slow(std::uint32_t id) const {
  if (cfg->scenario != Scenario::Slow || cfg->slow_share <= 0) return false;
  const double share = cfg->slow_share;
  const double p = position_of(id);
  return std::floor((p + 1) * share) != std::floor(p * share);
}

bool Plan::sends_messages() const {
  switch (cfg->scenario) {
    case Scenario::Report:
    case Scenario::Fanout:
    case Scenario::Churn:
    case Scenario::Slow:
      return true;
    default:
      return false;
  }
}

}  // namespace chatd::loadgen
