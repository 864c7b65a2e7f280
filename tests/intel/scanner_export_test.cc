#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>

#include "intel/scanner_export.h"
#include "storage/probe_store.h"
#include "storage/scanner_store.h"

namespace sg {
namespace {

ScannerRow row(int64_t window, const std::string& ip, const std::string& org, double p = 0.9) {
  ScannerRow r;
  r.window_start = window;
  r.window_end = window + 100;
  r.ip = ip;
  r.org = org;
  r.probability = p;
  r.votes = R"({"http":"shodan","tls":null,"dns":null})";
  r.first_seen_us = window + 1;
  r.last_seen_us = window + 50;
  r.services = "http";
  r.probes = 3;
  r.evidence = R"({"user_agents":[["Mozilla/5.0, \"quoted\"",3]]})";
  r.model_version = "test-1";
  return r;
}

struct TempDb {
  std::string path = testing::TempDir() + "/scanners_" +
                     std::to_string(testing::UnitTest::GetInstance()->random_seed()) + "_" +
                     testing::UnitTest::GetInstance()->current_test_info()->name() + ".db";
  TempDb() { std::filesystem::remove(path); }
  ~TempDb() {
    for (auto suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
  }
};

TEST(ScannerStore, ReplacingAWindowKeepsHistoryAndNeverDuplicates) {
  TempDb t;
  Db db(t.path);
  ScannerStore s(db);
  s.replace_window(100, 200, {row(100, "192.0.2.1", "shodan"), row(100, "192.0.2.2", "unknown")});
  s.replace_window(200, 300, {row(200, "192.0.2.1", "shodan")});
  s.replace_window(100, 200, {row(100, "192.0.2.1", "censys")});  // rerun of the first window
  auto all = s.rows({});
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].org, "censys");
  EXPECT_EQ(all[1].window_start, 200);
  EXPECT_EQ(s.windows(), (std::vector<int64_t>{100, 200}));
  ScannerQuery q;
  q.ip = "192.0.2.1";
  q.from_us = 150;
  ASSERT_EQ(s.rows(q).size(), 1u);
  EXPECT_DOUBLE_EQ(s.rows(q)[0].probability, 0.9);
}

TEST(ScannerExport, LatestWindowDecidesAndUnknownRetracts) {
  std::vector<ScannerRow> rows = {row(100, "192.0.2.1", "shodan"), row(200, "192.0.2.1", "unknown"),
                                  row(100, "192.0.2.2", "censys"), row(200, "2001:db8::5", "shodan")};
  auto latest = intel::latest_attributed(rows);
  EXPECT_EQ(latest.size(), 2u);
  EXPECT_FALSE(latest.count("192.0.2.1"));
  auto misp = intel::misp_warninglists(rows);
  ASSERT_EQ(misp.size(), 2u);
  auto shodan = nlohmann::json::parse(misp["shodan"]);
  EXPECT_EQ(shodan["type"], "cidr");
  EXPECT_EQ(shodan["list"], nlohmann::json::array({"2001:db8::5/128"}));
  EXPECT_TRUE(shodan["version"].is_number_integer());
}

TEST(ScannerExport, StixBundleIsWellFormedAndStable) {
  std::vector<ScannerRow> rows = {row(100, "192.0.2.1", "shodan"), row(100, "2001:db8::5", "shodan"),
                                  row(100, "192.0.2.9", "censys")};
  std::string text = intel::stix_bundle(rows);
  EXPECT_EQ(text, intel::stix_bundle(rows));  // name-based ids: same input, same bundle
  auto b = nlohmann::json::parse(text);
  EXPECT_EQ(b["type"], "bundle");
  int identities = 0, indicators = 0, relationships = 0;
  std::set<std::string> ids;
  for (const auto& o : b["objects"]) {
    ids.insert(o["id"].get<std::string>());
    EXPECT_EQ(o["spec_version"], "2.1");
    std::string type = o["type"];
    EXPECT_EQ(o["id"].get<std::string>().rfind(type + "--", 0), 0u);
    if (type == "identity") ++identities;
    if (type == "indicator") {
      ++indicators;
      EXPECT_EQ(o["pattern_type"], "stix");
    }
    if (type == "relationship") {
      ++relationships;
      EXPECT_TRUE(ids.count(o["source_ref"].get<std::string>()));
      EXPECT_TRUE(ids.count(o["target_ref"].get<std::string>()));
    }
  }
  EXPECT_EQ(identities, 3);  // the producer and two organisations
  EXPECT_EQ(indicators, 3);
  EXPECT_EQ(relationships, 3);
  EXPECT_NE(text.find("[ipv6-addr:value = '2001:db8::5']"), std::string::npos);
}

TEST(ScannerExport, CsvQuotesAndJsonlRoundTrips) {
  std::vector<ScannerRow> rows = {row(100, "192.0.2.1", "shodan")};
  std::ostringstream csv, jl;
  intel::write_csv(rows, csv);
  EXPECT_NE(csv.str().find("\"{\"\"http\"\":\"\"shodan\"\""), std::string::npos);
  intel::write_jsonl(rows, jl);
  auto j = nlohmann::json::parse(jl.str());
  EXPECT_EQ(j["evidence"]["user_agents"][0][0], "Mozilla/5.0, \"quoted\"");
  EXPECT_EQ(j["votes"]["tls"], nullptr);
}

std::string run(const std::string& args, int* rc) {
  std::string out;
  FILE* p = popen((std::string(SG_BINARY) + " " + args + " 2>&1").c_str(), "r");
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  *rc = WEXITSTATUS(pclose(p));
  return out;
}

TEST(ServeCli, LookupAndExportReadTheScannerTable) {
  TempDb t;
  {
    ProbeStore store(t.path);
    ScannerStore s(store.db());
    s.replace_window(1736121600000000, 1736726400000000, {row(1736121600000000, "192.0.2.1", "shodan")});
  }
  int rc = 0;
  std::string out = run("lookup --db " + t.path + " 192.0.2.1 192.0.2.77", &rc);
  EXPECT_EQ(rc, 0) << out;
  EXPECT_NE(out.find("week 2025-01-06  shodan"), std::string::npos) << out;
  EXPECT_NE(out.find("user_agents"), std::string::npos) << out;  // the window's, as its probes are not stored
  EXPECT_NE(out.find("no probes from this ip"), std::string::npos) << out;
  out = run("lookup --db " + t.path + " not-an-ip", &rc);
  EXPECT_EQ(rc, 1);
  EXPECT_NE(out.find("error: 'not-an-ip' is not an IP address"), std::string::npos) << out;
  std::string dir = t.path + ".misp";
  out = run("export --db " + t.path + " --format misp --out " + dir, &rc);
  EXPECT_EQ(rc, 0) << out;
  EXPECT_TRUE(std::filesystem::exists(dir + "/manifest.json"));
  EXPECT_TRUE(std::filesystem::exists(dir + "/hashes.csv"));
  EXPECT_TRUE(std::filesystem::exists(dir + "/lists/scannergrouper-shodan/list.json"));
  std::filesystem::remove_all(dir);
  out = run("export --db " + t.path + " --format stix", &rc);
  EXPECT_EQ(rc, 0);
  EXPECT_EQ(nlohmann::json::parse(out)["type"], "bundle");
  out = run("export --db /nonexistent/x.db --format csv", &rc);
  EXPECT_EQ(rc, 1);
  EXPECT_NE(out.find("no such database"), std::string::npos);
}

}  // namespace
}  // namespace sg
