#include <gtest/gtest.h>

#include "storage/abuse_store.h"
#include "storage/feature_store.h"
#include "storage/label_store.h"
#include "storage/probe_store.h"
#include "support/temp_dir.h"

namespace sg {
namespace {

TEST(LabelTables, MetaOfADatabaseWithoutOneReadsAsUnsetAndCreatesNothing) {
  Db db(sgtest::fresh_db_path("label_meta_test.db"));
  EXPECT_FALSE(label_meta_if_present(db, "labels.eval_unknown"));
  EXPECT_FALSE(db.has_table("meta"));
  ensure_label_tables(db);
  set_label_meta(db, "labels.eval_unknown", "censys");
  set_label_meta(db, "labels.eval_unknown", "censys,rapid7");
  EXPECT_EQ(label_meta_if_present(db, "labels.eval_unknown"), "censys,rapid7");
  EXPECT_FALSE(label_meta(db, "labels.policy"));
}

TEST(LabelTables, ReimportingAPathReplacesItsEntriesAndKeepsOpenEndsOpen) {
  ProbeStore store(
      sgtest::fresh_db_path("label_import_test.db"));  // foreign keys on: the old entries go with their import
  Db& db = store.db();
  ensure_label_tables(db);
  {
    LabelImportWriter w(db, {0, "k1", "/lists/a.txt", "text", "a", 1, 1, 0});
    EXPECT_FALSE(w.replaced());
    w.add_entry({"192.0.2.0/24", "shodan", "a", std::nullopt, std::nullopt});
    w.add_refusal(3, "coarse prefix 4.0.0.0/8");
  }
  {
    LabelImportWriter w(db, {0, "k2", "/lists/a.txt", "text", "a", 1, 0, 0});
    EXPECT_TRUE(w.replaced());
    w.add_entry({"198.51.100.0/24", "censys", "a", int64_t(1000), std::nullopt});
  }
  EXPECT_FALSE(label_import_path(db, "k1"));
  EXPECT_EQ(label_import_path(db, "k2"), "/lists/a.txt");
  std::vector<LabelEntryRow> rows;
  for_each_label_entry(db, [&](const LabelEntryRow& r) { rows.push_back(r); });
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].prefix, "198.51.100.0/24");
  EXPECT_EQ(rows[0].valid_from, 1000);
  EXPECT_FALSE(rows[0].valid_to);
  EXPECT_TRUE(label_refusals(db, 10).empty());
  ASSERT_EQ(label_imports(db).size(), 1u);
  EXPECT_EQ(label_imports(db)[0].key, "k2");
  EXPECT_EQ(label_entry_counts(db, "org"), (std::map<std::string, int64_t>{{"censys", 1}}));
}

TEST(FeatureTables, RankingKeepsRankOrderAndSchemasTheirVersions) {
  Db db(sgtest::fresh_db_path("feature_store_test.db"));
  ensure_feature_selection_tables(db);
  double mi = 0.1 + 0.2, ratio = 1.0 / 3.0;
  replace_feature_ranking(db, "http",
                          {{"http.ua", mi, ratio, 3, 9, true, false, 77}, {"http.path", 0, 0, 0, 0, false, true, 77}});
  auto rows = feature_ranking(db, "http");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].field, "http.ua");
  EXPECT_NEAR(rows[0].mi, mi, 1e-14);  // read back as SQLite's 15-digit text
  EXPECT_NEAR(rows[0].ratio, ratio, 1e-14);
  EXPECT_TRUE(rows[1].random);
  EXPECT_EQ(rows[1].until_us, 77);
  insert_feature_schema(db, {"http", "incremental", 1, 4, 16, "{}", "t1"});
  insert_feature_schema(db, {"http", "incremental", 2, 4, 16, "{\"v\":2}", "t2"});
  EXPECT_EQ(feature_schema_json(db, "http", "incremental", 0), "{\"v\":2}");
  EXPECT_EQ(feature_schema_json(db, "http", "incremental", 1), "{}");
  EXPECT_FALSE(feature_schema_json(db, "http", "full", 0));
  delete_feature_rows(db, "http");
  EXPECT_TRUE(feature_ranking(db, "http").empty());
  EXPECT_FALSE(feature_schema_json(db, "http", "incremental", 0));
}

TEST(AbuseReports, LatestCheckPerIp) {
  Db db(sgtest::fresh_db_path("abuse_store_test.db"));
  EXPECT_TRUE(abuse_report_scores(db).empty());
  create_abuse_reports(db);
  AbuseReportWriter w(db);
  EXPECT_FALSE(w.raw("192.0.2.1"));
  w.put("192.0.2.1", 10, "t1", "{\"a\":1}");
  w.put("192.0.2.1", 40, "t2", "{\"a\":2}");
  EXPECT_EQ(w.raw("192.0.2.1"), "{\"a\":2}");
  EXPECT_EQ(abuse_report_scores(db), (std::map<std::string, int>{{"192.0.2.1", 40}}));
}

}  // namespace
}  // namespace sg
