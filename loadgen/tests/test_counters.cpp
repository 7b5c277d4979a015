#include <doctest/doctest.h>

#include "counters.hpp"

using namespace chatd::loadgen;

TEST_CASE("clean run is ok") {
  Counters c;
  c.expected = 100;
  c.received = 100;
  const Outcome o = evaluate(c);
  CHECK(o.ok);
  CHECK(o.lost == 0);
}

TEST_CASE("duplicates do not hide losses") {
  Counters c;
  c.expected = 100;
  c.received = 100;
  c.duplicated = 3;
  const Outcome o = evaluate(c);
  CHECK(o.unique_received == 97);
  CHECK(o.lost == 3);
  CHECK_FALSE(o.ok);
}

TEST_CASE("errors, reordering and surplus fail a run") {
  Counters c;
  c.connect_errors = 1;
  CHECK_FALSE(evaluate(c).ok);
  Counters d;
  d.out_of_order = 1;
  CHECK_FALSE(evaluate(d).ok);
  Counters e;
  e.expected = 1;
  e.received = 2;
  CHECK(evaluate(e).surplus == 1);
  CHECK_FALSE(evaluate(e).ok);
}

TEST_CASE("merge sums and keeps the latest delivery") {
  Counters a, b;
  a.sent = 1;
  a.last_delivery_ns = 5;
  b.sent = 2;
  b.last_delivery_ns = 9;
  b.slow_disconnected = 4;
  a.merge(b);
  CHECK(a.sent == 3);
  CHECK(a.last_delivery_ns == 9);
  CHECK(a.slow_disconnected == 4);
}
