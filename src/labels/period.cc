#include "labels/period.h"

#include <fmt/format.h>

#include <charconv>
#include <regex>

namespace sg::labels {

namespace {

constexpr int64_t kDayUs = 86400LL * 1000000LL;

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

void civil_from_days(int64_t z, int& y, int& m, int& d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  y = static_cast<int>(yoe + era * 400 + (m <= 2));
}

int to_int(const std::string& s) {
  int v = 0;
  std::from_chars(s.data(), s.data() + s.size(), v);
  return v;
}

std::optional<Period> months(int year, int first, int last) {
  if (first < 1 || last > 12 || first > last) return std::nullopt;
  auto from = day_start_us(year, first, 1);
  auto to = last == 12 ? day_start_us(year + 1, 1, 1) : day_start_us(year, last + 1, 1);
  if (!from || !to) return std::nullopt;
  return Period{*from, *to};
}

}  // namespace

std::optional<int64_t> day_start_us(int year, int month, int day) {
  static const int kDays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (year < 1900 || year > 9999 || month < 1 || month > 12 || day < 1 || day > kDays[month - 1]) return std::nullopt;
  bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  if (month == 2 && day == 29 && !leap) return std::nullopt;
  return days_from_civil(year, static_cast<unsigned>(month), static_cast<unsigned>(day)) * kDayUs;
}

std::optional<int64_t> parse_time_us(const std::string& text) {
  if (text.size() > 32) return std::nullopt;  // std::regex recursion grows with input: keep hostile text out
  static const std::regex re(R"((\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?Z?)?)");
  std::smatch m;
  if (!std::regex_match(text, m, re)) return std::nullopt;
  auto day = day_start_us(to_int(m[1]), to_int(m[2]), to_int(m[3]));
  if (!day) return std::nullopt;
  if (!m[4].matched) return day;
  int hh = to_int(m[4]), mm = to_int(m[5]), ss = to_int(m[6]);
  if (hh > 23 || mm > 59 || ss > 60) return std::nullopt;
  int64_t frac = 0;
  if (m[7].matched) {
    std::string f = m[7].str();
    f.resize(6, '0');
    frac = to_int(f);
  }
  return *day + ((hh * 60LL + mm) * 60 + ss) * 1000000LL + frac;
}

std::optional<Period> parse_period(const std::string& text) {
  static const std::regex year(R"((\d{4}))"), quarter(R"((\d{4})[_-]([1-4])Q|(\d{4})[_-]Q([1-4]))"),
      month(R"((\d{4})-(\d{2}))"), month_range(R"((\d{4})-(\d{2})/(\d{2}))"),
      range(R"((\d{4}-\d{2}-\d{2})?(?:\.\.|/)(\d{4}-\d{2}-\d{2})?)");
  std::smatch m;
  if (text.empty() || text == "current") return Period{};
  if (text.size() > 32) return std::nullopt;
  if (std::regex_match(text, m, year)) return months(to_int(m[1]), 1, 12);
  if (std::regex_match(text, m, quarter)) {
    int y = to_int(m[1].matched ? m[1] : m[3]), q = to_int(m[2].matched ? m[2] : m[4]);
    return months(y, q * 3 - 2, q * 3);
  }
  if (std::regex_match(text, m, month)) return months(to_int(m[1]), to_int(m[2]), to_int(m[2]));
  if (std::regex_match(text, m, month_range)) return months(to_int(m[1]), to_int(m[2]), to_int(m[3]));
  if (auto day = parse_time_us(text); day && text.size() == 10) return Period{*day, *day + kDayUs};
  if (std::regex_match(text, m, range) && (m[1].matched || m[2].matched)) {
    Period p;
    if (m[1].matched) {
      auto from = parse_time_us(m[1]);
      if (!from) return std::nullopt;
      p.from_us = *from;
    }
    if (m[2].matched) {
      auto last = parse_time_us(m[2]);
      if (!last) return std::nullopt;
      p.to_us = *last + kDayUs;
    }
    if (p.from_us >= p.to_us) return std::nullopt;
    return p;
  }
  return std::nullopt;
}

std::string format_period(const Period& p) {
  if (p.undated()) return "current";
  auto day = [](int64_t us) {
    int y, m, d;
    civil_from_days(us >= 0 ? us / kDayUs : (us - kDayUs + 1) / kDayUs, y, m, d);
    return fmt::format("{:04}-{:02}-{:02}", y, m, d);
  };
  std::string from = p.from_us == Period::kMin ? "" : day(p.from_us);
  std::string to = p.to_us == Period::kMax ? "" : day(p.to_us - 1);
  return from + ".." + to;
}

}  // namespace sg::labels
