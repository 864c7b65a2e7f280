#include <gtest/gtest.h>

#include "label_fixtures.h"

namespace sg::labels {
namespace {

using test::day;

TEST(Period, YearQuarterMonthAndRanges) {
  auto y = parse_period("2024");
  ASSERT_TRUE(y);
  EXPECT_EQ(y->from_us, day("2024-01-01"));
  EXPECT_EQ(y->to_us, day("2025-01-01"));

  auto q = parse_period("2025_4Q");
  ASSERT_TRUE(q);
  EXPECT_EQ(q->from_us, day("2025-10-01"));
  EXPECT_EQ(q->to_us, day("2026-01-01"));
  EXPECT_EQ(parse_period("2024-Q2")->from_us, day("2024-04-01"));

  auto m = parse_period("2021-05");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->from_us, day("2021-05-01"));
  EXPECT_EQ(m->to_us, day("2021-06-01"));

  auto mr = parse_period("2021-03/05");
  ASSERT_TRUE(mr);
  EXPECT_EQ(mr->from_us, day("2021-03-01"));
  EXPECT_EQ(mr->to_us, day("2021-06-01"));

  auto r = parse_period("2024-12-01..2025-03-31");
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->holds_at(day("2025-03-31") + 1));
  EXPECT_FALSE(r->holds_at(day("2025-04-01")));
  EXPECT_FALSE(r->holds_at(day("2024-11-30")));
  EXPECT_EQ(format_period(*r), "2024-12-01..2025-03-31");

  auto open = parse_period("2024-06-01..");
  ASSERT_TRUE(open);
  EXPECT_EQ(open->to_us, Period::kMax);
}

TEST(Period, CurrentHoldsAtAnyTime) {
  auto c = parse_period("current");
  ASSERT_TRUE(c);
  EXPECT_TRUE(c->undated());
  EXPECT_TRUE(c->holds_at(day("1999-01-01")));
  EXPECT_EQ(format_period(*c), "current");
}

TEST(Period, RejectsGarbage) {
  for (const char* bad : {"2024_5Q", "2024-13", "2024-02-30", "2025-03-01..2024-01-01", "soon", "20245", "2021-05/03"})
    EXPECT_FALSE(parse_period(bad)) << bad;
}

TEST(Period, CalendarDaysAreEpochDays) {
  constexpr int64_t kDay = 86400LL * 1000000LL;
  EXPECT_EQ(day_start_us(1970, 1, 1), 0);
  EXPECT_EQ(day_start_us(1969, 12, 31), -kDay);
  EXPECT_EQ(day_start_us(2000, 3, 1), 11017 * kDay);  // date -d 2000-03-01 +%s = 951868800
  EXPECT_EQ(day_start_us(2024, 2, 29), 19782 * kDay);
  EXPECT_TRUE(day_start_us(2000, 2, 29));
  EXPECT_FALSE(day_start_us(2100, 2, 29));  // not a leap year: divisible by 100, not by 400
  EXPECT_FALSE(day_start_us(2023, 2, 29));
  EXPECT_FALSE(day_start_us(2024, 4, 31));
  EXPECT_FALSE(day_start_us(1899, 12, 31));
  EXPECT_EQ(format_period(Period{-kDay, 0}), "1969-12-31..1969-12-31");
  EXPECT_EQ(format_period(Period{*day_start_us(2024, 2, 29), *day_start_us(2024, 3, 2)}), "2024-02-29..2024-03-01");
}

}  // namespace
}  // namespace sg::labels
