// Every command on a PostgreSQL database (a server of the test's own, tests/support/pg_server.h): the demo
// pipeline gives byte for byte what it gives on SQLite, several sensors ingesting at once store each probe
// exactly once, a rerun adds nothing, and an ingest killed mid-way and restarted loses and duplicates
// nothing.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "support/cli_run.h"
#include "support/pg_server.h"
#include "support/temp_dir.h"

using namespace sgtest;

namespace {

std::string q(const std::string& s) { return "'" + s + "'"; }

// The demo's captures (21 days, 3,630 probes), written once per test.
std::vector<std::string> demo_captures(const TempDir& dir) {
  CliResult sim = run_cli("simulate --scenario demo --seed 1 --out " + dir.file("demo") + "/");
  EXPECT_EQ(sim.rc, 0) << sim.out;
  std::vector<std::string> files;
  for (const auto& e : std::filesystem::directory_iterator(dir.file("demo")))
    if (e.path().extension() == ".pcap") files.push_back(e.path().string());
  std::sort(files.begin(), files.end());
  return files;
}

TEST(Postgres, DemoGivesTheSameResultsAsSqlite) {
  PgServer server;
  SG_REQUIRE_PG(server);
  TempDir dir("sg_pg_demo");
  demo_captures(dir);
  const std::string demo = dir.file("demo");
  const std::string sqlite = dir.file("s.db"), pg = server.create_db("demo");
  // Model checkpoints of a PostgreSQL database go to the working directory (pg-DBNAME.models/): the test's own.
  auto run_cli = [&](const std::string& args) {
    return run_binary("cd " + dir.path().string() + " && " SG_BINARY, args);
  };
  for (const std::string& db : {sqlite, pg}) {
    const std::string tag = db == sqlite ? "s" : "p";
    CliResult in =
        run_cli("ingest -q --db " + q(db) + " --sensor-net 192.0.2.0/28 --sensor-net 2001:db8::/124 " + demo);
    ASSERT_EQ(in.rc, 0) << tag << ": " << in.out;
    CliResult again = run_cli("ingest --db " + q(db) + " " + demo);
    EXPECT_NE(again.out.find("stored 0 new probes"), std::string::npos) << again.out;
    CliResult labels = run_cli("labels import --db " + q(db) + " " + demo + "/labels.tsv");
    ASSERT_EQ(labels.rc, 0) << labels.out;
    if (SG_WITH_MODELS) {
      ASSERT_EQ(run_cli("select -q --db " + q(db) + " --until 2025-01-20").rc, 0);
      CliResult train = run_cli("train -q --db " + q(db) + " --until 2025-01-20 --iterations 30 --seed 1");
      ASSERT_EQ(train.rc, 0) << train.out;
      CliResult id = run_cli("identify -q --db " + q(db) + " --from 2025-01-20 --to 2025-01-27");
      ASSERT_EQ(id.rc, 0) << id.out;
      ASSERT_EQ(run_cli("export --db " + q(db) + " --format csv --out " + dir.file("scanners." + tag + ".csv")).rc, 0);
      ASSERT_EQ(run_cli("export --db " + q(db) + " --format stix --out " + dir.file("stix." + tag + ".json")).rc, 0);
    }
  }
  // What a reader sees: the probes (the export contract), lookups, the scanner database's exports.
  for (const std::string& args : {std::string("probes --db {}"), std::string("probes --db {} --format csv"),
                                  std::string("lookup --db {} 198.51.100.65 203.0.113.10 2001:db8::1")}) {
    auto with = [&](const std::string& db) {
      std::string a = args;
      a.replace(a.find("{}"), 2, q(db));
      return a;
    };
    CliResult s = run_cli(with(sqlite)), p = run_cli(with(pg));
    EXPECT_EQ(s.rc, p.rc) << args;
    EXPECT_GT(s.out.size(), 100u) << args;
    EXPECT_TRUE(s.out == p.out) << args << " differs:\nSQLite:\n"
                                << s.out.substr(0, 2000) << "\nPostgreSQL:\n"
                                << p.out.substr(0, 2000);
  }
  if (SG_WITH_MODELS) {
    for (const char* f : {"scanners.{}.csv", "stix.{}.json"}) {
      std::string s = f, p = f;
      s.replace(s.find("{}"), 2, "s");
      p.replace(p.find("{}"), 2, "p");
      const std::string a = read_file(dir.file(s)), b = read_file(dir.file(p));
      EXPECT_GT(a.size(), 1000u) << s;
      EXPECT_TRUE(a == b) << s << " and " << p << " differ";
    }
  }
  EXPECT_EQ(server.query("demo", "SELECT count(*) FROM probes"), "3630");
}

TEST(Postgres, MigrateCopiesASqliteStoreAndARerunAddsNothing) {
  PgServer server;
  SG_REQUIRE_PG(server);
  TempDir dir("sg_pg_migrate");
  demo_captures(dir);
  const std::string sqlite = dir.file("s.db");
  ASSERT_EQ(run_cli("ingest -q --db " + sqlite + " " + dir.file("demo")).rc, 0);
  ASSERT_EQ(run_cli("labels import -q --db " + sqlite + " " + dir.file("demo") + "/labels.tsv").rc, 0);
  const std::string pg = server.create_db("moved");
  CliResult m = run_cli("migrate --from " + sqlite + " --to " + q(pg));
  ASSERT_EQ(m.rc, 0) << m.out;
  EXPECT_NE(m.out.find("probes             3630 rows"), std::string::npos) << m.out;
  CliResult again = run_cli("migrate --from " + sqlite + " --to " + q(pg));
  ASSERT_EQ(again.rc, 0) << again.out;
  EXPECT_NE(again.out.find("migrated 0 rows"), std::string::npos) << again.out;
  EXPECT_EQ(run_cli("probes --db " + sqlite).out, run_cli("probes --db " + q(pg)).out);
  EXPECT_EQ(server.query("moved", "SELECT count(*) FROM probe_labels"),
            run_binary("sqlite3", sqlite + " 'SELECT count(*) FROM probe_labels'").out.substr(0, 4));
  // New probes after the migration get ids after the copied ones.
  EXPECT_EQ(server.query("moved", "SELECT nextval('probes_id_seq') > (SELECT max(id) FROM probes)"), "t");
  // A second, different source into the same target: refused (ids would collide).
  const std::string other = dir.file("o.db");
  ASSERT_EQ(run_cli("ingest -q --db " + other + " " + dir.file("demo")).rc, 0);
  CliResult refused = run_cli("migrate --from " + other + " --to " + q(pg));
  EXPECT_NE(refused.rc, 0);
  EXPECT_NE(refused.out.find("migrate into an empty database"), std::string::npos) << refused.out;
}

struct Child {
  pid_t pid;
  std::string log;
};

Child start(const std::string& args, const std::string& log) {
  Child c{0, log};
  const std::string cmd = std::string("exec ") + SG_BINARY + " " + args + " >" + log + " 2>&1";
  c.pid = fork();
  if (c.pid == 0) {
    execl("/bin/sh", "sh", "-c", cmd.c_str(), nullptr);
    _exit(127);
  }
  return c;
}

int finish(const Child& c) {
  int st = 0;
  waitpid(c.pid, &st, 0);
  return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

TEST(Postgres, ConcurrentSensorsStoreEveryProbeOnceAndRerunsAddNothing) {
  PgServer server;
  SG_REQUIRE_PG(server);
  TempDir dir("sg_pg_many");
  const std::vector<std::string> files = demo_captures(dir);
  ASSERT_EQ(files.size(), 21u);
  const std::string db = server.create_db("many");
  // Three sensors, each given two thirds of the captures: every capture is ingested by two of them at once.
  constexpr int kSensors = 3;
  std::vector<Child> kids;
  for (int s = 0; s < kSensors; ++s) {
    std::string inputs;
    for (size_t f = 0; f < files.size(); ++f)
      if (int(f % kSensors) != s) inputs += " " + files[f];
    kids.push_back(start("ingest -q --db " + q(db) + " --sensor sensor" + std::to_string(s) + inputs,
                         dir.file("log" + std::to_string(s))));
  }
  for (const Child& c : kids) EXPECT_EQ(finish(c), 0) << read_file(c.log);
  EXPECT_EQ(server.query("many", "SELECT count(*) FROM probes"), "3630");
  EXPECT_EQ(server.query("many",
                         "SELECT count(*) FROM (SELECT DISTINCT ts_us, src, sport, dst, dport, transport FROM "
                         "probes) d"),
            "3630");
  EXPECT_EQ(server.query("many", "SELECT count(DISTINCT id) FROM probes"), "3630");
  EXPECT_EQ(server.query("many", "SELECT count(*) FROM probes WHERE sensor NOT IN ('sensor0','sensor1','sensor2')"),
            "0");
  EXPECT_EQ(server.query("many", "SELECT count(*) FROM captures WHERE status <> 'complete'"), "0");
  // Every sensor again, all inputs: nothing new.
  CliResult again = run_cli("ingest --db " + q(db) + " --sensor sensor0 " + dir.file("demo"));
  EXPECT_EQ(again.rc, 0) << again.out;
  EXPECT_NE(again.out.find("stored 0 new probes"), std::string::npos) << again.out;
  EXPECT_EQ(server.query("many", "SELECT count(*) FROM probes"), "3630");
}

TEST(Postgres, AnIngestKilledMidWayAndRestartedLosesAndDuplicatesNothing) {
  PgServer server;
  SG_REQUIRE_PG(server);
  TempDir dir("sg_pg_kill");
  // One capture large enough to be killed while its batches go in.
  CliResult sim = run_cli("simulate --scenario scale --packets 400000 --seed 3 --out " + dir.file("big.pcap"));
  ASSERT_EQ(sim.rc, 0) << sim.out;
  const std::string reference = dir.file("ref.db");
  ASSERT_EQ(run_cli("ingest -q --db " + reference + " " + dir.file("big.pcap")).rc, 0);
  const std::string expected =
      run_binary("sqlite3", reference + " 'SELECT count(*) FROM probes'").out.substr(0, std::string::npos);
  const std::string db = server.create_db("kill");
  Child c = start("ingest -q --db " + q(db) + " " + dir.file("big.pcap"), dir.file("log"));
  // Killed once some batches are in (and before the end: the capture is then not complete).
  bool partial = false;
  for (int i = 0; i < 400 && !partial; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    if (server.query("kill", "SELECT to_regclass('probes') IS NOT NULL") != "t") continue;
    const std::string n = server.query("kill", "SELECT count(*) FROM probes");
    partial = !n.empty() && n != "0";
  }
  kill(c.pid, SIGKILL);
  finish(c);
  ASSERT_TRUE(partial) << "the ingest stored nothing before it was killed";
  const std::string before = server.query("kill", "SELECT count(*) FROM probes");
  EXPECT_EQ(server.query("kill", "SELECT status FROM captures"), "ingesting") << "stored " << before;
  CliResult again = run_cli("ingest -q --db " + q(db) + " " + dir.file("big.pcap"));
  ASSERT_EQ(again.rc, 0) << again.out;
  EXPECT_EQ(server.query("kill", "SELECT count(*) FROM probes") + "\n", expected) << "after " << before;
  EXPECT_EQ(server.query("kill",
                         "SELECT count(*) FROM (SELECT DISTINCT ts_us, src, sport, dst, dport, transport "
                         "FROM probes) d") +
                "\n",
            expected);
  EXPECT_EQ(server.query("kill", "SELECT status FROM captures"), "complete");
}

}  // namespace
