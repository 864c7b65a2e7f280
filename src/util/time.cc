#include "util/time.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <ctime>

namespace sg {

std::string now_ts() {
  using namespace std::chrono;
  return format_ts(duration_cast<microseconds>(system_clock::now().time_since_epoch()).count());
}

std::string format_ts(int64_t ts_us) {
  char buf[kTsBufSize];
  return std::string(buf, format_ts(ts_us, buf));
}

size_t format_ts(int64_t ts_us, char (&out)[kTsBufSize]) {
  int64_t sec = ts_us / 1000000, us = ts_us % 1000000;
  if (us < 0) {
    us += 1000000;
    --sec;
  }
  // Probes come in capture order, so most share the second of the one before: its broken-down time is kept.
  thread_local int64_t cached_sec = INT64_MIN;
  thread_local struct tm tm {};
  if (sec != cached_sec) {
    time_t t = static_cast<time_t>(sec);
    tm = {};
    gmtime_r(&t, &tm);
    cached_sec = sec;
  }
  const int year = tm.tm_year + 1900;
  if (year < 0 || year > 9999) {  // outside what four digits hold: fmt writes the sign and the width
    auto r = fmt::format_to_n(out, sizeof out, "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}Z", year, tm.tm_mon + 1,
                              tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, us);
    return std::min(r.size, sizeof out);
  }
  // The common case by hand, digit by digit: fmt's format-string parsing was ~4% of `extract`.
  auto digits = [&out](size_t at, int64_t v, int n) {
    for (int i = n - 1; i >= 0; --i, v /= 10) out[at + static_cast<size_t>(i)] = static_cast<char>('0' + v % 10);
  };
  digits(0, year, 4);
  out[4] = '-';
  digits(5, tm.tm_mon + 1, 2);
  out[7] = '-';
  digits(8, tm.tm_mday, 2);
  out[10] = 'T';
  digits(11, tm.tm_hour, 2);
  out[13] = ':';
  digits(14, tm.tm_min, 2);
  out[16] = ':';
  digits(17, tm.tm_sec, 2);
  out[19] = '.';
  digits(20, us, 6);
  out[26] = 'Z';
  return 27;
}

}  // namespace sg
