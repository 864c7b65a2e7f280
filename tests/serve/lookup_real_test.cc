// `lookup` on the real scanner captures of ../shared/data/pcaps (skipped when absent): ingest them, import
// every list of ../shared/data/lists, then look up each address of pcaps/expected_labels.tsv. Each must
// come back with its probe, the organisation the lists give it at its capture date (the expected one, or
// none where the file says none), and evidence that names the port it probed.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "labels/aliases.h"
#include "support/cli_run.h"

namespace {

namespace fs = std::filesystem;
const std::string kData = SG_SHARED_DATA;

// expected_labels.tsv spells some organisations its own way ("paloalto-xpanse"); the alias table maps them.
std::string canonical(const std::string& org) { return *sg::labels::Aliases::builtin().normalise(org); }

std::vector<std::vector<std::string>> expected_rows() {
  std::vector<std::vector<std::string>> rows;
  std::ifstream in(kData + "/pcaps/expected_labels.tsv");
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    std::vector<std::string> cols;
    std::stringstream ss(line);
    for (std::string c; std::getline(ss, c, '\t');) cols.push_back(c);
    if (cols.size() == 7) rows.push_back(cols);
  }
  return rows;
}

TEST(LookupRealCaptures, EveryExpectedAddressHasItsProbeLabelAndEvidence) {
  if (!fs::exists(kData + "/pcaps/expected_labels.tsv") || !fs::exists(kData + "/lists"))
    GTEST_SKIP() << "no shared data at " << kData;
  fs::path dir = fs::temp_directory_path() / ("sg_lookup_real_" + std::to_string(getpid()));
  fs::create_directories(dir);
  const std::string db = (dir / "real.db").string();
  auto r = sgtest::run_cli("ingest -q --db " + db + " " + kData + "/pcaps");
  ASSERT_EQ(r.rc, 0) << r.out;
  r = sgtest::run_cli("labels import -q --db " + db + " " + kData + "/lists");
  ASSERT_EQ(r.rc, 0) << r.out;

  auto rows = expected_rows();
  ASSERT_GT(rows.size(), 10u);
  size_t labelled = 0;
  for (const auto& row : rows) {
    const std::string& ip = row[1];
    SCOPED_TRACE(ip + " in " + row[0]);
    r = sgtest::run_cli("lookup --format json --db " + db + " " + ip);
    ASSERT_EQ(r.rc, 0) << r.out;
    auto j = nlohmann::json::parse(r.out).at(0);  // one array, an object per ip
    EXPECT_GE(j["probes"].get<int>(), 1);
    EXPECT_EQ(j["first_probe"].get<std::string>().substr(0, 10), row[2]);
    // The port of its first payload is among the ports it probed.
    bool port_seen = false;
    for (const auto& p : j["evidence"]["ports"]) port_seen |= p[0].get<std::string>().ends_with("/" + row[3]);
    EXPECT_TRUE(port_seen) << j["evidence"].dump();
    const bool crawler = row[0].starts_with("crawler_real/");  // listed from 2025 only: no label in 2022
    if (row[5] == "-" || crawler) {
      EXPECT_TRUE(j["labels"].empty()) << j["labels"].dump();
    } else {
      ASSERT_EQ(j["labels"].size(), 1u) << j["labels"].dump();
      EXPECT_EQ(j["labels"][0]["org"], canonical(row[5]));
      EXPECT_FALSE(j["labels"][0]["sources"].get<std::string>().empty());
      ++labelled;
    }
    EXPECT_TRUE(j["windows"].empty());  // no model was trained on this database
    // What the first payload was shows in the evidence: a user agent for HTTP, ja3/ja4 for TLS, the
    // payload's first bytes for protocols no analyzer parses.
    if (row[4] == "HTTP") {
      EXPECT_TRUE(j["evidence"].contains("user_agents")) << j["evidence"].dump();
    }
    if (row[4].starts_with("TLS")) {
      EXPECT_TRUE(j["evidence"].contains("ja4s")) << j["evidence"].dump();
    }
    if (row[4] == "BACnet-APDU" || row[4] == "PGSQL") {
      EXPECT_TRUE(j["evidence"].contains("payloads")) << j["evidence"].dump();
    }
  }
  EXPECT_EQ(labelled, 14u);

  // Stretchoid's probe opens with its well-known marker; the table form shows it as text.
  r = sgtest::run_cli("lookup --db " + db + " 159.203.208.13");
  EXPECT_NE(r.out.find("listed: stretchoid"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("payloads: \"MGLNDD_"), std::string::npos) << r.out;
  fs::remove_all(dir);
}

}  // namespace
