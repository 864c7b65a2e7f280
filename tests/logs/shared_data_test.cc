// Every log under ../shared/data/logs read: Zeek's test baselines (ts unmasked by the test; the reader itself
// must refuse the mask) and every Suricata EVE sample, unpaired ones included. Each http/ssl/dns/ssh log
// gives probes, and no line is bad once the mask is replaced.
#include <gtest/gtest.h>

#include <filesystem>

#include "log_fixture.h"

namespace {

namespace fs = std::filesystem;

const fs::path kLogs = fs::path(SG_SHARED_DATA) / "logs";

bool is_log_name(const fs::path& p) {
  const std::string n = p.filename().string();
  return n.ends_with(".log") || n.ends_with(".json") || n.ends_with(".tsv");
}

TEST(SharedLogs, EveryZeekBaselineIsReadAndGivesProbes) {
  if (!fs::exists(kLogs)) GTEST_SKIP() << "no shared data at " << kLogs;
  sgtest::TempDir dir("sg_shared_logs");
  int files = 0;
  for (const auto& e : fs::recursive_directory_iterator(kLogs / "zeek")) {
    if (!e.is_regular_file() || !is_log_name(e.path())) continue;
    ++files;
    const std::string raw = sgtest::read_text(e.path().string());
    // As stored, the masked ts is a bad value on every entry: counted, reported, never a probe.
    auto masked = sgtest::read_log_path(e.path().string());
    ASSERT_EQ(masked.format, sg::logs::LogFormat::zeek) << e.path();
    EXPECT_TRUE(masked.probes.empty()) << e.path();
    EXPECT_GT(masked.stats.skipped.size() + masked.bad.size(), 0u) << e.path();

    auto run = sgtest::read_log_text(dir, "x.log", sgtest::unmask_ts(raw));
    ASSERT_EQ(run.format, sg::logs::LogFormat::zeek) << e.path();
    EXPECT_TRUE(run.bad.empty()) << e.path() << ": " << (run.bad.empty() ? "" : run.bad[0]);
    const std::string name = e.path().filename().string();
    if (!name.starts_with("conn")) {
      EXPECT_FALSE(run.probes.empty()) << e.path();
    }
  }
  EXPECT_GE(files, 38);
}

TEST(SharedLogs, EverySuricataRecordIsParsed) {
  if (!fs::exists(kLogs)) GTEST_SKIP() << "no shared data at " << kLogs;
  std::map<std::string, uint64_t> by_service;
  uint64_t records = 0;
  for (const auto& e : fs::recursive_directory_iterator(kLogs / "suricata")) {
    if (!e.is_regular_file() || !is_log_name(e.path())) continue;
    auto run = sgtest::read_log_path(e.path().string());
    ASSERT_EQ(run.format, sg::logs::LogFormat::eve) << e.path();
    EXPECT_TRUE(run.bad.empty()) << e.path() << ": " << (run.bad.empty() ? "" : run.bad[0]);
    records += run.stats.records;
    for (const auto& p : run.probes) ++by_service[sg::service_name(p.service)];
  }
  // 39 + 8 + 24 + 5 + 2 records; every http, tls, ssh event and every DNS request is a probe.
  EXPECT_EQ(records, 78u);
  EXPECT_GE(by_service["http"], 9u);
  EXPECT_GE(by_service["tls"], 11u);
  EXPECT_GE(by_service["ssh"], 11u);
  EXPECT_GE(by_service["dns"], 1u);
}

TEST(SharedLogs, PantherRecordsCarryJa3AndRequestHeaders) {
  const fs::path f = kLogs / "suricata/unpaired/panther-suricata5/eve.json";
  if (!fs::exists(f)) GTEST_SKIP() << "no shared data at " << f;
  auto run = sgtest::read_log_path(f.string());
  int tls_with_ja3 = 0, http = 0, http_with_headers = 0;
  for (const auto& p : run.probes) {
    if (p.tls && !p.tls->ja3.empty()) {
      ++tls_with_ja3;
      EXPECT_FALSE(p.tls->ciphers.empty());
      EXPECT_EQ(p.tls->ja3_hash.size(), 32u);
    }
    if (p.http) ++http;
    if (p.http && !p.http->headers.empty()) ++http_with_headers;
    EXPECT_EQ(p.source, sg::Source::eve);
  }
  // 8 of the 10 tls records have a ja3 object with a string (two have "ja3":{}); of the 10 http records three
  // are later transactions (tx_id 59, 62, and 1 for libhtp's request_uri_not_seen); 5 of the 7 first requests
  // logged request headers, 2 an empty list.
  EXPECT_EQ(tls_with_ja3, 8);
  EXPECT_EQ(http, 7);
  EXPECT_EQ(http_with_headers, 5);
  EXPECT_EQ(run.stats.skipped.at("eve: later HTTP request on a connection"), 3u);
}

}  // namespace
