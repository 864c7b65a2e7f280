// The report assembled from a database: every section present, hostile text escaped, missing parts
// explained, and the page rendering in headless Chromium with every figure drawn.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "analysis/cluster_fixture.h"
#include "intel/abuse.h"
#include "report/chromium.h"
#include "report/report.h"
#include "util/atomic_file.h"

namespace sg::report {
namespace {

const std::vector<std::string> kSections = {"overview", "attribution", "evaluation", "organisations", "clusters",
                                            "maps",     "case1",       "abuse",      "ranking",       "models"};

TEST(Report, BuildsEverySectionFromTheDatabase) {
  sgtest::UnknownDb fx("report_build.db");
  auto checks =
      intel::parse_abuse_checks(
          R"([{"ipAddress":"203.0.113.0","abuseConfidenceScore":90},{"ipAddress":"203.0.113.1","abuseConfidenceScore":0}])",
          "t")
          .checks;
  intel::import_abuse_checks(fx.db(), checks, "2025-01-10T00:00:00Z");
  ReportOptions o;
  o.clusters.map_points = 80;
  o.clusters.map_iterations = 250;
  auto r = build_report(fx.db(), o);
  EXPECT_EQ(r.sections, kSections);
  EXPECT_EQ(r.from_us, sgtest::kWeek0);
  EXPECT_TRUE(r.clusters_computed);
  // bars + trend, 2 maps, abuse bars, MI bars (no evaluation stored: no F1 chart)
  EXPECT_EQ(r.figures, 6);
  const auto& h = r.html;
  EXPECT_EQ(h.find("<script>alert"), std::string::npos);
  EXPECT_NE(h.find("&lt;script&gt;alert(1)"), std::string::npos);
  EXPECT_NE(h.find("group0-agent/1.0"), std::string::npos);
  EXPECT_NE(h.find("http: K = "), std::string::npos);
  EXPECT_NE(h.find("192.0.2.77"), std::string::npos);  // case 1
  EXPECT_NE(h.find("50.0%"), std::string::npos);       // shodan: 1 of 2 checked ips abusive
  EXPECT_NE(h.find("Labels exist but no evaluation is stored"), std::string::npos);
  // Self-contained: nothing fetched from anywhere.
  for (const char* ext : {"src=\"http", "href=\"http", "<link", "@import", "url(http"})
    EXPECT_EQ(h.find(ext), std::string::npos) << ext;
  // The clusters computed for the report were kept: a second report reads them.
  auto again = build_report(fx.db(), o);
  EXPECT_FALSE(again.clusters_computed);

  if (!sgtest::have_chromium()) GTEST_SKIP() << "chromium not installed";
  auto dir = std::filesystem::path(testing::TempDir()) / "sg-report-build";
  std::filesystem::create_directories(dir);
  auto path = (dir / "report.html").string();
  write_text_atomically(path, r.html);
  auto dom = sgtest::chromium_dom(path);
  EXPECT_EQ(sgtest::count_of(dom, "data-rendered=\"true\""), r.figures) << dom.substr(0, 300);
  for (const auto& id : kSections) EXPECT_NE(dom.find("id=\"" + id + "\""), std::string::npos) << id;
  EXPECT_EQ(dom.find("<script>alert"), std::string::npos);
  auto shot = sgtest::chromium_screenshot(path, "report_fixture.png");
  ASSERT_TRUE(std::filesystem::exists(shot));
  EXPECT_GT(std::filesystem::file_size(shot), 20000u);
}

TEST(Report, AnEmptyDatabaseStillGivesAPageThatSaysWhy) {
  std::string path = testing::TempDir() + "/report_empty.db";
  for (auto s : {"", "-wal", "-shm"}) std::filesystem::remove(path + s);
  Db db(path);
  auto r = build_report(db, {});
  EXPECT_EQ(r.figures, 0);
  EXPECT_NE(r.html.find("holds no probes yet"), std::string::npos);
  EXPECT_NE(r.html.find("No scanner rows"), std::string::npos);
  EXPECT_NE(r.html.find("the database holds no labels"), std::string::npos);
  EXPECT_NE(r.html.find("No AbuseIPDB checks"), std::string::npos);
  EXPECT_NE(r.html.find("No model trained yet"), std::string::npos);
  ReportOptions bad;
  bad.from_us = 10;
  bad.to_us = 5;
  EXPECT_THROW(build_report(db, bad), std::invalid_argument);
}

}  // namespace
}  // namespace sg::report
