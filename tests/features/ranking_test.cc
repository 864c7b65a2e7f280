// Mutual information against hand-computed values, and the ranking's flagging of per-probe random fields.
#include <gtest/gtest.h>

#include <cmath>

#include "export/json.h"
#include "feature_fixtures.h"

using namespace sg;
using namespace sg::features;

TEST(MutualInformation, HandComputed) {
  // X determines Y over two equally likely values: I = H(Y) = ln 2.
  ContingencyTable t;
  t.add(1, 0, 2);
  t.add(2, 1, 2);
  EXPECT_NEAR(t.mutual_information(), std::log(2.0), 1e-12);
  EXPECT_NEAR(t.entropy_y(), std::log(2.0), 1e-12);

  // counts (a,y0)=2 (a,y1)=1 (b,y1)=1, n=4; p(a)=3/4 p(b)=1/4 p(y0)=p(y1)=1/2:
  // I = 2/4 ln((2/4)/(3/4·1/2)) + 1/4 ln((1/4)/(3/4·1/2)) + 1/4 ln((1/4)/(1/4·1/2))
  //   = 0.5 ln(4/3) + 0.25 ln(2/3) + 0.25 ln 2 = 0.2157615543...
  ContingencyTable u;
  u.add(10, 0, 2);
  u.add(10, 1, 1);
  u.add(20, 1, 1);
  EXPECT_NEAR(u.mutual_information(), 0.5 * std::log(4.0 / 3) + 0.25 * std::log(2.0 / 3) + 0.25 * std::log(2.0), 1e-12);
  EXPECT_NEAR(u.mutual_information(), 0.2157615543, 1e-9);
  EXPECT_EQ(u.total(), 4u);
  EXPECT_EQ(u.distinct_x(), 2u);

  // Independent: 0.
  ContingencyTable v;
  for (uint64_t x : {1, 2})
    for (uint32_t y : {0u, 1u}) v.add(x, y, 5);
  EXPECT_NEAR(v.mutual_information(), 0, 1e-12);
  EXPECT_EQ(ContingencyTable().mutual_information(), 0);
}

namespace {

// Two orgs with their own cipher lists, and a TLS random that is new in every probe.
Ranking rank_two_orgs(int per_org) {
  FieldRanker ranker(Service::tls);
  ProbeDoc d;
  for (int i = 0; i < 2 * per_org; ++i) {
    bool a = i % 2 == 0;
    Probe p = sgtest::tls_probe(sgtest::kT0 + i, "198.51.100.1",
                                a ? std::vector<uint16_t>{4865, 4866} : std::vector<uint16_t>{49195}, uint32_t(i + 1));
    if (i % 4 == 1) p.tls->session_id.clear();  // some clients send none
    EXPECT_TRUE(d.parse(probe_to_jsonl(p)));
    ranker.add(d, a ? "org-a" : "org-b");
  }
  return ranker.finish({});
}

const FieldRank& get(const Ranking& r, const std::string& name) {
  for (const FieldRank& f : r.fields)
    if (f.field == name) return f;
  throw std::runtime_error("no field " + name);
}

}  // namespace

TEST(Ranking, FlagsPerProbeRandomFields) {
  Ranking r = rank_two_orgs(50);
  EXPECT_EQ(r.probes, 100u);
  EXPECT_EQ(r.orgs, 2u);
  EXPECT_NEAR(r.h_org, std::log(2.0), 1e-12);
  // The random fields reach H(org) too, only because every value is unique; they are flagged.
  for (const char* f : {"random", "gmt_unix_time", "session_id"}) {
    EXPECT_TRUE(get(r, f).random) << f;
    EXPECT_NEAR(get(r, f).mi, std::log(2.0), 1e-9) << f;
  }
  EXPECT_EQ(get(r, "session_id").present, 75u);  // absent ones are not counted as values
  EXPECT_DOUBLE_EQ(get(r, "session_id").ratio, 1.0);
  const FieldRank& ciphers = get(r, "ciphers");
  EXPECT_FALSE(ciphers.random);
  EXPECT_NEAR(ciphers.mi, std::log(2.0), 1e-9);
  EXPECT_EQ(ciphers.distinct, 2u);
  EXPECT_DOUBLE_EQ(ciphers.ratio, 0.02);
  EXPECT_NEAR(get(r, "compression_methods").mi, 0, 1e-12);
  // MI descending, ties by name.
  for (size_t i = 1; i < r.fields.size(); ++i)
    EXPECT_TRUE(r.fields[i - 1].mi > r.fields[i].mi - 1e-12) << r.fields[i].field;

  SelectionRules rules;
  rules.top = 2;
  Ranking chosen = r;
  std::vector<std::string> sel = choose_fields(chosen, rules);
  EXPECT_EQ(sel, (std::vector<std::string>{"ciphers", "session_id_length"}));
  rules.keep_random = true;
  chosen = r;
  EXPECT_EQ(choose_fields(chosen, rules), (std::vector<std::string>{"ciphers", "gmt_unix_time"}));
}

TEST(Ranking, TooFewProbesSayNothingAboutRandomness) {
  Ranking r = rank_two_orgs(5);  // 10 probes, under random_min_present
  EXPECT_FALSE(get(r, "random").random);
}

TEST(Ranking, DnsKeepsHeaderFieldsAndQname) {
  FieldRanker ranker(Service::dns);
  ProbeDoc d;
  for (int i = 0; i < 40; ++i) {
    Probe p;
    p.service = Service::dns;
    DnsProbe q;
    q.id = uint16_t(i * 977);
    q.rd = i % 2;
    q.qname = i % 2 ? "a.example" : "version.bind";
    q.qtype = i % 2 ? 1 : 16;
    p.dns = q;
    ASSERT_TRUE(d.parse(probe_to_jsonl(p)));
    ranker.add(d, i % 2 ? "x" : "y");
  }
  Ranking r = ranker.finish({});
  EXPECT_TRUE(get(r, "id").random);
  std::vector<std::string> sel = choose_fields(r, {});
  EXPECT_EQ(sel, (std::vector<std::string>{"aa", "ad", "ancount", "arcount", "cd", "nscount", "opcode", "qdcount",
                                           "qname", "qr", "ra", "rcode", "rd", "tc", "z"}));
}
