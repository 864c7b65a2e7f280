// The model commands refuse what would silently do nothing or harm: a range whose --from is not before
// --to, training of 0 iterations (untrained models made current), and a command run before the one it
// needs (evaluate before identify, identify before train). One line, exit non-zero, no row stored.
#include <gtest/gtest.h>

#include <string>

#include "support/cli_run.h"
#include "support/frames.h"
#include "support/temp_dir.h"

using namespace sgtest;

namespace {

// A database with probes of 2025-01-06 and nothing else.
std::string probes_db(const TempDir& dir) {
  auto frames = tcp_session(1736121600000000, {198, 51, 100, 7}, {192, 0, 2, 1}, 40001, 80,
                            {"GET / HTTP/1.1\r\nHost: s\r\n\r\n"});
  write_pcap(dir.file("c.pcap"), DLT_EN10MB, frames);
  const std::string db = dir.file("p.db");
  CliResult r = run_cli("ingest -q --db " + db + " " + dir.file("c.pcap"));
  EXPECT_EQ(r.rc, 0) << r.out;
  return db;
}

std::string evaluations(const std::string& db) {
  return run_binary("sqlite3", db + " 'SELECT count(*) FROM evaluations' 2>/dev/null").out;
}

TEST(ModelCliChecks, FromAfterToIsRefused) {
  TempDir dir("sg_cli_checks");
  const std::string db = probes_db(dir);
  for (const char* cmd : {"identify", "evaluate"}) {
    CliResult r = run_cli(std::string(cmd) + " --db " + db + " --from 2025-01-20 --to 2025-01-06");
    EXPECT_EQ(r.rc, 1) << cmd << ": " << r.out;
    EXPECT_EQ(r.out, "error: --from 2025-01-20 is not before --to 2025-01-06\n") << cmd;
  }
  EXPECT_NE(evaluations(db), "1\n");  // no evaluation row stored (or no table at all)
}

TEST(ModelCliChecks, ZeroIterationsAreRefused) {
  TempDir dir("sg_cli_checks");
  const std::string db = probes_db(dir);
  CliResult train = run_cli("train --db " + db + " --until 2025-01-13 --iterations 0");
  EXPECT_NE(train.rc, 0) << train.out;
  EXPECT_NE(train.out.find("--iterations"), std::string::npos) << train.out;
  CliResult update = run_cli("update --db " + db + " --week 2025-01-06 --iterations 0");
  EXPECT_NE(update.rc, 0) << update.out;
  EXPECT_NE(update.out.find("--iterations"), std::string::npos) << update.out;
  EXPECT_EQ(run_binary("sqlite3", db + " 'SELECT count(*) FROM model_runs' 2>/dev/null").out.find("1"),
            std::string::npos);
}

TEST(ModelCliChecks, IdentifyBeforeTrainSaysToTrainFirst) {
  TempDir dir("sg_cli_checks");
  CliResult r = run_cli("identify --db " + probes_db(dir) + " --from 2025-01-06 --to 2025-01-13");
  EXPECT_EQ(r.rc, 1) << r.out;
  EXPECT_EQ(r.out, "error: no trained models yet: run train first (scannergrouper train --db DB --until DATE)\n");
}

TEST(ModelCliChecks, EvaluateBeforeIdentifySaysToIdentifyFirst) {
  TempDir dir("sg_cli_checks");
  const std::string db = probes_db(dir);
  CliResult r = run_cli("evaluate --db " + db + " --from 2025-01-06 --to 2025-01-13");
  EXPECT_EQ(r.rc, 1) << r.out;
  EXPECT_EQ(r.out, "error: no scanner rows in this range: run identify first\n");
  EXPECT_NE(evaluations(db), "1\n");
}

}  // namespace
