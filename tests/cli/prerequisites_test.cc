// Commands run out of order, and the messages around ingest that cron and systemd logs show: each says
// what to run first (one line, exit 1) instead of an empty table and exit 0.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>

#include "support/cli_run.h"
#include "support/frames.h"
#include "support/temp_dir.h"

using namespace sgtest;

namespace {

// An HTTP session and a DNS query on 2025-01-06: probes, but no labels and no models.
std::string small_capture(const TempDir& dir) {
  const int64_t t0 = 1736121600000000;
  auto frames = tcp_session(t0, {198, 51, 100, 7}, {192, 0, 2, 1}, 40001, 80, {"GET / HTTP/1.1\r\nHost: s\r\n\r\n"});
  Bytes q = {0xab, 0xcd, 1,   0,   0,   1, 0,   0,   0,   0,   0, 0, 7,  'v', 'e',
             'r',  's',  'i', 'o', 'n', 4, 'b', 'i', 'n', 'd', 0, 0, 16, 0,   3};
  frames.push_back({t0 + 9000, ether(ipv4({203, 0, 113, 10}, {192, 0, 2, 1}, 17, udp(5353, 53, q)))});
  write_pcap(dir.file("small.pcap"), DLT_EN10MB, frames);
  return dir.file("small.pcap");
}

std::string ingested_db(const TempDir& dir) {
  const std::string db = dir.file("p.db");
  CliResult r = run_cli("ingest -q --db " + db + " " + small_capture(dir));
  EXPECT_EQ(r.rc, 0) << r.out;
  return db;
}

TEST(Prerequisites, SelectBeforeAnyLabelImportSaysToImportLabels) {
  TempDir dir("sg_prereq");
  CliResult r = run_cli("select --db " + ingested_db(dir) + " --until 2025-02-01");
  EXPECT_EQ(r.rc, 1) << r.out;
  EXPECT_EQ(r.out, "error: no labelled probes before 2025-02-01: import labels first (scannergrouper labels import)\n");
}

TEST(Prerequisites, ClustersBeforeIdentifySaysToRunIdentify) {
  TempDir dir("sg_prereq");
  CliResult r = run_cli("clusters --db " + ingested_db(dir) + " --from 2025-01-06 --to 2025-01-13");
  EXPECT_EQ(r.rc, 1) << r.out;
  EXPECT_NE(r.out.find("run identify for the range first"), std::string::npos) << r.out;
  EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 1) << r.out;
}

TEST(IngestMessages, MissingInputLeavesNoDatabaseBehind) {
  TempDir dir("sg_prereq");
  CliResult r = run_cli("ingest --db " + dir.file("new.db") + " " + dir.file("typo.pcap"));
  EXPECT_EQ(r.rc, 1) << r.out;
  EXPECT_NE(r.out.find("typo.pcap: no such file or directory"), std::string::npos) << r.out;
  EXPECT_FALSE(std::filesystem::exists(dir.file("new.db")));
}

// A truncated capture is one message (the warning naming the offset), not that and an error line too.
TEST(IngestMessages, DamagedCaptureIsReportedOnce) {
  TempDir dir("sg_prereq");
  std::string data = read_file(small_capture(dir));
  std::ofstream(dir.file("cut.pcap"), std::ios::binary) << data.substr(0, data.size() - 20);
  CliResult r = run_cli("ingest --db " + dir.file("p.db") + " " + dir.file("cut.pcap"));
  EXPECT_EQ(r.rc, 0) << r.out;
  size_t first = r.out.find("damaged capture at byte offset");
  ASSERT_NE(first, std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("damaged capture", first + 1), std::string::npos) << r.out;
}

// With standard error not a terminal, progress is plain lines (no carriage return) every
// SG_PROGRESS_SECONDS, with the bytes of the files, a rate and the time left.
TEST(IngestMessages, ProgressLinesWhenStandardErrorIsNotATerminal) {
  TempDir dir("sg_prereq");
  const std::string cap = dir.file("scale.pcap");
  ASSERT_EQ(run_cli("simulate --scenario scale --packets 300000 --seed 3 --out " + cap).rc, 0);
  CliResult quick = run_binary("SG_PROGRESS_SECONDS=0.001 " SG_BINARY, "ingest --db " + dir.file("a.db") + " " + cap);
  ASSERT_EQ(quick.rc, 0) << quick.out;
  EXPECT_NE(quick.out.find("progress: "), std::string::npos) << quick.out;
  EXPECT_NE(quick.out.find(" MB/s, ETA "), std::string::npos) << quick.out;
  EXPECT_EQ(quick.out.find('\r'), std::string::npos);
  // An interval longer than the ingest: no line at all.
  CliResult calm = run_binary("SG_PROGRESS_SECONDS=1000 " SG_BINARY, "ingest --db " + dir.file("b.db") + " " + cap);
  ASSERT_EQ(calm.rc, 0) << calm.out;
  EXPECT_EQ(calm.out.find("progress: "), std::string::npos) << calm.out;
}

}  // namespace
