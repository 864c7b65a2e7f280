// The schema module: a file of the first layout (scanners without the trust columns, user_version 1), of
// version 3 (probes_src) or of version 5 (probes_session in every file) is brought up to date by the first writer
// and keeps its rows; a file newer than this program is refused; a read-only connection creates nothing in the
// file.
#include "storage/schema.h"

#include <gtest/gtest.h>

#include "storage/probe_store.h"
#include "storage/scanner_store.h"
#include "storage/sqlite.h"
#include "support/temp_dir.h"

namespace sg {
namespace {

std::string text_of(Db& db, const char* sql) {
  Stmt s(db, sql);
  return s.step() ? s.col_text(0) : "";
}

TEST(Schema, AFirstLayoutFileIsMigratedByItsFirstWriter) {
  std::string path = sgtest::fresh_db_path("schema_v1.db");
  {
    Db db(path);
    db.exec(schema::ddl(schema::Tables::probes));
    // The scanners table as the first release wrote it: no confidence, evidence_kind or reason.
    db.exec(
        "CREATE TABLE scanners(window_start INTEGER NOT NULL, window_end INTEGER NOT NULL, ip TEXT NOT NULL, "
        "org TEXT NOT NULL, probability REAL NOT NULL, votes TEXT NOT NULL, first_seen INTEGER NOT NULL, "
        "last_seen INTEGER NOT NULL, services TEXT NOT NULL, probes INTEGER NOT NULL, evidence TEXT NOT NULL, "
        "model_version TEXT NOT NULL, PRIMARY KEY(window_start, ip))");
    db.exec("INSERT INTO scanners VALUES(0, 10, '192.0.2.7', 'censys', 0.8, '{}', 1, 2, 'http', 3, '{}', 'e1')");
    db.exec("PRAGMA user_version=1");
  }
  {
    // Read-only: nothing changes in the file; the old row reads with its probability as its confidence.
    ProbeStore ro(path, Access::read_only);
    ScannerStore scanners(ro.db());
    auto rows = scanners.rows({});
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_DOUBLE_EQ(rows[0].confidence, 0.8);
    EXPECT_EQ(rows[0].evidence_kind, "learned");
    EXPECT_FALSE(schema::has_column(ro.db(), "scanners", "confidence"));
  }
  {
    ProbeStore rw(path);
    EXPECT_TRUE(schema::has_column(rw.db(), "scanners", "confidence"));
    EXPECT_EQ(text_of(rw.db(), "SELECT value FROM meta WHERE key='schema.version'"), std::to_string(schema::kVersion));
    EXPECT_EQ(text_of(rw.db(), "PRAGMA user_version"), std::to_string(schema::kVersion));
    ScannerStore scanners(rw.db());
    auto rows = scanners.rows({});
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0].org, "censys");
    EXPECT_DOUBLE_EQ(rows[0].confidence, 0.8);
  }
  {
    ProbeStore again(path);  // nothing left to do: the migration checks the file, not a flag
    EXPECT_TRUE(schema::has_column(again.db(), "scanners", "reason"));
  }
}

std::string index_names(Db& db) {
  Stmt s(db,
         "SELECT group_concat(name, ' ') FROM (SELECT name FROM sqlite_master WHERE type='index' AND "
         "tbl_name='probes' AND name NOT LIKE 'sqlite_%' ORDER BY name)");
  return s.step() ? s.col_text(0) : "";
}

