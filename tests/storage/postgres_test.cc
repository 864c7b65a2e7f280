// The PostgreSQL backend under the storage functions: connection strings (and the password refused without
// being repeated), `?` parameters rewritten outside quotes, statements, blobs and booleans read as on SQLite,
// transactions and savepoints, data_version moving when another connection commits, the probe store's
// schema (version, monthly partitions) and its COPY batches storing each probe once.
#include <gtest/gtest.h>

#include "probe/probe.h"
#include "session/stats.h"
#include "storage/postgres.h"
#include "storage/probe_store.h"
#include "storage/schema.h"
#include "storage/sqlite.h"
#include "support/pg_server.h"

namespace {

using sgtest::PgServer;

TEST(PostgresConnection, ConnectionStringsAreToldApartFromPaths) {
  EXPECT_TRUE(sg::is_server_db("postgresql://sg@db.example/scanners"));
  EXPECT_TRUE(sg::is_server_db("postgres://localhost/x"));
  EXPECT_TRUE(sg::is_server_db("host=/tmp dbname=x"));
  EXPECT_TRUE(sg::is_server_db("dbname = x"));
  EXPECT_FALSE(sg::is_server_db("scanners.db"));
  EXPECT_FALSE(sg::is_server_db("./dbname=x"));
  EXPECT_FALSE(sg::is_server_db("/var/lib/postgresql.db"));
  EXPECT_EQ(sg::server_db_name("postgresql://sg@/scan ners?host=/tmp"), "scan_ners");
  EXPECT_EQ(sg::server_db_name("host=/tmp user=alice"), "alice");
}

TEST(PostgresConnection, APasswordInTheStringIsRefusedAndNeverRepeated) {
  for (const std::string db : {"postgresql://sg:hunter2secret@localhost/x", "host=localhost password=hunter2secret"}) {
    try {
      sg::Db d(db);
      FAIL() << "opened " << db;
    } catch (const sg::StoreError& e) {
      const std::string what = e.what();
      EXPECT_EQ(what.find("hunter2secret"), std::string::npos) << what;
      EXPECT_NE(what.find("PGPASSWORD"), std::string::npos) << what;
    }
  }
}

TEST(PostgresStmt, PlaceholdersOutsideQuotesBecomeNumbered) {
  int n = 0;
  std::vector<bool> used;
  EXPECT_EQ(sg::pg_placeholders("SELECT '?', \"a?b\", ?, ?3, ? FROM t WHERE x='it''s?' AND y=?1", n, &used),
            "SELECT '?', \"a?b\", $1, $3, $4 FROM t WHERE x='it''s?' AND y=$1");
  EXPECT_EQ(n, 4);
  EXPECT_EQ(used, (std::vector<bool>{true, false, true, true}));
}

TEST(PostgresStmt, StatementsTransactionsAndVersionsBehaveAsOnSqlite) {
  PgServer server;
  SG_REQUIRE_PG(server);
  const std::string uri = server.create_db("stmt");
  sg::Db db(uri);
  EXPECT_TRUE(db.postgres());
  db.exec("CREATE TABLE t(k BIGINT PRIMARY KEY, v TEXT, b BYTEA, d DOUBLE PRECISION)");
  {
    sg::Stmt ins(db, "INSERT INTO t(k, v, b, d) VALUES(?,?,?,?)");
    const std::string bytes("\0\x01\xff\\x", 5);
    ins.bind(1, int64_t(1)).bind(2, "tab\there").bind_blob(3, bytes.data(), bytes.size()).bind_double(4, 0.1);
    EXPECT_FALSE(ins.step());
    EXPECT_EQ(db.changes(), 1);
    ins.reset();
    ins.bind(1, int64_t(2)).bind_null(2).bind_blob(3, "", 0).bind_double(4, 1e300);
    ins.step();
    sg::Stmt q(db, "SELECT k, v, b, d, EXISTS(SELECT 1 FROM t WHERE k > ?1) FROM t WHERE k >= ?1 ORDER BY k");
    q.bind(1, int64_t(1));
    ASSERT_TRUE(q.step());
    EXPECT_EQ(q.col_int(0), 1);
    EXPECT_EQ(q.col_text(1), "tab\there");
    EXPECT_EQ(q.col_blob(2), bytes);
    EXPECT_EQ(q.col_double(3), 0.1);  // exact: the text form reads back to the same double
    EXPECT_EQ(q.col_int(4), 1);       // a boolean reads as 1/0
    ASSERT_TRUE(q.step());
    EXPECT_TRUE(q.col_null(1));
    EXPECT_EQ(q.col_blob(2), "");
    EXPECT_EQ(q.col_double(3), 1e300);
    EXPECT_FALSE(q.step());
  }
  {  // rolled back unless committed; nested ones are savepoints
    sg::Transaction outer(db);
    db.exec("INSERT INTO t(k) VALUES(3)");
    {
      sg::Transaction inner(db);
      db.exec("INSERT INTO t(k) VALUES(4)");
    }
    outer.commit();
  }
  sg::Stmt count(db, "SELECT count(*), max(k) FROM t");
  ASSERT_TRUE(count.step());
  EXPECT_EQ(count.col_int(0), 3);
  EXPECT_EQ(count.col_int(1), 3);
  EXPECT_TRUE(db.has_table("t"));
  EXPECT_FALSE(db.has_table("nope"));
  EXPECT_TRUE(sg::schema::has_column(db, "t", "v"));
  EXPECT_FALSE(sg::schema::has_column(db, "t", "w"));

  // A reader's data_version stays while nothing commits and moves when another connection does.
  sg::Db reader(uri, sg::Access::read_only);
  int64_t v1, v2, v3;
  {
    sg::ReadSnapshot snap(reader);
    v1 = reader.data_version();
  }
  {
    sg::ReadSnapshot snap(reader);
    v2 = reader.data_version();
  }
  db.exec("INSERT INTO t(k) VALUES(10)");
  {
    sg::ReadSnapshot snap(reader);
    v3 = reader.data_version();
  }
  EXPECT_EQ(v1, v2);
  EXPECT_NE(v2, v3);
}

sg::Probe http_probe(int64_t ts_us, int port) {
  sg::Probe p;
  p.ts_us = ts_us;
  p.src = "198.51.100.7";
  p.dst = "192.0.2.1";
  p.sport = port;
  p.dport = 80;
  p.transport = sg::Transport::tcp;
  p.service = sg::Service::http;
  p.http = sg::HttpProbe{};
  p.http->method = "GET";
  p.http->uri = "/a\\b\t\"c\"";  // COPY's escapes: backslash, tab
  return p;
}

TEST(PostgresProbeStore, SchemaPartitionsAndCopyStoreEachProbeOnce) {
  PgServer server;
  SG_REQUIRE_PG(server);
  const std::string uri = server.create_db("probes");
  constexpr int64_t kJan2025 = 1736121600000000, kMonth = 31LL * 86400 * 1000000;
  {
    sg::ProbeStore store(uri);
    store.set_sensor("sensor-a");
    const int64_t cap = store.begin_capture("aa", "a.pcap", 1);
    for (int i = 0; i < 5; ++i) store.add_probe(cap, http_probe(kJan2025 + i, 1000 + i));
    store.add_probe(cap, http_probe(kJan2025 + kMonth, 2000));  // February
    store.add_probe(cap, http_probe(-5, 3000));                 // before 1970: damaged input, one partition
    store.add_probe(cap, http_probe(kJan2025, 1000));           // the same probe twice in one batch
    EXPECT_EQ(store.flush(), 7u);
    store.finish_capture(cap, sg::IngestStats{}, "");
  }
  EXPECT_EQ(server.query("probes", "SELECT value FROM meta WHERE key='schema.version'"),
            std::to_string(sg::schema::kVersion));
  EXPECT_EQ(server.query("probes",
                         "SELECT string_agg(c.relname, ',' ORDER BY c.relname) FROM pg_inherits i JOIN "
                         "pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'probes'::regclass"),
            "probes_before_1970,probes_y2025m01,probes_y2025m02");
  EXPECT_EQ(server.query("probes", "SELECT count(DISTINCT id) || ' ' || min(sensor) || ' ' || max(sensor) FROM probes"),
            "7 sensor-a sensor-a");
  {
    sg::ProbeStore again(uri);  // a second writer: the same probes add nothing; the JSON comes back intact
    const int64_t cap = again.begin_capture("bb", "b.pcap", 1);
    for (int i = 0; i < 5; ++i) again.add_probe(cap, http_probe(kJan2025 + i, 1000 + i));
    EXPECT_EQ(again.flush(), 0u);
    EXPECT_EQ(again.count_probes(), 7u);
    std::vector<std::string> json;
    again.for_each_probe({}, [&](const std::string& j) { json.push_back(j); });
    ASSERT_EQ(json.size(), 7u);
    EXPECT_NE(json[1].find(R"("uri":"/a\\b\t\"c\"")"), std::string::npos) << json[1];
  }
  sg::ProbeStore reader(uri, sg::Access::read_only);
  sg::ProbeQuery q;
  q.service = sg::Service::http;
  q.from_us = kJan2025 + 1;
  q.to_us = kJan2025 + kMonth;
  size_t n = 0;
  reader.for_each_probe(q, [&](const std::string&) { ++n; });
  EXPECT_EQ(n, 4u);
}

// probes_session on PostgreSQL as on SQLite (schema version 6): a database of captures alone has none; the
// first log probe creates it on the partitioned table (every month's partition, later ones included), and the
// log's record of a stored capture's session is dropped.
TEST(PostgresProbeStore, TheSessionIndexComesWithTheFirstLogsProbe) {
  PgServer server;
  SG_REQUIRE_PG(server);
  const std::string uri = server.create_db("session");
  constexpr int64_t kJan2025 = 1736121600000000, kMonth = 31LL * 86400 * 1000000;
  sg::ProbeStore store(uri);
  const int64_t cap = store.begin_capture("aa", "a.pcap", 1);
  store.add_probe(cap, http_probe(kJan2025, 1000));
  EXPECT_EQ(store.flush(), 1u);  // COPY
  EXPECT_EQ(server.query("session", "SELECT to_regclass('probes_session') IS NULL"), "t");
  const int64_t log = store.begin_capture("bb", "eve.json", 1);
  sg::Probe same = http_probe(kJan2025 + 1'500'000, 1000);  // EVE's time of the session: 1.5 s later
  same.source = sg::Source::eve;
  store.add_probe(log, same);
  EXPECT_EQ(store.flush(), 0u);
  EXPECT_EQ(store.duplicate_probes(), 1u);
  EXPECT_EQ(server.query("session", "SELECT to_regclass('probes_session') IS NOT NULL"), "t");
  sg::Probe later = http_probe(kJan2025 + kMonth, 2000);  // February: a partition made after the index
  later.source = sg::Source::eve;
  store.add_probe(log, later);
  EXPECT_EQ(store.flush(), 1u);
  EXPECT_EQ(server.query("session",
                         "SELECT count(*) FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE "
                         "i.inhparent = 'probes_session'::regclass"),
            "2");
  EXPECT_EQ(store.count_probes(), 2u);
}

}  // namespace
