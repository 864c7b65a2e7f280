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
  auto r = fmt::format_to_n(out, sizeof out, "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}Z", tm.tm_year + 1900,
                            tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, us);
  return std::min(r.size, sizeof out);
}

}  // namespace sg
