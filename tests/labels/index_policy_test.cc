#include <gtest/gtest.h>

#include "label_fixtures.h"

namespace sg::labels {
namespace {

using test::day;

class IndexTest : public ::testing::Test {
 protected:
  void add(const std::string& prefix, const std::string& org, const std::string& source,
           const std::string& period = "current") {
    Entry e;
    ASSERT_TRUE(parse_cidr(prefix, e.prefix)) << prefix;
    e.org = index.intern_org(org);
    e.source = index.intern_source(source);
    e.period = *parse_period(period);
    index.add(e);
  }
  // "org" when labelled, "conflict"/"too_weak"/"-" otherwise.
  std::string label(const std::string& ip, const std::string& at, Policy p = {}) {
    IpAddr a;
    EXPECT_TRUE(parse_ip(ip, a));
    index.covering(a, day(at), cover);
    Decision d = decide(cover, p);
    if (d.verdict == Verdict::labelled) return index.org(d.org);
    return d.verdict == Verdict::none ? "-" : to_string(d.verdict);
  }
  PrefixIndex index;
  std::vector<const Entry*> cover;
};

TEST_F(IndexTest, LongestPrefixWinsIPv4AndIPv6) {
  add("198.51.0.0/21", "wide", "s1");
  add("198.51.4.0/24", "middle", "s1");
  add("198.51.4.77/32", "host", "s2");
  add("2001:db8::/32", "wide6", "s1");
  add("2001:db8:0:1::/64", "narrow6", "s1");
  index.build();
  EXPECT_EQ(label("198.51.4.77", "2024-01-01"), "host");
  EXPECT_EQ(label("198.51.4.78", "2024-01-01"), "middle");
  EXPECT_EQ(label("198.51.7.1", "2024-01-01"), "wide");
  EXPECT_EQ(label("198.51.8.1", "2024-01-01"), "-");
  EXPECT_EQ(label("10.0.0.1", "2024-01-01"), "-");
  EXPECT_EQ(label("2001:db8:0:1::5", "2024-01-01"), "narrow6");
  EXPECT_EQ(label("2001:db8:ffff::1", "2024-01-01"), "wide6");
  EXPECT_EQ(label("2001:db9::1", "2024-01-01"), "-");
  EXPECT_EQ(label("::ffff:198.51.4.77", "2024-01-01"), "-");  // families never mix
}

TEST_F(IndexTest, PeriodsKeepReusedAddressesApart) {
  // Labels hold for their period: a cloud address used by a lab in 2020 was a Stretchoid scanner in 2023.
  add("159.203.208.13/32", "some_lab", "old-list", "2020");
  add("159.203.208.13/32", "stretchoid", "nict", "2023");
  add("159.203.208.14/32", "shodan", "nict", "2024_2Q");
  add("159.203.208.15/32", "censys", "sd", "2024-12-01..2025-03-31");
  index.build();
  EXPECT_EQ(label("159.203.208.13", "2020-06-01"), "some_lab");
  EXPECT_EQ(label("159.203.208.13", "2023-07-08"), "stretchoid");
  EXPECT_EQ(label("159.203.208.13", "2022-01-01"), "-");
  EXPECT_EQ(label("159.203.208.14", "2024-05-31"), "shodan");
  EXPECT_EQ(label("159.203.208.14", "2024-07-01"), "-");
  EXPECT_EQ(label("159.203.208.15", "2025-03-31"), "censys");
  EXPECT_EQ(label("159.203.208.15", "2025-04-01"), "-");
}

TEST_F(IndexTest, ConflictsAtTheSamePrefixAreNotResolved) {
  add("203.0.113.0/24", "alpha", "listA");
  add("203.0.113.0/24", "beta", "listB");
  add("203.0.113.9/32", "alpha", "listC");
  index.build();
  EXPECT_EQ(label("203.0.113.1", "2024-01-01"), "conflict");
  EXPECT_EQ(label("203.0.113.9", "2024-01-01"), "alpha");  // one narrow entry decides under lpm
  ConflictReport r = find_conflicts(index, 10);
  EXPECT_EQ(r.same_prefix, 1u);
  EXPECT_EQ(r.nested, 1u);  // beta /24 vs alpha /32
  ASSERT_EQ(r.listed.size(), 2u);
  EXPECT_TRUE(r.listed[0].same_prefix());
  std::set<std::string> sources{index.source(r.listed[0].wide->source), index.source(r.listed[0].narrow->source)};
  EXPECT_EQ(sources, (std::set<std::string>{"listA", "listB"}));
}

TEST_F(IndexTest, ConflictsOnlyWhenPeriodsOverlap) {
  add("203.0.113.0/24", "alpha", "listA", "2023");
  add("203.0.113.0/24", "beta", "listB", "2024");
  index.build();
  EXPECT_EQ(find_conflicts(index, 10).same_prefix, 0u);
  EXPECT_EQ(label("203.0.113.1", "2023-05-05"), "alpha");
  EXPECT_EQ(label("203.0.113.1", "2024-05-05"), "beta");
}

TEST_F(IndexTest, PoliciesAgreeAndNarrowOrAgree) {
  add("192.0.2.0/24", "alpha", "listA");    // one source, narrow
  add("198.51.100.0/22", "beta", "listA");  // one source, wide
  add("198.51.100.0/22", "beta", "listB");  // ... a second source
  add("203.0.112.0/22", "gamma", "listA");  // one source, wide
  index.build();
  Policy agree = *parse_policy("agree");
  Policy narrow_or_agree = *parse_policy("narrow-or-agree");
  EXPECT_EQ(label("192.0.2.1", "2024-01-01", agree), "too_weak");
  EXPECT_EQ(label("192.0.2.1", "2024-01-01", narrow_or_agree), "alpha");
  EXPECT_EQ(label("198.51.100.1", "2024-01-01", agree), "beta");
  EXPECT_EQ(label("203.0.112.1", "2024-01-01", narrow_or_agree), "too_weak");
  EXPECT_EQ(label("203.0.112.1", "2024-01-01"), "gamma");
  EXPECT_EQ(label("198.51.100.1", "2024-01-01", *parse_policy("agree:3")), "too_weak");
  EXPECT_FALSE(parse_policy("vote"));
  EXPECT_FALSE(parse_policy("agree:0"));
  EXPECT_EQ(to_string(*parse_policy("agree:3")), "agree:3");
}

TEST_F(IndexTest, UnbuiltIndexFindsNothing) {
  add("192.0.2.0/24", "alpha", "listA");
  EXPECT_EQ(label("192.0.2.1", "2024-01-01"), "-");
}

TEST_F(IndexTest, ExplainGivesTheVerdictItsSourcesAndEveryCoveringEntry) {
  add("198.51.4.0/24", "censys", "nict", "2024");
  add("198.51.4.77/32", "censys", "selfdeploy", "2024");
  add("198.51.4.77/32", "censys", "abuse", "2020");  // not valid in 2024: listed, not a source
  add("203.0.113.0/24", "shodan", "a");
  add("203.0.113.0/24", "censys", "b");
  index.build();
  IpAddr ip;
  ASSERT_TRUE(parse_ip("198.51.4.77", ip));
  LabelAnswer plain = explain(index, ip, day("2024-05-01"), Policy{}, false);
  EXPECT_EQ(plain.verdict, Verdict::labelled);
  ASSERT_TRUE(plain.org);
  EXPECT_EQ(*plain.org, "censys");
  EXPECT_EQ(plain.at, "2024-05-01");
  EXPECT_EQ(plain.sources, "nict+selfdeploy");  // sorted, only entries valid then
  EXPECT_TRUE(plain.entries.empty());

  LabelAnswer full = explain(index, ip, day("2024-05-01"), Policy{}, true);
  ASSERT_EQ(full.entries.size(), 3u);
  size_t invalid = 0;
  for (const auto& e : full.entries) {
    EXPECT_EQ(e.org, "censys");
    if (!e.valid_then) {
      ++invalid;
      EXPECT_EQ(e.source, "abuse");
      EXPECT_EQ(e.prefix, "198.51.4.77/32");
    }
  }
  EXPECT_EQ(invalid, 1u);

  ASSERT_TRUE(parse_ip("203.0.113.9", ip));
  LabelAnswer clash = explain(index, ip, day("2024-05-01"), Policy{}, false);
  EXPECT_EQ(clash.verdict, Verdict::conflict);
  EXPECT_FALSE(clash.org);
  EXPECT_NE(clash.sources.find(" vs "), std::string::npos);  // the organisations in conflict, not sources

  ASSERT_TRUE(parse_ip("192.0.2.1", ip));
  LabelAnswer none = explain(index, ip, day("2024-05-01"), Policy{}, true);
  EXPECT_EQ(none.verdict, Verdict::none);
  EXPECT_TRUE(none.sources.empty());
  EXPECT_TRUE(none.entries.empty());
}

}  // namespace
}  // namespace sg::labels
