#include "counters.hpp"

#include <algorithm>

namespace chatd::loadgen {

void Counters::merge(const Counters& o) {
  connects_started += o.connects_started;
  connected += o.connected;
  joined += o.joined;
  connect_errors += o.connect_errors;
  register_errors += o.register_errors;
  join_errors += o.join_errors;
  closed_unexpected += o.closed_unexpected;
  emfile += o.emfile;
  sent += o.sent;
  sent_measured += o.sent_measured;
  expected += o.expected;
  received += o.received;
  duplicated += o.duplicated;
  out_of_order += o.out_of_order;
  gaps += o.gaps;
  foreign += o.foreign;
  late += o.late;
  last_delivery_ns = std::max(last_delivery_ns, o.last_delivery_ns);
  slow_members += o.slow_members;
  slow_disconnected += o.slow_disconnected;
  churn_started += o.churn_started;
  churn_completed += o.churn_completed;
  churn_errors += o.churn_errors;
  churn_received += o.churn_received;
  publish_acks += o.publish_acks;
}

Outcome evaluate(const Counters& c) {
  Outcome o;
  o.unique_received = c.received >= c.duplicated ? c.received - c.duplicated : 0;
  o.lost = c.expected > o.unique_received ? c.expected - o.unique_received : 0;
  o.surplus = o.unique_received > c.expected ? o.unique_received - c.expected : 0;
  o.errors = c.connect_errors + c.register_errors + c.join_errors + c.closed_unexpected +
             c.churn_errors;
  o.ok = o.lost == 0 && o.surplus == 0 && c.duplicated == 0 && c.out_of_order == 0 &&
         o.errors == 0 && c.foreign == 0;
  return o;
}

}  // namespace chatd::loadgen
