// `ingest --jobs N` reads several files at once but stores them as one job does: the same captures, probes
// (ids included) and skip counts, row for row, on a folder mixing simulated captures, the end-to-end cases,
// a duplicate, a damaged capture, a file that is no input, and the shared real captures and sensor logs
// (sessions seen by a capture and a log, whose outcome depends on the order of storing). And a stop in the
// middle of a parallel ingest loses nothing once the run is repeated.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <regex>
#include <string>
#include <vector>

#include "support/cli_run.h"
#include "support/temp_dir.h"

namespace fs = std::filesystem;
using namespace sgtest;

namespace {

CliResult run(const std::string& args) { return run_binary(SG_BINARY, args, /*merge_stderr=*/false); }

std::string sql(const std::string& db, const std::string& query) {
  FILE* p = popen(("sqlite3 " + db + " \"" + query + "\" 2>&1").c_str(), "r");
  std::string out;
  char buf[65536];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  pclose(p);
  return out;
}

// Every stored row that an ingest decides (the times it ran at left out).
std::string stored(const std::string& db) {
  return sql(db, "SELECT id, sha256, path, size, status, packets, probes, error FROM captures ORDER BY id") + "--\n" +
         sql(db, "SELECT * FROM probes ORDER BY id") + "--\n" +
         sql(db, "SELECT * FROM capture_skips ORDER BY capture_id, reason") + "--\n" +
         sql(db, "SELECT * FROM probe_labels ORDER BY probe_id");
}

// __FILE__ is relative to the build directory (where the compiler ran), which holds the test artifacts.
const fs::path kCases =
    (fs::path(SG_ARTIFACTS).parent_path() / __FILE__).lexically_normal().parent_path().parent_path() / "cases";
const std::string kShared = SG_SHARED_DATA;

// Scale captures from distinct seeds, named so that the folder's order interleaves them with the rest.
void simulate_captures(const TempDir& dir, int files, int packets) {
  for (int i = 0; i < files; ++i)
    ASSERT_EQ(run("simulate -q --scenario scale --packets " + std::to_string(packets) + " --seed " +
                  std::to_string(11 + i) + " --out " + dir.file("in/s" + std::to_string(i) + ".pcap"))
                  .rc,
              0);
}

}  // namespace

TEST(ParallelIngest, StoresTheSameRowsAsOneJob) {
  TempDir dir("sg_parallel_ingest");
  fs::create_directories(dir.path() / "in" / "cases");
  simulate_captures(dir, 4, 40000);
  for (const auto& c : fs::directory_iterator(kCases)) {
    if (!c.is_directory()) continue;
    for (const auto& f : fs::directory_iterator(c.path()))
      if (f.path().filename().string().starts_with("capture."))
        fs::copy_file(f.path(), dir.path() / "in" / "cases" /
                                    (c.path().filename().string() + "-" + f.path().filename().string()));
  }
  fs::copy_file(dir.file("in/s1.pcap"), dir.file("in/s1-again.pcap"));  // same content: skipped in its turn
  {
    std::ifstream in(dir.file("in/s2.pcap"), std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), {});
    std::ofstream(dir.file("in/s2-cut.pcap"), std::ios::binary) << bytes.substr(0, bytes.size() / 2 + 7);
  }
  std::ofstream(dir.file("in/notes.json")) << "{\"not\": \"a sensor log\"}\n";
  std::string inputs = dir.file("in");
  if (fs::exists(kShared + "/pcaps")) inputs += " " + kShared + "/pcaps " + kShared + "/logs";

  const std::string one = dir.file("one.db"), four = dir.file("four.db");
  CliResult a = run("ingest -q --jobs 1 --format json --db " + one + " " + inputs + " 2>/dev/null");
  CliResult b = run("ingest -q --jobs 4 --format json --db " + four + " " + inputs + " 2>/dev/null");
  EXPECT_EQ(a.rc, b.rc);
  const std::string rows = stored(one);
  EXPECT_GT(std::stoi(sql(one, "SELECT count(*) FROM probes")), 1000);
  EXPECT_EQ(sql(one, "SELECT count(*) FROM captures WHERE status='damaged'"), "1\n");
  EXPECT_TRUE(rows == stored(four)) << "the rows differ";  // (a diff of such texts would need gigabytes)
  // The summaries agree too (s1-again.pcap skipped in its turn), but for the times and the database.
  auto counts = [](const std::string& out) {
    return std::regex_replace(out, std::regex("\"(packets_per_second|seconds)\":[0-9.e+-]+|\"db\":\"[^\"]*\""), "");
  };
  EXPECT_NE(counts(a.out).find("\"files_skipped\":"), std::string::npos) << a.out;
  EXPECT_EQ(counts(a.out), counts(b.out));

  // Again with everything stored: nothing new, whatever the jobs.
  CliResult again = run("ingest -q --jobs 3 --format json --db " + four + " " + inputs + " 2>/dev/null");
  EXPECT_NE(again.out.find("\"new_probes\":0"), std::string::npos) << again.out;
  EXPECT_TRUE(rows == stored(four));
}

// SIGINT while four files are read at once, then the same command again: the database ends as a clean run's
// (no session cut by the stop stored beside the whole one).
TEST(ParallelIngest, StopThenRerunEqualsCleanRun) {
  TempDir dir("sg_parallel_ingest");
  fs::create_directories(dir.path() / "in");
  simulate_captures(dir, 6, 150000);
  const std::string clean = dir.file("clean.db"), stopped = dir.file("stopped.db");
  ASSERT_EQ(run("ingest -q --jobs 1 --db " + clean + " " + dir.file("in")).rc, 0);

  pid_t pid = fork();
  if (pid == 0) {
    execl(SG_BINARY, SG_BINARY, "ingest", "-q", "--jobs", "4", "--db", stopped.c_str(), dir.file("in").c_str(),
          nullptr);
    _exit(127);
  }
  for (int i = 0; i < 1000; ++i) {  // as soon as the first batch is committed
    usleep(10 * 1000);
    const std::string n = sql(stopped, "SELECT count(*) FROM probes");
    if (fs::exists(stopped) && !n.empty() && n[0] >= '0' && n[0] <= '9' && n != "0\n") break;
  }
  kill(pid, SIGINT);
  int status = 0;
  waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFEXITED(status)) << "ingest did not end on SIGINT";
  EXPECT_NE(sql(stopped, "SELECT count(*) FROM captures WHERE status='complete'"), "6\n")
      << "ingest finished before the stop; the test needs larger captures";
  ASSERT_EQ(run("ingest -q --jobs 4 --db " + stopped + " " + dir.file("in")).rc, 0);
  // Ids follow the order of storing, which the stop changed; the probes themselves may not change.
  const std::string probes =
      "SELECT ts_us, src, sport, dst, dport, transport, service, truncated, json, source FROM probes "
      "ORDER BY ts_us, src, sport, dst, dport, transport";
  // Compared as a whole: gtest's diff of two such texts would need gigabytes.
  const std::string want = sql(clean, probes), got = sql(stopped, probes);
  EXPECT_TRUE(want == got) << "clean run: " << want.size() << " bytes of probes, stopped and rerun: " << got.size();
  EXPECT_EQ(sql(stopped, "SELECT count(*) FROM captures WHERE status='complete'"), "6\n");
}
