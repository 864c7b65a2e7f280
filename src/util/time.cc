#include "util/time.h"

#include <fmt/format.h>

#include <chrono>
#include <ctime>

namespace sg {

std::string now_ts() {
  using namespace std::chrono;
  return format_ts(duration_cast<microseconds>(system_clock::now().time_since_epoch()).count());
}

std::string format_ts(int64_t ts_us) {
  int64_t sec = ts_us / 1000000, us = ts_us % 1000000;
  if (us < 0) {
    us += 1000000;
    --sec;
  }
  time_t t = static_cast<time_t>(sec);
  struct tm tm {};
  gmtime_r(&t, &tm);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}Z", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                     tm.tm_hour, tm.tm_min, tm.tm_sec, us);
}

}  // namespace sg
