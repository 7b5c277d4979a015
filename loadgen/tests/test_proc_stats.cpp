#include <doctest/doctest.h>

#include "address.hpp"
#include "proc_stats.hpp"

using namespace chatd::loadgen;

TEST_CASE("utime + stime from /proc/PID/stat, odd command names included") {
  const std::string stat =
      "1234 (chat d) (x) S 1 1234 1234 0 -1 4194560 100 0 0 0 250 75 0 0 20 0 3 0 100 1000000 500 "
      "18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0";
  CHECK(parse_stat_cpu_ticks(stat) == 325u);
  CHECK_FALSE(parse_stat_cpu_ticks("garbage"));
  CHECK_FALSE(parse_stat_cpu_ticks("1 (x) S 1 2"));
}

TEST_CASE("VmRSS from /proc/PID/status") {
  const std::string status = "Name:\tchatd\nVmPeak:\t  9000 kB\nVmRSS:\t    4321 kB\nThreads:\t3\n";
  CHECK(parse_status_kib(status, "VmRSS") == 4321u);
  CHECK(parse_status_kib(status, "Threads") == 3u);
  CHECK_FALSE(parse_status_kib(status, "VmSwap"));
}

TEST_CASE("source ranges") {
  const auto r = parse_source_range("127.0.0.2-127.0.0.254");
  REQUIRE(r);
  CHECK(r->size() == 253);
  CHECK(ntohl(r->at(0).sin_addr.s_addr) == 0x7f000002u);
  CHECK(ntohl(r->at(253).sin_addr.s_addr) == 0x7f000002u);
  CHECK(parse_source_range("10.0.0.1")->size() == 1);
  CHECK_FALSE(parse_source_range("127.0.0.9-127.0.0.2"));
  CHECK_FALSE(parse_source_range("nope"));
  CHECK(make_endpoint("127.0.0.1", 6789));
  CHECK(make_endpoint("::1", 6789));
  CHECK_FALSE(make_endpoint("localhost", 6789));
}
