#include <gtest/gtest.h>

#include <set>

#include "aggregate/metrics.h"
#include "aggregate/threshold.h"
#include "aggregate/vote.h"
#include "aggregate/window.h"

namespace sg::aggregate {
namespace {

TEST(Vote, MajorityTieGoesToKnownThenLowestId) {
  const int unknown = 4;
  EXPECT_EQ(majority({2, 2, 1}, unknown), 2);
  EXPECT_EQ(majority({unknown, 3}, unknown), 3);     // known over unknown on a tie
  EXPECT_EQ(majority({3, unknown, 1}, unknown), 1);  // three-way tie: lowest known id
  EXPECT_EQ(majority({unknown, unknown, 0}, unknown), unknown);
  EXPECT_EQ(majority({}, unknown), -1);
}

TEST(Vote, GroupsByWindowAndIpPerService) {
  std::vector<ProbeOutcome> o = {
      {"10.0.0.1", 0, 100, 1}, {"10.0.0.1", 0, 100, 1}, {"10.0.0.1", 0, 100, 2},
      {"10.0.0.1", 2, 100, 0}, {"10.0.0.1", 0, 200, 2}, {"10.0.0.2", 1, 100, 3},
  };
  auto rows = vote(o, 3);
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0].ip, "10.0.0.1");
  EXPECT_EQ(rows[0].window, 100);
  EXPECT_EQ(rows[0].vote[0], 1);
  EXPECT_EQ(rows[0].vote[1], -1);
  EXPECT_EQ(rows[0].vote[2], 0);
  EXPECT_EQ(rows[0].probes[0], 3);
  EXPECT_EQ(rows[1].ip, "10.0.0.2");
  EXPECT_EQ(rows[1].vote[1], 3);
  EXPECT_EQ(rows[2].window, 200);
  EXPECT_EQ(rows[2].vote[0], 2);
}

TEST(Vote, FeatureRowHasOneHotPerServiceAndAbsentCell) {
  const int outcomes[kVoteServices] = {3, 4, 2};  // K+1 per service
  IpVotes v;
  v.vote[0] = 2;  // http: unknown (K=2)
  v.vote[1] = 0;
  v.vote[2] = -1;  // dns absent
  auto row = ip_feature_row(v, outcomes);
  ASSERT_EQ(row.size(), size_t(4 + 5 + 3));
  std::vector<float> want = {0, 0, 1, 0, /*tls*/ 1, 0, 0, 0, 0, /*dns*/ 0, 0, 1};
  EXPECT_EQ(row, want);
  v.vote[2] = 5;
  EXPECT_THROW(ip_feature_row(v, outcomes), std::invalid_argument);
}

TEST(Metrics, MatchesScikitLearnClassificationReport) {
  // scikit-learn's documented example: y_true [0,1,2,2,2], y_pred [0,0,2,2,1].
  auto s = score({"a", "b", "c", "c", "c"}, {"a", "a", "c", "c", "b"});
  ASSERT_EQ(s.classes.size(), 3u);
  EXPECT_NEAR(s.classes[0].precision, 0.5, 1e-9);
  EXPECT_NEAR(s.classes[0].recall, 1.0, 1e-9);
  EXPECT_NEAR(s.classes[2].f1, 0.8, 1e-9);
  EXPECT_EQ(s.classes[2].support, 3);
  EXPECT_NEAR(s.weighted.precision, 0.70, 1e-9);
  EXPECT_NEAR(s.weighted.recall, 0.60, 1e-9);
  EXPECT_NEAR(s.weighted.f1, 0.6133333, 1e-6);
  EXPECT_NEAR(s.macro.precision, 0.5, 1e-9);
  EXPECT_NEAR(s.macro.f1, 0.4888889, 1e-6);
  EXPECT_NEAR(s.accuracy, 0.6, 1e-9);
  EXPECT_NEAR(weighted_f1({0, 1, 2, 2, 2}, {0, 0, 2, 2, 1}, 3), s.weighted.f1, 1e-12);
}

TEST(Metrics, RowsWithoutTruthAreNotScoredAndSmallClassesCanBeHidden) {
  auto s = score({"a", "", "a", "b"}, {"a", "b", "a", "a"});
  EXPECT_EQ(s.rows, 3);
  auto hidden = hide_small(s, 2);
  ASSERT_EQ(hidden.classes.size(), 1u);
  EXPECT_EQ(hidden.classes[0].name, "a");
  EXPECT_DOUBLE_EQ(hidden.weighted.f1, s.weighted.f1);
}

TEST(Threshold, LowConfidenceBecomesUnknown) {
  std::vector<float> proba = {0.9f, 0.1f, 0.4f, 0.35f};
  EXPECT_EQ(apply_threshold(proba, 2, 0.5), (std::vector<int>{0, 2}));
  EXPECT_EQ(apply_threshold(proba, 2, 0.0), (std::vector<int>{0, 0}));
}

