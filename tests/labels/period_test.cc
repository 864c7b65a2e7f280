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

}  // namespace
}  // namespace sg::labels
