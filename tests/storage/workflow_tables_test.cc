// The workflow's tables in storage: the model registry with its window settings, and run_weeks.
#include <gtest/gtest.h>

#include "storage/model_registry.h"
#include "storage/run_weeks.h"
#include "support/temp_dir.h"

namespace sg {
namespace {

TEST(ModelRegistry, LatestRowsAndWindowSettings) {
  Db db(sgtest::fresh_db_path("model_registry_test.db"));
  ModelRegistry reg(db);
  EXPECT_FALSE(reg.latest_model("http"));
  EXPECT_FALSE(reg.window_anchor_us());
  EXPECT_FALSE(reg.window_length_us());
  ModelRun m;
  m.service = "http";
  m.mode = "full";
  m.backbone = "mlp";
  m.classes = {"censys", "shodan"};
  m.path = "m1.pt";
  int64_t first = reg.add_model(m);
  m.parent = first;
  reg.add_model(m);
  auto latest = reg.latest_model("http");
  ASSERT_TRUE(latest);
  EXPECT_EQ(latest->version, "http-" + std::to_string(first + 1));
  EXPECT_EQ(latest->parent, first);
  EXPECT_EQ(latest->classes, m.classes);
  EXPECT_EQ(reg.model("http-" + std::to_string(first))->id, first);
  EXPECT_EQ(reg.models().size(), 2u);

  reg.set_window_anchor_us(123);
  reg.set_window_length_us(456);
  EXPECT_EQ(reg.window_anchor_us(), 123);
  EXPECT_EQ(reg.window_length_us(), 456);
  EXPECT_THROW(reg.set_window_length_us(0), std::invalid_argument);
}

TEST(RunWeeks, AddKeepsKnownWeeksAndAdvanceAppendsTheLog) {
  Db db(sgtest::fresh_db_path("run_weeks_test.db"));
  RunWeeks t(db);
  t.add({200, 100}, "bootstrap", "pending", "t0");
  t.add({100, 300}, "incremental", "pending", "t1");  // 100 is known: left as it is
  t.advance({100}, "trained", "t2", 1.5, "train");
  t.advance({100}, "identified", "t3", 2.0, "identify");
  auto rows = t.rows();
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0].window_start, 100);
  EXPECT_EQ(rows[0].role, "bootstrap");
  EXPECT_EQ(rows[0].stage, "identified");
  EXPECT_EQ(rows[0].updated, "t3");
  EXPECT_DOUBLE_EQ(rows[0].seconds, 3.5);
  EXPECT_EQ(rows[0].log, "train; identify");
  EXPECT_EQ(rows[2].role, "incremental");
  EXPECT_EQ(rows[2].log, "");
}

}  // namespace
}  // namespace sg
