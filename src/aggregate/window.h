// Time windows of the weekly update (README, Long-term operation). A window is [start, start + length); windows are
// aligned on an anchor so that every stage (vote, database rows, evaluation) agrees on where a week begins.
// The default anchor is a Monday 00:00 UTC; the paper's datasets use weeks starting 16:00 UTC (midnight in
// Beijing), which an anchor such as 2024-12-09T16:00:00Z reproduces.
#pragma once

#include <cstdint>
#include <utility>

namespace sg::aggregate {

inline constexpr int64_t kWeekUs = 7LL * 24 * 3600 * 1000000;
inline constexpr int64_t kDefaultAnchorUs = 4LL * 24 * 3600 * 1000000;  // 1970-01-05T00:00Z, a Monday

struct Windows {
  int64_t anchor_us = kDefaultAnchorUs;
  int64_t length_us = kWeekUs;

  int64_t start_of(int64_t ts_us) const {
    int64_t d = ts_us - anchor_us;
    int64_t k = d >= 0 ? d / length_us : -((-d + length_us - 1) / length_us);
    return anchor_us + k * length_us;
  }
  int64_t end_of(int64_t ts_us) const { return start_of(ts_us) + length_us; }
};

// [from, to) widened to whole windows (a `to` on a window start stays: the range is end-exclusive).
inline std::pair<int64_t, int64_t> whole_windows(const Windows& w, int64_t from_us, int64_t to_us) {
  int64_t to = w.start_of(to_us) == to_us ? to_us : w.end_of(to_us);
  return {w.start_of(from_us), to};
}

}  // namespace sg::aggregate