TEST(Threshold, SearchPicksTheSmallestThetaThatSeparatesUnknowns) {
  // Known rows are confident (>= 0.8), unknown rows (truth 2) peak at 0.55: any θ in (0.55, 0.8] is
  // perfect, and the smallest such grid point is 0.56.
  std::vector<float> proba = {0.9f, 0.1f, 0.2f, 0.8f, 0.55f, 0.45f, 0.5f, 0.5f};
  std::vector<int> truth = {0, 1, 2, 2};
  auto t = search_theta(proba, truth, 2);
  EXPECT_NEAR(t.theta, 0.56, 1e-9);
  EXPECT_DOUBLE_EQ(t.weighted_f1, 1.0);
  ASSERT_EQ(t.curve.size(), 101u);
  EXPECT_LT(t.curve[0], 1.0);
}

TEST(Windows, AlignOnAnchorIncludingBeforeIt) {
  Windows w;
  w.anchor_us = 1000;
  w.length_us = 100;
  EXPECT_EQ(w.start_of(1000), 1000);
  EXPECT_EQ(w.start_of(1099), 1000);
  EXPECT_EQ(w.start_of(1100), 1100);
  EXPECT_EQ(w.start_of(999), 900);
  EXPECT_EQ(w.start_of(900), 900);
  Windows monday;
  // 2025-01-08 (a Wednesday) lies in the week of Monday 2025-01-06.
  EXPECT_EQ(monday.start_of(1736294400LL * 1000000), 1736121600LL * 1000000);
}

}  // namespace
}  // namespace sg::aggregate

#include <nlohmann/json.hpp>

#include "aggregate/evidence.h"

namespace sg::aggregate {
namespace {

TEST(Evidence, CountsDistinctiveValuesMostFrequentFirst) {
  Evidence e;
  auto http = [](const std::string& ua) {
    return nlohmann::json{{"service", "http"}, {"http", {{"uri", "/"}, {"user_agent", ua}}}};
  };
  e.add_probe(http("zgrab/0.x"));
  e.add_probe(http("curl/8.0"));
  e.add_probe(http("curl/8.0"));
  e.add_probe({{"service", "tls"}, {"tls", {{"ja4", "t13d1516h2_8daaf6152771_e5627efa2ab1"}, {"sni", ""}}}});
  e.add_probe({{"service", "dns"}, {"dns", {{"qname", 5}}}});  // wrong type: ignored, not thrown
  auto j = nlohmann::json::parse(e.to_json(1));
  EXPECT_EQ(j["user_agents"], nlohmann::json::array({{"curl/8.0", 2}}));
  EXPECT_EQ(j["uris"][0][1], 3);
  EXPECT_EQ(j["ja4s"].size(), 1u);
  EXPECT_FALSE(j.contains("snis"));  // empty values are no evidence
  EXPECT_FALSE(j.contains("qnames"));
}

TEST(Evidence, PortsSignaturesAndUnparsedPayloadsForPeople) {
  Evidence e;
  e.add_probe({{"transport", "tcp"},
               {"dport", 502},
               {"service", "other"},
               {"other", {{"head", "4d474c4e44445f0a"}, {"length", 8}}},
               {"syn", {{"sig", "45:29200:1460"}}}});
  e.add_probe({{"transport", "udp"}, {"dport", 47808}, {"other", {{"head", "810b000c"}}}});
  e.add_probe({{"transport", "tcp"}, {"dport", "80"}});  // a port that is not a number is no evidence
  auto j = nlohmann::json::parse(e.to_json());
  EXPECT_EQ(j["ports"].size(), 2u);
  EXPECT_EQ(j["tcp_signatures"][0][0], "45:29200:1460");
  std::set<std::string> payloads;
  for (const auto& p : j["payloads"]) payloads.insert(p[0]);
  EXPECT_EQ(payloads, (std::set<std::string>{"MGLNDD_\\n", "hex:810b000c"}));
}

TEST(Evidence, PayloadPreviewIsBoundedAndSurvivesBadHex) {
  EXPECT_EQ(payload_preview("474554202f"), "GET /");
  EXPECT_EQ(payload_preview("00ff"), "hex:00ff");
  EXPECT_EQ(payload_preview(std::string(200, '4'), 4), "DDDD");
  EXPECT_EQ(payload_preview("41zz42"), "A");  // stops at the first non-hex pair
  EXPECT_EQ(payload_preview("4"), "hex:");    // nothing decodable
  EXPECT_EQ(payload_preview(""), "hex:");
}

}  // namespace
}  // namespace sg::aggregate

