// ip_probes_and_labels, serve's one pass over an ip's probes, gives exactly what ip_probe_summary and
// ip_labels give: per-service counts and the first/last times (including their fold of a group that starts
// at time 0), and the label groups, most probes first with ties in (org, source) order.
#include "storage/ip_queries.h"

#include <gtest/gtest.h>

#include "storage/probe_store.h"
#include "storage/schema.h"
#include "storage/sqlite.h"
#include "support/temp_dir.h"

namespace sg {
namespace {

void expect_same(Db& db, const std::string& ip) {
  auto one = ip_probes_and_labels(db, ip);
  auto sum = ip_probe_summary(db, ip);
  EXPECT_EQ(one.summary.per_service, sum.per_service) << ip;
  EXPECT_EQ(one.summary.total, sum.total) << ip;
  EXPECT_EQ(one.summary.first_us, sum.first_us) << ip;
  EXPECT_EQ(one.summary.last_us, sum.last_us) << ip;
  auto labels = ip_labels(db, ip);
  ASSERT_EQ(one.labels.size(), labels.size()) << ip;
  for (size_t i = 0; i < labels.size(); ++i) {
    EXPECT_EQ(one.labels[i].org, labels[i].org) << ip << " " << i;
    EXPECT_EQ(one.labels[i].probes, labels[i].probes) << ip << " " << i;
    EXPECT_EQ(one.labels[i].sources, labels[i].sources) << ip << " " << i;
  }
}

TEST(IpQueries, OnePassGivesTheCountsAndLabelsOfTheTwoQueries) {
  std::string path = sgtest::fresh_db_path("ip_queries.db");
  ProbeStore store(path);
  Db& db = store.db();
  db.exec("INSERT INTO captures(id, sha256, path, size, status, started_at) VALUES(1, 'h', 'c', 1, 'complete', 't')");
  // 192.0.2.1: three services, one of them starting at time 0; labels tied in count under several orgs
  // and sources, inserted out of order. 192.0.2.2: probes, no label. 192.0.2.3: nothing.
  const char* rows[][4] = {
      {"192.0.2.1", "0", "dns", "zeta|s2"}, {"192.0.2.1", "7", "tls", "alpha|s9"},
      {"192.0.2.1", "3", "http", "mid|a"},  {"192.0.2.1", "9", "http", "alpha|s1"},
      {"192.0.2.1", "4", "dns", "zeta|s1"}, {"192.0.2.1", "5", "dns", "beta|q"},
      {"192.0.2.1", "6", "dns", "beta|q"},  {"192.0.2.1", "8", "dns", ""},
      {"192.0.2.2", "2", "http", ""},
  };
  int64_t id = 0;
  for (const auto& r : rows) {
    ++id;
    Stmt p(db,
           "INSERT INTO probes(id, capture_id, ts_us, src, sport, dst, dport, transport, service, json) "
           "VALUES(?, 1, ?, ?, ?, '198.51.100.1', 80, 'tcp', ?, '{}')");
    p.bind(1, id).bind(2, int64_t(std::stoll(r[1]))).bind(3, std::string(r[0])).bind(4, id).bind(5, std::string(r[2]));
    p.step();
    std::string label = r[3];
    if (label.empty()) continue;
    schema::ensure(db, schema::Tables::probe_labels);
    Stmt l(db, "INSERT INTO probe_labels(probe_id, org, source) VALUES(?, ?, ?)");
    l.bind(1, id).bind(2, label.substr(0, label.find('|'))).bind(3, label.substr(label.find('|') + 1));
    l.step();
  }
  auto one = ip_probes_and_labels(db, "192.0.2.1");
  EXPECT_EQ(one.summary.total, 8);
  ASSERT_EQ(one.labels.size(), 6u);
  EXPECT_EQ(one.labels[0].org, "beta");  // 2 probes
  EXPECT_EQ(one.labels[1].org + "/" + one.labels[1].sources, "alpha/s1");
  EXPECT_EQ(one.labels[5].org + "/" + one.labels[5].sources, "zeta/s2");
  for (const char* ip : {"192.0.2.1", "192.0.2.2", "192.0.2.3"}) expect_same(db, ip);
}

TEST(IpQueries, OnePassWithoutALabelTable) {
  std::string path = sgtest::fresh_db_path("ip_queries_nolabels.db");
  ProbeStore store(path);
  Db& db = store.db();
  db.exec("INSERT INTO captures(id, sha256, path, size, status, started_at) VALUES(1, 'h', 'c', 1, 'complete', 't')");
  db.exec(
      "INSERT INTO probes(capture_id, ts_us, src, sport, dst, dport, transport, service, json) VALUES"
      "(1, 5, '192.0.2.7', 1, '198.51.100.1', 80, 'tcp', 'http', '{}')");
  ASSERT_FALSE(db.has_table("probe_labels"));
  auto one = ip_probes_and_labels(db, "192.0.2.7");
  EXPECT_EQ(one.summary.total, 1);
  EXPECT_TRUE(one.labels.empty());
  expect_same(db, "192.0.2.7");
}

}  // namespace
}  // namespace sg
