#include <gtest/gtest.h>

#include <filesystem>

#include "storage/prediction_store.h"
#include "storage/probe_store.h"

namespace sg {
namespace {

TEST(PredictionStore, StoresReplacesAndJoinsWithProbes) {
  std::string path = testing::TempDir() + "/predictions_test.db";
  for (auto s : {"", "-wal", "-shm"}) std::filesystem::remove(path + s);
  ProbeStore store(path);
  int64_t cap = store.begin_capture("abc", "x.pcap", 1);
  for (int i = 0; i < 3; ++i) {
    Probe p;
    p.ts_us = 1000 + i;
    p.src = "192.0.2." + std::to_string(i + 1);
    p.dst = "198.51.100.1";
    p.sport = 40000;
    p.dport = 80;
    p.service = i == 2 ? Service::tls : Service::http;
    store.add_probe(cap, p);
  }
  store.finish_capture(cap, IngestStats{}, "");
  PredictionStore preds(store.db());
  EXPECT_EQ(preds.missing("http", 0, 5000, "m1").size(), 2u);
  preds.put({{1, "m1", "shodan", 0.75, {1.5f, -2.0f}}, {2, "m1", "unknown", 0.6, {}}});
  EXPECT_TRUE(preds.missing("http", 0, 5000, "m1").empty());
  EXPECT_EQ(preds.missing("http", 0, 5000, "m2").size(), 2u);  // a newer model predicts again
  preds.put({{1, "m2", "censys", 0.9, {3.0f}}});

  PredictionQuery q;
  q.service = "http";
  q.with_feature = true;
  std::vector<PredictedProbe> got;
  preds.for_each(q, [&](const PredictedProbe& p) { got.push_back(p); });
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].ip, "192.0.2.1");
  EXPECT_EQ(got[0].org, "censys");
  EXPECT_EQ(got[0].model, "m2");
  EXPECT_EQ(got[0].feature, std::vector<float>{3.0f});
  EXPECT_EQ(got[1].org, "unknown");
  EXPECT_TRUE(got[1].feature.empty());
  EXPECT_NEAR(got[1].prob, 0.6, 1e-12);
}

}  // namespace
}  // namespace sg
