// The unknown-probe clusters on a database written by the fixture: groups found, described, attributed to
// their nearest known organisation, stored and replaced; case 1 listed.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "analysis/cluster_fixture.h"
#include "analysis/cluster_store.h"
#include "analysis/clusters.h"
#include "analysis/lookalikes.h"
#include "storage/sqlite.h"

namespace sg::analysis {
namespace {

const Cluster* with_top_agent(const ServiceClusters& s, const std::string& agent) {
  for (const auto& c : s.clusters)
    for (const auto& f : c.fields)
      if (f.field == "user_agent" && !f.values.empty() && f.values[0].value == agent) return &c;
  return nullptr;
}

TEST(Clusters, FindsDescribesAndAttributesTheUnknownGroups) {
  sgtest::UnknownDb fx("clusters_groups.db");
  ClusterOptions o;
  o.map_points = 60;
  auto a = analyse_unknowns(fx.db(), sgtest::kWeek0 + 1, sgtest::kWeek0 + 2, o);  // widened to the week
  EXPECT_EQ(a.from_us, sgtest::kWeek0);
  EXPECT_EQ(a.to_us, sgtest::kWeek0 + sgtest::kWeekUs);
  ASSERT_EQ(a.services.size(), 1u);
  const auto& s = a.services[0];
  EXPECT_EQ(s.service, "http");
  EXPECT_EQ(s.model, "http-1");
  EXPECT_EQ(s.probes, 94);  // 3 × 30 + the 4 case-1 probes; the unreadable one skipped
  EXPECT_EQ(s.skipped, 1u);
  EXPECT_EQ(s.known_probes, 40);
  EXPECT_EQ(s.selected_fields, (std::vector<std::string>{"method", "user_agent"}));
  ASSERT_EQ(s.candidates.front(), 3);
  // The fixture's three groups, found as three clusters with this seed: the size checks below must run.
  ASSERT_EQ(s.k, 3);
  int64_t total = 0;
  for (const auto& c : s.clusters) total += c.size;
  EXPECT_EQ(total, 94);
  for (size_t i = 1; i < s.clusters.size(); ++i) EXPECT_GE(s.clusters[i - 1].size, s.clusters[i].size);

  // Each group is one cluster (its agent on top), resembling the known organisation placed next to it.
  const Cluster* g0 = with_top_agent(s, "group0-agent/1.0");
  const Cluster* g1 = with_top_agent(s, "group1-agent/1.0");
  ASSERT_TRUE(g0 && g1);
  EXPECT_EQ(g0->nearest_org, "shodan");
  EXPECT_LT(g0->nearest_distance, 1.0);
  EXPECT_EQ(g1->lookalike_org, "rapid7");
  EXPECT_DOUBLE_EQ(g1->lookalike_share, 1.0);
  EXPECT_EQ(g0->size, 34);
  EXPECT_NEAR(g0->fields[1].values[0].share, 30.0 / 34, 1e-9);
  EXPECT_EQ(g0->lookalike_org, "shodan");  // the case-1 probes joined group 0
  EXPECT_EQ(g0->ip_count, 4);
  EXPECT_EQ(g1->size, 30);
  const Cluster* g2 = nullptr;
  for (const auto& c : s.clusters)
    if (c.nearest_org == "onyphe") g2 = &c;
  ASSERT_TRUE(g2);
  EXPECT_EQ(g2->size, 30);
  // Member ips with first and last seen.
  bool found = false;
  for (const auto& c : s.clusters)
    for (const auto& m : c.ips)
      if (m.ip == "198.51.100.0") {
        found = true;
        EXPECT_EQ(m.probes, 10);
        EXPECT_LT(m.first_us, m.last_us);
      }
  EXPECT_TRUE(found);
}

int64_t stored_cluster_rows(Db& db) {
  Stmt n(db, "SELECT count(*) FROM clusters");
  return n.step() ? n.col_int(0) : -1;
}

TEST(Clusters, RepeatableStoredAndReplacedPerRange) {
  sgtest::UnknownDb fx("clusters_store.db");
  ClusterOptions o;
  o.map_points = 50;
  o.map_iterations = 200;
  auto a = analyse_unknowns(fx.db(), sgtest::kWeek0, sgtest::kWeek0 + sgtest::kWeekUs, o);
  auto b = analyse_unknowns(fx.db(), sgtest::kWeek0, sgtest::kWeek0 + sgtest::kWeekUs, o);
  a.seconds = b.seconds = 0;
  EXPECT_EQ(clusters_json(a), clusters_json(b));
  EXPECT_EQ(a.services[0].map.size(), 50u);

  EXPECT_FALSE(load_clusters(fx.db(), a.from_us, a.to_us));
  store_clusters(fx.db(), a);
  store_clusters(fx.db(), a);  // a rerun replaces, never duplicates
  auto loaded = load_clusters(fx.db(), a.from_us, a.to_us);
  ASSERT_TRUE(loaded);
  EXPECT_EQ(clusters_json(*loaded), clusters_json(a));
  EXPECT_EQ(stored_cluster_rows(fx.db()), a.services[0].k);
  EXPECT_EQ(clusters_json(clusters_from_json(clusters_json(a))), clusters_json(a));
  EXPECT_EQ(stored_cluster_ranges(fx.db()).size(), 1u);
  EXPECT_THROW(clusters_from_json("{\"from_us\": 1}"), std::runtime_error);

  // Another seed gives another analysis of the same range, and replaces the first one whole.
  o.seed = 99;
  auto c = analyse_unknowns(fx.db(), sgtest::kWeek0, sgtest::kWeek0 + sgtest::kWeekUs, o);
  store_clusters(fx.db(), c);
  EXPECT_EQ(stored_cluster_rows(fx.db()), c.services[0].k);
  auto text = clusters_table(c);
  EXPECT_NE(text.find("http: 94 unknown probes"), std::string::npos) << text;
  EXPECT_EQ(text.find('<'), text.find("<script>"));  // hostile text passes as text; control bytes do not
}

// The table is printed on a terminal: top values come from probes and organisation names from label
// files, so their control bytes and broken UTF-8 show as \xNN, and a long value is cut between characters.
TEST(Clusters, TableShowsHostileTextAsEscapes) {
  ClusterAnalysis a;
  ServiceClusters s;
  s.service = "http";
  s.probes = 2;
  s.note = "note\x1b[2J";
  Cluster c;
  c.size = 2;
  c.nearest_org = "org\x07";
  c.lookalike_org = "look\x1b]0;x\x07";
  c.lookalike_share = 0.5;
  c.fields.push_back(
      {"user_agent", {{"ua\x1b[31m\xff\r", 2, 1.0}, {std::string(35, 'a') + "\xc3\xa9\xc3\xa9\xc3\xa9", 1, 0.5}}});
  s.clusters.push_back(c);
  a.services.push_back(s);
  std::string text = clusters_table(a);
  for (char ch : text) EXPECT_FALSE(ch == '\x1b' || ch == '\x07' || ch == '\r' || ch == '\xff') << text;
  EXPECT_NE(text.find("ua\\x1b[31m\\xff\\x0d (100%)"), std::string::npos) << text;
  EXPECT_NE(text.find("nearest known org\\x07 at"), std::string::npos) << text;
  EXPECT_NE(text.find("predicted look\\x1b]0;x\\x07"), std::string::npos) << text;
  EXPECT_NE(text.find("note\\x1b[2J"), std::string::npos) << text;
  EXPECT_NE(text.find(std::string(35, 'a') + "\xc3\xa9... (50%)"), std::string::npos) << text;  // é kept whole
}

TEST(Clusters, LargeInputsFitOnASampleAndAssignEveryRow) {
  sgtest::UnknownDb fx("clusters_sample.db");
  ClusterOptions o;
  o.max_fit_rows = 40;
  o.map_points = 0;
  auto a = analyse_unknowns(fx.db(), sgtest::kWeek0, sgtest::kWeek0 + sgtest::kWeekUs, o);
  const auto& s = a.services.at(0);
  EXPECT_EQ(s.fitted_on, 40);
  int64_t total = 0;
  for (const auto& c : s.clusters) total += c.size;
  EXPECT_EQ(total, 94);
  EXPECT_TRUE(s.map.empty());
}

TEST(Clusters, EmptyRangeSaysWhy) {
  sgtest::UnknownDb fx("clusters_empty.db");
  auto a = analyse_unknowns(fx.db(), sgtest::kWeek0 + 3 * sgtest::kWeekUs, sgtest::kWeek0 + 4 * sgtest::kWeekUs);
  EXPECT_TRUE(a.services.empty());
  // Predictions whose ips were all attributed: a service without unknowns gets a note, no clusters.
  Stmt s(fx.db(), "UPDATE scanners SET org='shodan'");
  s.step();
  auto b = analyse_unknowns(fx.db(), sgtest::kWeek0, sgtest::kWeek0 + sgtest::kWeekUs);
  ASSERT_EQ(b.services.size(), 1u);
  EXPECT_TRUE(b.services[0].clusters.empty());
  EXPECT_FALSE(b.services[0].note.empty());
}

TEST(Case1, ListsEvaluationUnknownProbesPredictedKnown) {
  sgtest::UnknownDb fx("clusters_case1.db");
  auto c = unknown_predicted_known(fx.db(), sgtest::kWeek0, sgtest::kWeek0 + sgtest::kWeekUs);
  EXPECT_EQ(c.labelled_probes, 4);
  EXPECT_EQ(c.predicted_known, 4);
  ASSERT_EQ(c.rows.size(), 1u);
  const auto& r = c.rows[0];
  EXPECT_EQ(r.ip, "192.0.2.77");
  EXPECT_EQ(r.label, "censys");
  EXPECT_EQ(r.predicted, "shodan");
  EXPECT_EQ(r.scanner_org, "unknown");
  EXPECT_EQ(r.probes, 4);
  EXPECT_NEAR(r.mean_prob, 0.9, 1e-9);
  auto ev = nlohmann::json::parse(r.evidence);
  EXPECT_EQ(ev["user_agents"][0][0], "censys-like/2");
  // An organisation outside the evaluation-unknown set is not case 1.
  Stmt s(fx.db(), "INSERT OR REPLACE INTO meta(key, value) VALUES('labels.eval_unknown', 'driftnet')");
  s.step();
  EXPECT_EQ(unknown_predicted_known(fx.db(), sgtest::kWeek0, sgtest::kWeek0 + sgtest::kWeekUs).labelled_probes, 0);
}

}  // namespace
}  // namespace sg::analysis
