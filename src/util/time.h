// Time as text: RFC 3339 UTC with microseconds, the one form every table, export and log line uses.
#pragma once

#include <cstdint>
#include <string>

namespace sg {

// 2023-07-03T10:11:12.000123Z
std::string format_ts(int64_t ts_us);
// The same text into a caller's buffer, without a heap string (the per-probe export); returns its length.
inline constexpr size_t kTsBufSize = 64;
size_t format_ts(int64_t ts_us, char (&out)[kTsBufSize]);
// The wall clock now, in the same form (when a row was written).
std::string now_ts();

}  // namespace sg
