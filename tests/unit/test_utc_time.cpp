// utc_time(): the civil date and time of day from ms since the epoch, by
// arithmetic only (checked against Python's datetime for these values).
#include <doctest/doctest.h>

#include <cstdint>

#include "chat/utc_time.hpp"

using chatd::chat::utc_time;
using chatd::chat::UtcTime;

namespace {

bool is(const UtcTime& t, std::int64_t y, unsigned mo, unsigned d, unsigned h, unsigned mi) {
  return t.year == y && t.month == mo && t.day == d && t.hour == h && t.minute == mi;
}

}  // namespace

TEST_CASE("utc_time: known instants") {
  CHECK(is(utc_time(0), 1970, 1, 1, 0, 0));
  CHECK(is(utc_time(59'999), 1970, 1, 1, 0, 0));
  CHECK(is(utc_time(60'000), 1970, 1, 1, 0, 1));
  CHECK(is(utc_time(1700000000000), 2023, 11, 14, 22, 13));
  CHECK(is(utc_time(1796220180000), 2026, 12, 2, 14, 3));
  CHECK(is(utc_time(1796133780000), 2026, 12, 1, 14, 3));
  CHECK(is(utc_time(2147483640000), 2038, 1, 19, 3, 14));
  CHECK(is(utc_time(253402300740000), 9999, 12, 31, 23, 59));
}

TEST_CASE("utc_time: leap days and century rules") {
  CHECK(is(utc_time(1709251140000), 2024, 2, 29, 23, 59));
  CHECK(is(utc_time(1709251140000 + 60'000), 2024, 3, 1, 0, 0));
  CHECK(is(utc_time(951782400000), 2000, 2, 29, 0, 0));    // divisible by 400: leap
  CHECK(is(utc_time(4107542400000), 2100, 3, 1, 0, 0));    // divisible by 100: not leap
  CHECK(is(utc_time(4107542400000 - 1), 2100, 2, 28, 23, 59));
}

TEST_CASE("utc_time: before the epoch rounds down, not toward zero") {
  CHECK(is(utc_time(-1), 1969, 12, 31, 23, 59));
  CHECK(is(utc_time(-60000), 1969, 12, 31, 23, 59));
  CHECK(is(utc_time(-60001), 1969, 12, 31, 23, 58));
  CHECK(is(utc_time(-2208988800000), 1900, 1, 1, 0, 0));
  CHECK(is(utc_time(-62135596800000), 1, 1, 1, 0, 0));
}

TEST_CASE("utc_time: every day of four years is consecutive") {
  // 2023-01-01 .. 2026-12-31, a day at a time: the date only ever moves on
  // by one day, months have their lengths, 2024 has its 29 February.
  constexpr std::int64_t kDay = 86'400'000;
  constexpr unsigned kMonthDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  std::int64_t ms = 1672531200000;  // 2023-01-01 00:00
  UtcTime prev = utc_time(ms + 12 * 3'600'000);
  int days = 1;
  int leap_days = 0;
  for (ms += kDay; ms < 1798761600000; ms += kDay, ++days) {  // < 2027-01-01
    const UtcTime t = utc_time(ms + 12 * 3'600'000);           // noon, same day
    const bool next_day = t.year == prev.year && t.month == prev.month && t.day == prev.day + 1;
    const bool next_month = t.year == prev.year && t.month == prev.month + 1 && t.day == 1;
    const bool next_year = t.year == prev.year + 1 && t.month == 1 && t.day == 1 && prev.month == 12;
    CHECK((next_day || next_month || next_year));
    if (!next_day) CHECK(prev.day == kMonthDays[prev.month - 1] + (prev.month == 2 && prev.year == 2024 ? 1 : 0));
    CHECK(t.hour == 12);
    if (t.month == 2 && t.day == 29) ++leap_days;
    prev = t;
  }
  CHECK(days == 4 * 365 + 1);
  CHECK(leap_days == 1);
}
