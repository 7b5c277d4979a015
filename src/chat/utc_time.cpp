#include "chat/utc_time.hpp"

namespace chatd::chat {
namespace {

constexpr std::int64_t kMsPerMinute = 60'000;
constexpr std::int64_t kMinutesPerDay = 24 * 60;

// Floor division: -1 ms is 1969-12-31 23:59, not 1970-01-01.
constexpr std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  const std::int64_t q = a / b;
  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

}  // namespace

// Days to a civil date: Howard Hinnant's civil_from_days
// (https://howardhinnant.github.io/date_algorithms.html), which counts in
// 400-year eras of 146097 days starting on 0000-03-01, so that the leap day
// is the last day of its year.
UtcTime utc_time(std::int64_t ms) {
  const std::int64_t minutes = floor_div(ms, kMsPerMinute);
  const std::int64_t days = floor_div(minutes, kMinutesPerDay);
  const std::int64_t minute_of_day = minutes - days * kMinutesPerDay;

  const std::int64_t z = days + 719468;  // days since 0000-03-01
  const std::int64_t era = floor_div(z, 146097);
  const std::int64_t doe = z - era * 146097;                                   // [0, 146096]
  const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;  // [0, 399]
  const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);           // [0, 365]
  const std::int64_t mp = (5 * doy + 2) / 153;                                 // [0, 11], March = 0
  const std::int64_t day = doy - (153 * mp + 2) / 5 + 1;                       // [1, 31]
  const std::int64_t month = mp < 10 ? mp + 3 : mp - 9;                        // [1, 12]
  const std::int64_t year = yoe + era * 400 + (month <= 2 ? 1 : 0);

  return UtcTime{
      .year = year,
      .month = static_cast<unsigned>(month),
      .day = static_cast<unsigned>(day),
      .hour = static_cast<unsigned>(minute_of_day / 60),
      .minute = static_cast<unsigned>(minute_of_day % 60),
  };
}

}  // namespace chatd::chat
