// Per-probe predictions in SQLite: round trip, idempotent reruns, damaged rows reported.
#include "model/prediction_store.h"

#include <gtest/gtest.h>

#include <filesystem>

namespace sg::model {
namespace {

Prediction two_probes(float shift) {
  Prediction p;
  p.num_classes = 2;
  p.pred = {1, 2};
  p.probs = {0.1f + shift, 0.8f, 0.1f, 0.2f, 0.2f, 0.6f};
  for (int i = 0; i < 2 * kFeatureDim; ++i) p.feature.push_back(static_cast<float>(i) * 0.5f + shift);
  return p;
}

class PredictionStore : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = (std::filesystem::temp_directory_path() / ("sg_pred_" + std::to_string(::getpid()) + ".db")).string();
    std::filesystem::remove(path_);
  }
  void TearDown() override { std::filesystem::remove(path_); }
  std::string path_;
};

TEST_F(PredictionStore, RoundTripAndIdempotentRerun) {
  Db db(path_);
  store_predictions(db, "http@w1", {7, 3}, two_probes(0));
  store_predictions(db, "http@w1", {7, 3}, two_probes(0.05f));  // rerun replaces, never duplicates
  store_predictions(db, "tls@w1", {3}, [] {
    auto p = two_probes(0);
    p.pred.resize(1);
    p.probs.resize(3);
    p.feature.resize(kFeatureDim);
    return p;
  }());
  auto rows = load_predictions(db, "http@w1");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].probe_id, 3);  // ordered by probe id
  EXPECT_EQ(rows[0].pred, 2);
  EXPECT_FLOAT_EQ(rows[1].probs[0], 0.15f);
  EXPECT_EQ(rows[1].feature.size(), static_cast<size_t>(kFeatureDim));
  EXPECT_FLOAT_EQ(rows[1].feature[1], 0.55f);
  EXPECT_EQ(load_predictions(db, "tls@w1").size(), 1u);
  EXPECT_TRUE(load_predictions(db, "dns@w1").empty());
}

TEST_F(PredictionStore, DamagedRowIsReportedWithItsProbe) {
  Db db(path_);
  store_predictions(db, "m", {5}, [] {
    auto p = two_probes(0);
    p.pred.resize(1);
    p.probs.resize(3);
    p.feature.resize(kFeatureDim);
    return p;
  }());
  db.exec("UPDATE probe_predictions SET probs = x'0000'");
  try {
    load_predictions(db, "m");
    FAIL() << "damaged row loaded";
  } catch (const StoreError& e) {
    EXPECT_NE(std::string(e.what()).find("probe 5"), std::string::npos) << e.what();
  }
}

TEST_F(PredictionStore, MismatchedCountsAreRejected) {
  Db db(path_);
  EXPECT_THROW(store_predictions(db, "m", {1, 2, 3}, two_probes(0)), std::invalid_argument);
}

}  // namespace
}  // namespace sg::model