// Version 4: an ip's questions read probes_src_ts (src, ts_us, service), which replaces probes_src (src).
TEST(Schema, AVersion3FileGetsTheSourceTimeIndexInPlaceOfTheSourceIndex) {
  std::string path = sgtest::fresh_db_path("schema_v3.db");
  {
    Db db(path);
    db.exec(schema::ddl(schema::Tables::probes));
    db.exec("DROP INDEX probes_src_ts");
    db.exec("CREATE INDEX probes_src ON probes(src)");  // the indexes as version 3 wrote them
    db.exec("CREATE INDEX probes_session ON probes(src, sport, dst, dport, ts_us)");
    db.exec(
        "INSERT INTO captures(id, sha256, path, size, status, started_at) VALUES(1, 'h', 'c.pcap', 1, "
        "'complete', 't')");
    db.exec(
        "INSERT INTO probes(capture_id, ts_us, src, sport, dst, dport, transport, service, json) VALUES"
        "(1, 5, '192.0.2.7', 1, '198.51.100.1', 80, 'tcp', 'http', '{}'),"
        "(1, 9, '192.0.2.7', 2, '198.51.100.1', 443, 'tcp', 'tls', '{}')");
    db.exec("PRAGMA user_version=3");
  }
  {
    ProbeStore ro(path, Access::read_only);  // read-only: the file keeps its index
    EXPECT_EQ(index_names(ro.db()), "probes_service_ts probes_session probes_src");
  }
  {
    ProbeStore rw(path);  // (probes_session goes too: version 6, a file of captures alone)
    EXPECT_EQ(index_names(rw.db()), "probes_service_ts probes_src_ts");
    EXPECT_EQ(text_of(rw.db(), "PRAGMA user_version"), std::to_string(schema::kVersion));
    EXPECT_EQ(text_of(rw.db(), "SELECT count(*) FROM probes WHERE src = '192.0.2.7'"), "2");
    // The per-service counts of an ip read the index alone.
    std::string plan;
    Stmt q(rw.db(),
           "EXPLAIN QUERY PLAN SELECT service, count(*), min(ts_us), max(ts_us) FROM probes "
           "WHERE src = '192.0.2.7' GROUP BY service");
    while (q.step()) plan += q.col_text(3) + "\n";
    EXPECT_NE(plan.find("COVERING INDEX probes_src_ts"), std::string::npos) << plan;
  }
  {
    ProbeStore again(path);
    EXPECT_EQ(index_names(again.db()), "probes_service_ts probes_src_ts");
  }
}

// Version 6: probes_session (another source's probe of a session) only where a probe from a log is stored. A
// version-5 file keeps it where it has a log's probe and loses it where it holds captures alone; the first log
// probe stored creates it over the captures' rows, and the lookup reads it.
TEST(Schema, TheSessionIndexIsKeptOnlyWhereALogsProbeIsStored) {
  auto version5 = [](const std::string& name, bool with_log) {
    std::string path = sgtest::fresh_db_path(name);
    Db db(path);
    db.exec(schema::ddl(schema::Tables::probes));
    db.exec("CREATE INDEX probes_session ON probes(src, sport, dst, dport, ts_us)");  // as versions 3-5 wrote it
    db.exec(
        "INSERT INTO captures(id, sha256, path, size, status, started_at) VALUES(1, 'h', 'c.pcap', 1, "
        "'complete', 't')");
    db.exec(
        "INSERT INTO probes(capture_id, ts_us, src, sport, dst, dport, transport, service, json) VALUES"
        "(1, 5000000, '192.0.2.7', 40000, '198.51.100.1', 22, 'tcp', 'ssh', '{}')");
    if (with_log)
      db.exec(
          "INSERT INTO probes(capture_id, ts_us, src, sport, dst, dport, transport, service, json, source) VALUES"
          "(1, 9000000, '192.0.2.8', 40000, '198.51.100.1', 22, 'tcp', 'ssh', '{}', 'zeek')");
    db.exec("PRAGMA user_version=5");
    return path;
  };
  {
    ProbeStore logs(version5("schema_v5_logs.db", true));
    EXPECT_EQ(index_names(logs.db()), "probes_service_ts probes_session probes_src_ts");
  }
  ProbeStore captures(version5("schema_v5_captures.db", false));
  EXPECT_EQ(index_names(captures.db()), "probes_service_ts probes_src_ts");
  EXPECT_EQ(text_of(captures.db(), "PRAGMA user_version"), std::to_string(schema::kVersion));
  // More captures: still none.
  const int64_t cap = captures.begin_capture("h2", "d.pcap", 1);
  Probe p;
  p.ts_us = 6'000'000;
  p.src = "192.0.2.7";
  p.dst = "198.51.100.1";
  p.sport = 40001;
  p.dport = 22;
  p.service = Service::syn;
  captures.add_probe(cap, p);
  EXPECT_EQ(captures.flush(), 1u);
  EXPECT_EQ(index_names(captures.db()), "probes_service_ts probes_src_ts");
  // A log's record of the first capture's session (its time half a second later): the index is made, the
  // lookup finds the capture's row through it, and the log's probe is dropped.
  const int64_t log = captures.begin_capture("h3", "ssh.log", 1);
  p.ts_us = 5'500'000;
  p.sport = 40000;
  p.service = Service::ssh;
  p.ssh = SshProbe{};
  p.source = Source::zeek;
  captures.add_probe(log, p);
  EXPECT_EQ(captures.flush(), 0u);
  EXPECT_EQ(captures.duplicate_probes(), 1u);
  EXPECT_EQ(index_names(captures.db()), "probes_service_ts probes_session probes_src_ts");
  std::string plan;
  Stmt q(captures.db(),
         "EXPLAIN QUERY PLAN SELECT id, source FROM probes WHERE src='192.0.2.7' AND sport=40000 AND "
         "dst='198.51.100.1' AND dport=22 AND transport='tcp' AND ts_us BETWEEN 0 AND 9 AND source<>'zeek' "
         "ORDER BY abs(ts_us-5) LIMIT 1");
  while (q.step()) plan += q.col_text(3) + "\n";
  EXPECT_NE(plan.find("INDEX probes_session"), std::string::npos) << plan;
}

