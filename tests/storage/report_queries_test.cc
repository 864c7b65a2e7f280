// The report's reads on a small scanner table: spans, per-org rows, least confident names and named ips;
// a database without the tables reads as no rows.
#include <gtest/gtest.h>

#include <filesystem>

#include "storage/probe_store.h"
#include "storage/report_queries.h"
#include "storage/scanner_store.h"

namespace sg {
namespace {

ScannerRow row(int64_t window, const std::string& ip, const std::string& org, double confidence,
               const std::string& services) {
  ScannerRow r;
  r.window_start = window;
  r.window_end = window + 100;
  r.ip = ip;
  r.org = org;
  r.votes = "{}";
  r.services = services;
  r.probes = 2;
  r.evidence = "{}";
  r.model_version = "m";
  r.confidence = confidence;
  r.evidence_kind = "exact-payload";
  r.reason = "why " + ip;
  return r;
}

TEST(ReportQueries, ReadTheScannerTable) {
  std::string path = testing::TempDir() + "/report_queries_test.db";
  for (auto s : {"", "-wal", "-shm"}) std::filesystem::remove(path + s);
  Db db(path);
  EXPECT_EQ(table_rows(db, "scanners"), 0);
  EXPECT_FALSE(scanner_window_span(db));
  EXPECT_FALSE(probe_time_span(db));
  EXPECT_TRUE(probe_counts_by_service(db, 0, 1000).empty());
  EXPECT_TRUE(named_ips(db, 0, 1000).empty());

  ScannerStore store(db);
  store.replace_window(0, 100, {row(0, "192.0.2.1", "acme", 0.9, "http"), row(0, "192.0.2.2", "unknown", 0.5, "tls")});
  store.replace_window(100, 200,
                       {row(100, "192.0.2.1", "acme", 0.4, "tls"), row(100, "192.0.2.3", "beta", 0.7, "dns")});
  EXPECT_EQ(table_rows(db, "scanners"), 4);
  EXPECT_EQ(scanner_window_span(db), (std::pair<int64_t, int64_t>{0, 200}));

  std::vector<std::string> seen;
  for_each_scanner_fact(db, 0, 200, [&](const ScannerFact& f) { seen.push_back(f.org + "/" + f.ip); });
  EXPECT_EQ(seen,
            (std::vector<std::string>{"acme/192.0.2.1", "unknown/192.0.2.2", "acme/192.0.2.1", "beta/192.0.2.3"}));

  auto names = least_confident_names(db, 0, 200, 2);
  ASSERT_EQ(names.size(), 2u);
  EXPECT_EQ(names[0].ip, "192.0.2.1");
  EXPECT_EQ(names[0].window_start, 100);
  EXPECT_EQ(names[1].org, "beta");

  auto named = named_ips(db, 0, 200);
  ASSERT_EQ(named.size(), 2u);
  for (const auto& n : named) {
    if (n.org != "acme") continue;
    EXPECT_EQ(n.weeks, 2);
    EXPECT_EQ(n.latest, 100);
    EXPECT_EQ(n.probes, 4);
    EXPECT_DOUBLE_EQ(n.confidence, 0.4);  // the latest week's row
    EXPECT_EQ(n.reason, "why 192.0.2.1");
  }
}

}  // namespace
}  // namespace sg
