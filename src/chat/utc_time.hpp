#pragma once
// Calendar date and time of day, UTC, from milliseconds since the Unix
// epoch: pure arithmetic, no time zone database, no localtime (the chat
// layer has no clock and no environment). For the dialects' timestamps.
#include <cstdint>

namespace chatd::chat {

struct UtcTime {
  std::int64_t year;
  unsigned month;   // 1..12
  unsigned day;     // 1..31
  unsigned hour;    // 0..23
  unsigned minute;  // 0..59
};

// Any ms, negative ones (before 1970) included; proleptic Gregorian.
UtcTime utc_time(std::int64_t ms_since_epoch);

}  // namespace chatd::chat
