// `run`, end to end on the demo captures (simulate --scenario demo: three weeks from Monday 2025-01-06, so
// with the clock pinned inside them two weeks are complete): the first week bootstraps the models, the second is
// identified with them and then updated on. Tiny training keeps it fast; the checks are about state, not accuracy: a
// rerun changes nothing, a run killed with SIGKILL and rerun ends with the same database as an uninterrupted one, and
// captures added later only add their weeks.
#include <gtest/gtest.h>

#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>
#include "support/cli_run.h"

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

namespace fs = std::filesystem;

namespace {

using Result = sgtest::CliResult;
Result run(const std::string& args) { return sgtest::run_cli(args); }

// Rows of a query as text, one line per row, columns tab-separated; "" when the table is missing.
std::string query(const std::string& db, const std::string& sql) {
  sqlite3* h = nullptr;
  std::string out;
  if (sqlite3_open_v2(db.c_str(), &h, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
    sqlite3_busy_timeout(h, 5000);
    sqlite3_stmt* s = nullptr;
    if (sqlite3_prepare_v2(h, sql.c_str(), -1, &s, nullptr) == SQLITE_OK) {
      while (sqlite3_step(s) == SQLITE_ROW) {
        for (int i = 0; i < sqlite3_column_count(s); ++i) {
          const unsigned char* t = sqlite3_column_text(s, i);
          out += (i ? "\t" : "") + std::string(t ? reinterpret_cast<const char*>(t) : "NULL");
        }
        out += "\n";
      }
      sqlite3_finalize(s);
    }
  }
  sqlite3_close(h);
  return out;
}

// Everything run decides, without the columns that say when or how long things ran (created, updated,
// seconds, log) or where a checkpoint file landed (its name holds the time).
std::string dump(const std::string& db) {
  return "scanners\n" +
         query(db,
               "SELECT window_start, window_end, ip, org, probability, votes, first_seen, last_seen, services, "
               "probes, evidence, model_version FROM scanners ORDER BY window_start, ip") +
         "run_weeks\n" + query(db, "SELECT window_start, role, stage FROM run_weeks ORDER BY window_start") +
         "model_runs\n" +
         query(db,
               "SELECT id, service, mode, backbone, schema_version, classes, data_from, data_to, iterations, "
               "parent FROM model_runs ORDER BY id") +
         "ensemble_runs\n" +
         query(db,
               "SELECT id, classes, service_models, outcomes, theta, proba, data_to, rows, train_f1 "
               "FROM ensemble_runs ORDER BY id") +
         "predictions\n" +
         query(db, "SELECT probe_id, model, org, prob, hex(feature) FROM probe_predictions ORDER BY probe_id") +
         "scores\n" + query(db, "SELECT probe_id, model, org, prob FROM probe_scores ORDER BY probe_id") + "schemas\n" +
         query(db, "SELECT count(*) FROM feature_schema");
}

std::string read(const fs::path& p) {
  std::ifstream f(p);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

class Run : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    // The clock of the demo's second week: weeks are completed by later probes only, as in a folder that
    // is still being written (every run below, and the processes they fork, inherit it).
    setenv("SG_NOW", "2025-01-15T00:00:00Z", 1);
    dir_ = fs::temp_directory_path() / ("sg_run_" + std::to_string(getpid()));
    fs::create_directories(dir_ / "demo");
    Result r = run("simulate --scenario demo --out " + (dir_ / "demo").string() + "/");
    ASSERT_EQ(r.rc, 0) << r.out;
    // The uninterrupted run every test compares against.
    fs::create_directories(dir_ / "clean");
    clean_ = run_args(dir_ / "clean", dir_ / "demo");
    clean_result_ = run(clean_);
  }
  static void TearDownTestSuite() { fs::remove_all(dir_); }

  // The command line of a run over `captures` with its database (and reports) in `where`.
  static std::string run_args(const fs::path& where, const fs::path& captures) {
    return "run --db " + (where / "sg.db").string() + " --captures " + captures.string() +
           " --sensor-net 192.0.2.0/28 --sensor-net 2001:db8::/124 --labels " + (dir_ / "demo/labels.tsv").string() +
           " --report " + (where / "reports").string() +
           " --bootstrap-weeks 1 --iterations 20 --week-iterations 10 --batch 16 --week-batch 16 --seed 7";
  }
  static std::string db(const std::string& name) { return (dir_ / name / "sg.db").string(); }

  static fs::path dir_;
  static std::string clean_;
  static Result clean_result_;
};

fs::path Run::dir_;
std::string Run::clean_;
Result Run::clean_result_;

TEST_F(Run, WeeksAreProcessedAndARerunChangesNothing) {
  ASSERT_EQ(clean_result_.rc, 0) << clean_result_.out;
  const std::string d = db("clean");
  EXPECT_EQ(query(d, "SELECT date(window_start/1000000, 'unixepoch'), role, stage FROM run_weeks ORDER BY 1"),
            "2025-01-06\tbootstrap\treported\n2025-01-13\tincremental\treported\n")
      << clean_result_.out;
  EXPECT_GT(std::stoi(query(d,
                            "SELECT count(*) FROM scanners WHERE window_start = "
                            "(SELECT max(window_start) FROM run_weeks)")),
            50);
  // The bootstrap trains http, tls and dns once; the second week updates each of them once.
  EXPECT_EQ(query(d, "SELECT service, mode, parent IS NULL FROM model_runs ORDER BY id"),
            "http\tincremental\t1\ntls\tincremental\t1\ndns\tincremental\t1\n"
            "http\tincremental\t0\ntls\tincremental\t0\ndns\tincremental\t0\n");
  // Week 2 was scored by the bootstrap ensemble, before the update (the honest order).
  EXPECT_EQ(query(d,
                  "SELECT DISTINCT model_version FROM scanners WHERE window_start = "
                  "(SELECT max(window_start) FROM run_weeks)"),
            "ensemble-1\n");
  // Its probe-level scores stay those of the bootstrap models, although the update then re-predicted
  // the week with the updated ones (which trained on it).
  const std::string week2 =
      " JOIN probes p ON p.id = r.probe_id WHERE p.ts_us >= (SELECT max(window_start) FROM run_weeks) AND "
      "p.ts_us < (SELECT max(window_start) FROM run_weeks) + 7 * 86400 * 1000000";
  EXPECT_EQ(
      query(d, "SELECT group_concat(model) FROM (SELECT DISTINCT r.model FROM probe_scores r" + week2 + " ORDER BY 1)"),
      "dns-3,http-1,tls-2\n");
  EXPECT_EQ(query(d, "SELECT group_concat(model) FROM (SELECT DISTINCT r.model FROM probe_predictions r" + week2 +
                         " ORDER BY 1)"),
            "dns-6,http-4,tls-5\n");
  EXPECT_EQ(query(d, "SELECT count(*) > 100 FROM probe_scores r" + week2), "1\n");
  // evaluate names the ensemble that scored the week (not the latest, ensemble-2) and has probe tables.
  Result ev = run("evaluate --db " + d + " --from 2025-01-13 --to 2025-01-20 --format json");
  ASSERT_EQ(ev.rc, 0) << ev.out;
  EXPECT_NE(ev.out.find("\"ensemble\":\"ensemble-1\""), std::string::npos) << ev.out;
  EXPECT_NE(ev.out.find("\"http\":{\"accuracy\""), std::string::npos) << ev.out;
  EXPECT_NE(clean_result_.out.find("2025-01-13 week: identify"), std::string::npos) << clean_result_.out;
  std::string report = read(dir_ / "clean/reports/week-2025-01-13.txt");
  EXPECT_NE(report.find("scanners: "), std::string::npos) << report;
  EXPECT_TRUE(fs::exists(dir_ / "clean/reports/week-2025-01-06.txt"));

  const std::string before = dump(d);
  const std::string log_before = query(d, "SELECT log FROM run_weeks ORDER BY window_start");
  Result again = run(clean_);
  ASSERT_EQ(again.rc, 0) << again.out;
  EXPECT_EQ(dump(d), before);
  EXPECT_EQ(query(d, "SELECT log FROM run_weeks ORDER BY window_start"), log_before);  // no stage ran again
  EXPECT_NE(again.out.find("0 new file(s), 21 already ingested"), std::string::npos) << again.out;
  EXPECT_EQ(read(dir_ / "clean/reports/week-2025-01-13.txt"), report);
}

// kill -9 in the middle, then a rerun: the database ends as the uninterrupted run's.
TEST_F(Run, KillDuringRunThenRerunEqualsUninterruptedRun) {
  ASSERT_EQ(clean_result_.rc, 0) << clean_result_.out;
  fs::create_directories(dir_ / "killed");
  const std::string d = db("killed");
  const std::string args = run_args(dir_ / "killed", dir_ / "demo") + " >/dev/null 2>&1";
  // Four kills, each once the state shows the previous run got further: inside the bootstrap training
  // (http registered, tls not), inside the first week's identify, inside the second week's update before
  // any model changed, and inside it again after http was updated but tls and dns not.
  const std::pair<const char*, const char*> kills[] = {
      {"mid bootstrap training", "SELECT count(*) >= 1 FROM model_runs"},
      {"bootstrap trained", "SELECT count(*) FROM run_weeks WHERE role = 'bootstrap' AND stage != 'pending'"},
      {"second week identified", "SELECT count(*) FROM run_weeks WHERE role = 'incremental' AND stage != 'pending'"},
      {"mid update", "SELECT count(*) >= 4 FROM model_runs"},
  };
  for (const auto& [what, progress] : kills) {
    pid_t pid = fork();
    if (pid == 0) {
      execl("/bin/sh", "sh", "-c", ("exec " + std::string(SG_BINARY) + " " + args).c_str(), nullptr);
      _exit(127);
    }
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
    bool seen = false;
    while (!seen && std::chrono::steady_clock::now() < deadline) {
      int st = 0;
      if (waitpid(pid, &st, WNOHANG) == pid) FAIL() << "run ended before the state showed: " << what;
      seen = query(d, progress) == "1\n";
      if (!seen) std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    kill(pid, SIGKILL);
    int status = 0;
    waitpid(pid, &status, 0);
    ASSERT_TRUE(seen) << "the state never showed: " << what;
    ASSERT_TRUE(WIFSIGNALED(status)) << "run finished before the kill (" << what << ")";
  }
  EXPECT_NE(query(d, "SELECT count(*) FROM run_weeks WHERE stage = 'reported'"), "2\n");
  Result r = run(run_args(dir_ / "killed", dir_ / "demo"));
  ASSERT_EQ(r.rc, 0) << r.out;
  EXPECT_EQ(dump(d), dump(db("clean")));
  EXPECT_EQ(read(dir_ / "killed/reports/week-2025-01-13.txt"), read(dir_ / "clean/reports/week-2025-01-13.txt"));
}

// Captures added later: only the weeks they complete are processed, and the end state is the same as
// one run over every capture.
TEST_F(Run, NewCapturesLaterProcessOnlyTheNewWeeks) {
  ASSERT_EQ(clean_result_.rc, 0) << clean_result_.out;
  fs::create_directories(dir_ / "grow/captures");
  std::vector<fs::path> days;
  for (const auto& e : fs::directory_iterator(dir_ / "demo"))
    if (e.path().extension() == ".pcap") days.push_back(e.path());
  std::sort(days.begin(), days.end());
  ASSERT_EQ(days.size(), 21u);
  for (size_t i = 0; i < 9; ++i) fs::copy_file(days[i], dir_ / "grow/captures" / days[i].filename());  // to 01-14
  const std::string d = db("grow");
  const std::string args = run_args(dir_ / "grow", dir_ / "grow/captures");
  Result first = run(args);
  ASSERT_EQ(first.rc, 0) << first.out;
  EXPECT_EQ(query(d, "SELECT date(window_start/1000000, 'unixepoch'), stage FROM run_weeks"), "2025-01-06\treported\n");
  const std::string week1_log = query(d, "SELECT log FROM run_weeks");
  const std::string models = query(d, "SELECT id, service, data_to FROM model_runs ORDER BY id");

  for (size_t i = 9; i < days.size(); ++i) fs::copy_file(days[i], dir_ / "grow/captures" / days[i].filename());
  Result second = run(args);
  ASSERT_EQ(second.rc, 0) << second.out;
  EXPECT_NE(second.out.find("12 new file(s), 9 already ingested"), std::string::npos) << second.out;
  EXPECT_EQ(second.out.find("bootstrap"), std::string::npos) << second.out;
  EXPECT_EQ(second.out.find("2025-01-06 week"), std::string::npos) << second.out;
  EXPECT_NE(second.out.find("2025-01-13 week: identify"), std::string::npos) << second.out;
  EXPECT_EQ(query(d, "SELECT log FROM run_weeks WHERE date(window_start/1000000, 'unixepoch') = '2025-01-06'"),
            week1_log);
  EXPECT_EQ(query(d, "SELECT id, service, data_to FROM model_runs ORDER BY id").substr(0, models.size()), models);
  EXPECT_EQ(dump(d), dump(db("clean")));
}

// --watch: a running `run` picks up captures as they arrive (written under another name, then renamed, as
// the README asks) and SIGTERM ends it cleanly; the result is again the uninterrupted run's.
TEST_F(Run, WatchPicksUpNewCapturesUntilSigterm) {
  ASSERT_EQ(clean_result_.rc, 0) << clean_result_.out;
  const fs::path captures = dir_ / "watch/captures";
  fs::create_directories(captures);
  std::vector<fs::path> days;
  for (const auto& e : fs::directory_iterator(dir_ / "demo"))
    if (e.path().extension() == ".pcap") days.push_back(e.path());
  std::sort(days.begin(), days.end());
  auto add = [&](size_t from, size_t to) {
    for (size_t i = from; i < to; ++i) {
      fs::copy_file(days[i], captures / (days[i].filename().string() + ".part"));
      fs::rename(captures / (days[i].filename().string() + ".part"), captures / days[i].filename());
    }
  };
  add(0, 9);
  const std::string d = db("watch");
  const std::string log = (dir_ / "watch/log.txt").string();
  pid_t pid = fork();
  if (pid == 0) {
    std::string cmd =
        "exec " + std::string(SG_BINARY) + " " + run_args(dir_ / "watch", captures) + " --watch 1 >" + log + " 2>&1";
    execl("/bin/sh", "sh", "-c", cmd.c_str(), nullptr);
    _exit(127);
  }
  auto wait_reported = [&](const char* n) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
    while (std::chrono::steady_clock::now() < deadline) {
      if (query(d, "SELECT count(*) FROM run_weeks WHERE stage = 'reported'") == std::string(n) + "\n") return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
  };
  bool first = wait_reported("1");
  if (first) add(9, days.size());
  bool second = first && wait_reported("2");
  kill(pid, SIGTERM);
  int status = 0;
  waitpid(pid, &status, 0);
  ASSERT_TRUE(first && second) << read(log);
  ASSERT_TRUE(WIFEXITED(status)) << read(log);
  EXPECT_EQ(WEXITSTATUS(status), 0) << read(log);
  EXPECT_NE(read(log).find("stopped by signal"), std::string::npos) << read(log);
  EXPECT_EQ(dump(d), dump(db("clean")));
}

// A finished folder, run long after its last capture: the clock completes the last week, which no later
// probe ever will, so week 3 is identified too; the bootstrap weeks say they were scored in-sample.
TEST_F(Run, FinishedFolderCompletesItsLastWeekByTheClock) {
  const fs::path where = dir_ / "finished";
  fs::create_directories(where);
  std::string args = run_args(where, dir_ / "demo");
  args.replace(args.find("--bootstrap-weeks 1"), 19, "--bootstrap-weeks 2");
  Result r = sgtest::run_binary("SG_NOW=2025-03-01T00:00:00Z " SG_BINARY, args);
  ASSERT_EQ(r.rc, 0) << r.out;
  const std::string d = db("finished");
  EXPECT_EQ(query(d, "SELECT date(window_start/1000000, 'unixepoch'), role, stage FROM run_weeks ORDER BY 1"),
            "2025-01-06\tbootstrap\treported\n2025-01-13\tbootstrap\treported\n2025-01-20\tincremental\treported\n")
      << r.out;
  EXPECT_NE(r.out.find("3 of 3 complete week(s) done"), std::string::npos) << r.out;
  EXPECT_GT(std::stoi(query(d,
                            "SELECT count(*) FROM scanners WHERE date(window_start/1000000, 'unixepoch') = "
                            "'2025-01-20'")),
            0);
  const std::string in_sample = "in-sample: scored by models trained on this week";
  EXPECT_NE(read(where / "reports/week-2025-01-06.txt").find(in_sample), std::string::npos);
  EXPECT_NE(read(where / "reports/week-2025-01-13.txt").find(in_sample), std::string::npos);
  EXPECT_EQ(read(where / "reports/week-2025-01-20.txt").find(in_sample), std::string::npos);
  EXPECT_NE(r.out.find("2025-01-06 week: identify"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(", in-sample)"), std::string::npos) << r.out;
}

TEST(RunCli, HelpTeachesAndBadOptionsGiveOneLine) {
  Result help = run("run --help");
  EXPECT_EQ(help.rc, 0);
  EXPECT_NE(help.out.find("Example: scannergrouper run"), std::string::npos) << help.out;
  Result bad = run("run --db /nonexistent/x.db --captures /nonexistent/dir");
  EXPECT_NE(bad.rc, 0);
  Result no_weeks = run("run --db /tmp/sg_run_bad.db --captures /tmp --bootstrap-weeks 0");
  EXPECT_NE(no_weeks.rc, 0);
  EXPECT_NE(no_weeks.out.find("--bootstrap-weeks"), std::string::npos) << no_weeks.out;
  fs::remove("/tmp/sg_run_bad.db");
}

}  // namespace
