#include "labels/period.h"

#include <fmt/format.h>

#include <charconv>
#include <chrono>
#include <regex>

namespace sg::labels {

namespace {

constexpr int64_t kDayUs = 86400LL * 1000000LL;

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
  using namespace std::chrono;
  if (year < 1900 || year > 9999 || month < 1 || month > 12 || day < 1) return std::nullopt;
  const year_month_day date{std::chrono::year{year}, std::chrono::month{static_cast<unsigned>(month)},
                            std::chrono::day{static_cast<unsigned>(day)}};
  if (!date.ok()) return std::nullopt;  // 30 February, 29 February outside leap years, 31 April
  return sys_days{date}.time_since_epoch().count() * kDayUs;
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
    using namespace std::chrono;
    const year_month_day date{sys_days{days{us >= 0 ? us / kDayUs : (us - kDayUs + 1) / kDayUs}}};
    return fmt::format("{:04}-{:02}-{:02}", static_cast<int>(date.year()), static_cast<unsigned>(date.month()),
                       static_cast<unsigned>(date.day()));
  };
  std::string from = p.from_us == Period::kMin ? "" : day(p.from_us);
  std::string to = p.to_us == Period::kMax ? "" : day(p.to_us - 1);
  return from + ".." + to;
}

}  // namespace sg::labels
