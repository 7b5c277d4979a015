#include <doctest/doctest.h>

#include "shard/connection_log.hpp"

using chatd::shard::ConnectionLog;

TEST_CASE("ConnectionLog: off says no to everything") {
  ConnectionLog log(false, 10);
  CHECK_FALSE(log.admit(1000));
  CHECK(log.take_suppressed(5000) == 0);
}

TEST_CASE("ConnectionLog: at most per_second lines in a window, then a count of the rest") {
  ConnectionLog log(true, 3);
  for (int i = 0; i < 3; ++i) CHECK(log.admit(1000 + i));
  CHECK_FALSE(log.admit(1500));
  CHECK_FALSE(log.admit(1999));
  CHECK(log.take_suppressed(1999) == 0);  // the window is not over yet
  CHECK(log.take_suppressed(2000) == 2);
  CHECK(log.take_suppressed(2001) == 0);  // said once
  CHECK(log.admit(2000));                 // a new window
}
