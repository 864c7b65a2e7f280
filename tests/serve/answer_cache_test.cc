// The answers kept between lookups (serve/answer_cache.h): generations across connections, the bound on
// entries, and, on a real database, that a lookup after a writer's commit (new probes, rewritten scanner
// rows) sees the new answer whether or not the connection that answers it made the cached entry.
#include "serve/answer_cache.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "serve/api.h"
#include "serve/demo_db.h"
#include "storage/db.h"
#include "storage/probe_store.h"
#include "storage/scanner_store.h"

namespace {

using nlohmann::json;
using sg::serve::AnswerCache;

std::shared_ptr<const std::string> value(const char* v) { return std::make_shared<const std::string>(v); }

TEST(AnswerCache, AConnectionsFirstReportAndEveryChangeStartANewGeneration) {
  AnswerCache c;
  const uint64_t a = c.new_connection(), b = c.new_connection();
  EXPECT_NE(a, b);
  const uint64_t g1 = c.generation(a, 5);
  EXPECT_EQ(c.generation(a, 5), g1);  // nothing committed since
  c.put("192.0.2.1", g1, value("x"));
  ASSERT_TRUE(c.find("192.0.2.1", g1));
  EXPECT_EQ(*c.find("192.0.2.1", g1), "x");
  // b never reported: it cannot know what was committed before, so its entries start afresh.
  const uint64_t g2 = c.generation(b, 5);
  EXPECT_NE(g2, g1);
  EXPECT_FALSE(c.find("192.0.2.1", g2));
  EXPECT_FALSE(c.find("192.0.2.1", g1));  // an older generation is never answered
  c.put("192.0.2.1", g2, value("y"));
  EXPECT_EQ(c.generation(a, 5), g2);  // a saw no commit: same state, the entry serves it
  EXPECT_EQ(*c.find("192.0.2.1", g2), "y");
  // a commit seen by either connection ends the generation for both.
  const uint64_t g3 = c.generation(b, 6);
  EXPECT_NE(g3, g2);
  EXPECT_FALSE(c.find("192.0.2.1", g3));
  EXPECT_EQ(c.size(), 0u);
  // An entry made from an older snapshot (a slow request) is not kept for the new one.
  c.put("192.0.2.9", g2, value("old"));
  EXPECT_FALSE(c.find("192.0.2.9", g3));
  EXPECT_EQ(c.size(), 0u);
}

TEST(AnswerCache, EntriesAreBoundedAndZeroKeepsNone) {
  AnswerCache c(3);
  const uint64_t g = c.generation(c.new_connection(), 1);
  for (int i = 0; i < 10; ++i) c.put("10.0.0." + std::to_string(i), g, value("v"));
  EXPECT_EQ(c.size(), 3u);
  EXPECT_TRUE(c.find("10.0.0.9", g));  // the newest stays
  AnswerCache none(0);
  const uint64_t h = none.generation(none.new_connection(), 1);
  none.put("10.0.0.1", h, value("v"));
  EXPECT_FALSE(none.find("10.0.0.1", h));
}

// `run` ingests and rewrites weeks while `serve` answers: after each commit, every connection's lookup of the
// ip shows it, also one whose own previous lookup filled the cache and one that had looked it up before.
TEST(AnswerCacheServe, ALookupAfterAnIngestSeesTheNewProbes) {
  const auto& d = sgtest::demo_db();
  ASSERT_TRUE(d.error.empty()) << d.error;
  const std::string dir = d.dir + "/cache_update";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const std::string copy = dir + "/copy.db";
  {
    sg::Db src(d.db, sg::Access::read_only);
    src.exec(("VACUUM INTO '" + copy + "'").c_str());
  }
  auto cache = std::make_shared<AnswerCache>();
  sg::serve::Api a(copy, sg::serve::kQueryTimeoutMs, cache), b(copy, sg::serve::kQueryTimeoutMs, cache);
  sg::serve::Request r;
  r.path = std::string("/v1/ip/") + sgtest::DemoDb::kHostileIp;
  auto lookup = [&](sg::serve::Api& api) {
    auto res = api.handle(r);
    EXPECT_EQ(res.status, 200) << res.body;
    return json::parse(res.body);
  };
  auto agents = [](const json& j) {
    std::set<std::string> out;
    for (const auto& v : j["fingerprints"]["user_agents"]) out.insert(v["value"].get<std::string>());
    return out;
  };
  const json before = lookup(a);
  EXPECT_EQ(before, lookup(b));  // b answered from a's entry (or made its own): the same answer
  EXPECT_EQ(before, lookup(a));
  EXPECT_GE(cache->size(), 1u);
  EXPECT_FALSE(agents(before).count("second-agent/2.0"));

  const std::string req = "GET /again HTTP/1.1\r\nHost: 192.0.2.1\r\nUser-Agent: second-agent/2.0\r\n\r\n";
  sgtest::write_pcap(dir + "/later.pcap", 1,
                     sgtest::tcp_session(1737540000000000, {203, 0, 113, 66}, {192, 0, 2, 1}, 41001, 80, {req}));
  auto ing = sgtest::run_cli("ingest -q --db " + copy + " --sensor-net 192.0.2.0/28 " + dir + "/later.pcap");
  ASSERT_EQ(ing.rc, 0) << ing.out;

  for (auto* api : {&a, &b, &a}) {
    const json after = lookup(*api);
    EXPECT_EQ(after["probes"], before["probes"].get<int64_t>() + 1);
    EXPECT_TRUE(agents(after).count("second-agent/2.0")) << after["fingerprints"].dump();
    EXPECT_TRUE(agents(after).count(sgtest::DemoDb::kHostileUa));
  }
  // identify rewrites the ip's latest week: the next answers name the new organisation.
  {
    sg::ProbeStore store(copy);
    sg::ScannerStore scanners(store.db());
    sg::ScannerQuery q;
    q.ip = sgtest::DemoDb::kHostileIp;
    auto rows = scanners.rows(q);
    ASSERT_FALSE(rows.empty());
    sg::ScannerQuery week;
    week.from_us = rows.back().window_start;
    week.to_us = rows.back().window_start + 1;
    auto all = scanners.rows(week);
    for (auto& row : all)
      if (row.ip == sgtest::DemoDb::kHostileIp) row.org = "renamed-org";
    scanners.replace_window(rows.back().window_start, rows.back().window_end, all);
  }
  for (auto* api : {&b, &a}) EXPECT_EQ(lookup(*api)["org"], "renamed-org");
  // A server that keeps nothing gives the same answer.
  sg::serve::Api uncached(copy, sg::serve::kQueryTimeoutMs, std::make_shared<AnswerCache>(0));
  EXPECT_EQ(lookup(uncached), lookup(a));
  std::filesystem::remove_all(dir);
}

}  // namespace
