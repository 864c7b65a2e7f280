// Validity periods of label entries. Lists go stale and addresses change hands, so an entry holds only
// for the time its source saw it; `current` (a list's present state, date unknown) holds at any time.
#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <string>

namespace sg::labels {

struct Period {
  static constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
  static constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  int64_t from_us = kMin;  // inclusive
  int64_t to_us = kMax;    // exclusive
  bool undated() const { return from_us == kMin && to_us == kMax; }
  bool holds_at(int64_t t_us) const { return t_us >= from_us && t_us < to_us; }
  bool overlaps(const Period& o) const { return from_us < o.to_us && o.from_us < to_us; }
};

// Accepted forms: `current` (or empty); `2024` (year); `2024_1Q` or `2024-Q1` (quarter); `2021-05` (month);
// `2021-03/05` (months 3..5 of a year); `2024-12-01` (a day); `A..B` or `A/B` with A, B days (inclusive,
// either side may be empty for an open end). nullopt on anything else.
std::optional<Period> parse_period(const std::string& text);

// Back to the text form (`current`, or `YYYY-MM-DD..YYYY-MM-DD` with the inclusive last day).
std::string format_period(const Period& p);

// Microseconds since the epoch of UTC midnight of a civil date; nullopt when the date does not exist.
std::optional<int64_t> day_start_us(int year, int month, int day);

// "YYYY-MM-DD" or "YYYY-MM-DDTHH:MM:SS[.ffffff]Z"; nullopt on anything else.
std::optional<int64_t> parse_time_us(const std::string& text);

}  // namespace sg::labels