// PostgreSQL's monthly partitions of probes: calendar months in µs, a year's last month rolling over, and
// the times no month should be made for (before 1970, after 9999: hostile or damaged timestamps).
TEST(Schema, ProbePartitionsAreCalendarMonths) {
  constexpr int64_t kS = 1'000'000;
  auto jan2025 = schema::probe_partition(1'736'000'000 * kS);  // 2025-01-04
  EXPECT_EQ(jan2025.name, "probes_y2025m01");
  EXPECT_EQ(jan2025.from, std::to_string(1'735'689'600 * kS));  // 2025-01-01T00:00:00Z
  EXPECT_EQ(jan2025.to, std::to_string(1'738'368'000 * kS));    // 2025-02-01
  auto dec2025 = schema::probe_partition(1'767'225'599 * kS);   // the last second of 2025
  EXPECT_EQ(dec2025.name, "probes_y2025m12");
  EXPECT_EQ(dec2025.from, std::to_string(1'764'547'200 * kS));  // 2025-12-01
  EXPECT_EQ(dec2025.to, std::to_string(1'767'225'600 * kS));    // 2026-01-01
  EXPECT_EQ(schema::probe_partition(1'767'225'600 * kS).name, "probes_y2026m01");
  EXPECT_EQ(schema::probe_partition(0).name, "probes_y1970m01");
  EXPECT_EQ(schema::probe_partition(-1).name, "probes_before_1970");
  auto far = schema::probe_partition(253'402'300'800 * kS);  // 10000-01-01
  EXPECT_EQ(far.name, "probes_after_9999");
  EXPECT_EQ(far.from, std::to_string(253'402'300'800 * kS));
  EXPECT_EQ(schema::probe_partition(253'402'300'799 * kS).name, "probes_y9999m12");
}

TEST(Schema, AFileNewerThanThisProgramIsRefused) {
  std::string path = sgtest::fresh_db_path("schema_newer.db");
  { ProbeStore store(path); }
  {
    Db db(path);
    db.exec(("PRAGMA user_version=" + std::to_string(schema::kVersion + 1)).c_str());
  }
  try {
    ProbeStore store(path);
    FAIL() << "opened a newer file";
  } catch (const StoreError& e) {
    EXPECT_NE(std::string(e.what()).find("newer than this program"), std::string::npos) << e.what();
  }
}

TEST(Schema, EveryGroupHasItsDdlAndAReadOnlyConnectionCreatesNothing) {
  std::string path = sgtest::fresh_db_path("schema_groups.db");
  { ProbeStore store(path); }
  Db ro(path, Access::read_only);
  for (auto t : {schema::Tables::meta, schema::Tables::probes, schema::Tables::probe_labels,
                 schema::Tables::label_lists, schema::Tables::features, schema::Tables::models,
                 schema::Tables::predictions, schema::Tables::scanners, schema::Tables::clusters,
                 schema::Tables::run_weeks, schema::Tables::evaluations, schema::Tables::abuse_reports}) {
    EXPECT_NE(std::string(schema::ddl(t)).find("CREATE TABLE IF NOT EXISTS"), std::string::npos);
    schema::ensure(ro, t);
  }
  EXPECT_EQ(text_of(ro, "SELECT count(*) FROM clusters"), "0");  // an empty TEMP stand-in for this connection
  EXPECT_FALSE(ro.has_table("clusters"));                        // not in the file
  Db other(path, Access::read_only);
  EXPECT_FALSE(other.has_table("clusters"));
  EXPECT_FALSE(other.has_table("abuse_reports"));
}

}  // namespace
}  // namespace sg
