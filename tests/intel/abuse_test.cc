#include <gtest/gtest.h>

#include <filesystem>

#include "intel/abuse.h"
#include "storage/sqlite.h"

namespace sg::intel {
namespace {

TEST(Abuse, ReadsObjectArrayAndJsonLines) {
  auto one =
      parse_abuse_checks(R"({"data":{"ipAddress":"118.25.6.39","abuseConfidenceScore":100,"isp":"x"}})", "one.json");
  ASSERT_EQ(one.checks.size(), 1u);
  EXPECT_EQ(one.checks[0].ip, "118.25.6.39");
  EXPECT_EQ(one.checks[0].score, 100);
  EXPECT_NE(one.checks[0].raw.find("\"isp\":\"x\""), std::string::npos);

  auto arr = parse_abuse_checks(
      R"([{"data":{"ipAddress":"2001:DB8:0:0::1","abuseConfidenceScore":0}}, {"ipAddress":"192.0.2.1","abuseConfidenceScore":30}, 7])",
      "arr.json");
  ASSERT_EQ(arr.checks.size(), 2u);
  EXPECT_EQ(arr.checks[0].ip, "2001:db8::1");  // the form the probes table writes
  EXPECT_EQ(arr.checks[1].score, 30);
  ASSERT_EQ(arr.skips.size(), 1u);
  EXPECT_EQ(arr.skips[0].reason, "element 2: not a JSON object");

  auto list = parse_abuse_checks(R"({"data":[{"ipAddress":"192.0.2.9","abuseConfidenceScore":25}]})", "list.json");
  ASSERT_EQ(list.checks.size(), 1u);

  auto lines = parse_abuse_checks(
      "{\"data\":{\"ipAddress\":\"192.0.2.2\",\"abuseConfidenceScore\":55}}\n"
      "garbage {\n"
      "\n"
      "{\"data\":{\"ipAddress\":\"not-an-ip\",\"abuseConfidenceScore\":5}}\n"
      "{\"data\":{\"ipAddress\":\"192.0.2.3\",\"abuseConfidenceScore\":101}}\n"
      "{\"data\":{\"ipAddress\":\"192.0.2.4\",\"abuseConfidenceScore\":\"9\"}}\n"
      "{\"data\":[1]}\n",
      "checks.jsonl");
  ASSERT_EQ(lines.checks.size(), 1u);
  ASSERT_EQ(lines.skips.size(), 5u);
  EXPECT_EQ(lines.skips[0].line, 2u);
  EXPECT_EQ(lines.skips[0].reason, "not JSON");
  EXPECT_EQ(lines.skips[1].line, 4u);
  EXPECT_EQ(lines.skips[1].reason, "ipAddress is not an IP address");
  EXPECT_EQ(lines.skips[2].reason, "abuseConfidenceScore 101 outside 0..100");
  EXPECT_EQ(lines.skips[3].reason, "no integer abuseConfidenceScore");
  EXPECT_EQ(lines.skips[4].reason, "\"data\" is not an object");
  EXPECT_EQ(lines.skips[4].file, "checks.jsonl");
}

TEST(Abuse, ImportKeepsTheLatestCheckAndIsIdempotent) {
  std::string path = testing::TempDir() + "/abuse_test.db";
  for (auto s : {"", "-wal", "-shm"}) std::filesystem::remove(path + s);
  Db db(path);
  auto checks =
      parse_abuse_checks(
          R"([{"ipAddress":"192.0.2.1","abuseConfidenceScore":30},{"ipAddress":"192.0.2.2","abuseConfidenceScore":0}])",
          "a")
          .checks;
  auto r = import_abuse_checks(db, checks, "2025-01-01T00:00:00Z");
  EXPECT_EQ(r.added, 2u);
  r = import_abuse_checks(db, checks, "2025-02-01T00:00:00Z");
  EXPECT_EQ(r.unchanged, 2u);
  Stmt at(db, "SELECT checked_at FROM abuse_reports WHERE ip='192.0.2.1'");
  ASSERT_TRUE(at.step());
  EXPECT_EQ(at.col_text(0), "2025-01-01T00:00:00Z");  // an identical check keeps its time
  checks[0].score = 80;
  checks[0].raw = R"({"abuseConfidenceScore":80,"ipAddress":"192.0.2.1"})";
  r = import_abuse_checks(db, {checks[0]}, "2025-03-01T00:00:00Z");
  EXPECT_EQ(r.changed, 1u);
  auto scores = abuse_scores(db);
  EXPECT_EQ(scores.size(), 2u);
  EXPECT_EQ(scores["192.0.2.1"], 80);
}

}  // namespace
}  // namespace sg::intel