namespace sg::aggregate {
namespace {

// The fast reader of stored probe text gives exactly what the nlohmann reader gives, on good probes and
// on hostile ones (wrong types, empty values, not an object, invalid UTF-8, cut text).
TEST(Evidence, ProbeTextReadsAsTheParsedProbeDoes) {
  const std::vector<std::string> probes = {
      R"({"dport":80,"transport":"tcp","http":{"user_agent":"curl/8.0","uri":"/x"},"syn":{"sig":"64:65535:1460"}})",
      R"({"dport":443,"transport":"tcp","tls":{"ja3_hash":"abc","ja4":"t13d","sni":"scanner.example"}})",
      R"({"dport":53,"transport":"udp","dns":{"qname":"version.bind"}})",
      R"({"dport":22,"transport":"tcp","ssh":{"banner":"SSH-2.0-Go","hassh":"h"}})",
      R"({"dport":3389,"transport":"tcp","rdp":{"cookie":"mstshash=a"}})",
      R"({"dport":8080,"transport":"tcp","other":{"head":"474554202f20485454502f312e310d0a"}})",
      R"({"dport":1,"transport":"tcp","other":{"head":"00ff10"}})",
      R"({"dport":"80","transport":"tcp","http":{"user_agent":7,"uri":""}})",
      R"({"dport":80,"transport":null,"http":"not an object","tls":{"ja4":["x"]}})",
      R"({"dport":80.5,"transport":"tcp","http":{"user_agent":"a\u0000b<script>\"q\""}})",
      R"([1,2,3])",
      "{\"dport\":80,\"transport\":\"tcp\",\"http\":{\"user_agent\":\"\xff\xfe\"}}",
      // ASCII text skips the reader's UTF-8 check; any other byte, wherever it is, brings it back.
      "{\"dport\":80,\"transport\":\"tcp\",\"http\":{\"user_agent\":\"caf\xc3\xa9 \xe2\x82\xac\"}}",
      "{\"x\xff\":1,\"dport\":81,\"transport\":\"tcp\"}",
      "{\"dport\":82,\"transport\":\"tcp\",\"z\":\"\xc3\"}",
      "{\"dport\":83,\"transport\":\"tcp\",\"z\":\"\xed\xa0\x80\"}",
      R"({"dport":80,"transport":"tcp","http":{"user_agent":"cut)",
      "",
  };
  Evidence fast, slow;
  for (const auto& text : probes) {
    auto j = nlohmann::json::parse(text, nullptr, false);
    const bool parsed = fast.add_probe_text(text);
    EXPECT_EQ(parsed, j.is_object()) << text;
    if (j.is_object()) slow.add_probe(j);
  }
  EXPECT_EQ(fast.to_json(20), slow.to_json(20));
  EXPECT_NE(fast.to_json(20).find("version.bind"), std::string::npos);
  EXPECT_NE(fast.to_json(20).find("GET / HTTP/1.1"), std::string::npos);
}

}  // namespace
}  // namespace sg::aggregate

namespace sg::aggregate {
namespace {

// The stored-text reader takes the first member of a name, whatever its type (as RapidJSON's FindMember
// did when it read into a Document), only at the levels the fields live at, and integers of any width.
TEST(Evidence, ProbeTextTakesTheFirstMemberOfANameAtItsOwnLevel) {
  const std::vector<std::string> probes = {
      R"({"dport":80,"dport":81,"transport":"tcp","http":{"user_agent":"first","user_agent":"second"}})",
      R"({"http":"x","http":{"user_agent":"later object"},"dport":1,"transport":"udp"})",
      R"({"x":{"http":{"user_agent":"nested"}},"tls":{"inner":{"ja4":"deep"},"ja4":"top"},"dport":2,"transport":"tcp"})",
      R"({"transport":1,"transport":"tcp","dport":3})",
      R"({"dport":18446744073709551615,"transport":"tcp"})",
      R"({"dport":-5,"transport":"tcp"})",
      R"({"dport":1e2,"transport":"tcp"})",
      R"({"other":{"head":"4142","head":"4344"}})",
      R"({"syn":[{"sig":"in an array"}],"rdp":{"cookie":["not a string"]}})",
  };
  Evidence e;
  for (const auto& text : probes) EXPECT_TRUE(e.add_probe_text(text)) << text;
  EXPECT_EQ(e.to_json(20),
            R"({"ja4s":[["top",1]],"payloads":[["AB",1]],"ports":[["tcp/-1",1],["tcp/-5",1],["tcp/2",1],)"
            R"(["tcp/80",1],["udp/1",1]],"user_agents":[["first",1]]})");
  // Most frequent first, ties in value order, at most `top`.
  Evidence f;
  for (const char* ua : {"b", "a", "c", "b", "c", "d"})
    f.add_probe_text(std::string(R"({"http":{"user_agent":")") + ua + "\"}}");
  auto top = f.top_values(3);
  ASSERT_EQ(top.size(), 1u);
  EXPECT_EQ(top[0].first, "user_agents");
  EXPECT_EQ(top[0].second, (Evidence::Values{{"b", 2}, {"c", 2}, {"a", 1}}));
}

}  // namespace
}  // namespace sg::aggregate
