// Probes from logs in the store and the features: the same session from a capture and a log is one row
// (the capture's), the source is stored, the schema migration adds the column to an older file, and the
// features read a field a log cannot carry as "absent" rather than as zero or empty.
#include <gtest/gtest.h>

#include "export/json.h"
#include "features/encoder.h"
#include "features/registry.h"
#include "features/schema.h"
#include "features/vocabulary.h"
#include "log_fixture.h"
#include "storage/probe_store.h"
#include "storage/sqlite.h"

namespace {

sg::Probe session(sg::Source source, int64_t ts_us) {
  sg::Probe p;
  p.ts_us = ts_us;
  p.src = "198.51.100.9";
  p.dst = "192.0.2.1";
  p.sport = 41000;
  p.dport = 22;
  p.service = sg::Service::ssh;
  p.source = source;
  p.ssh = sg::SshProbe{};
  p.ssh->banner = source == sg::Source::pcap ? "SSH-2.0-from-capture" : "SSH-2.0-from-log";
  if (source != sg::Source::pcap) p.absent = {"ssh.kexinit"};
  return p;
}

std::string one_text(sg::Db& db, const char* sql) {
  sg::Stmt s(db, sql);
  return s.step() ? s.col_text(0) : "";
}

TEST(SourcesInStore, CaptureThenLogOfTheSameSessionIsOneRow) {
  sg::ProbeStore store(sgtest::fresh_db_path("dedup1.db"));
  int64_t cap = store.begin_capture("a", "a.pcap", 1);
  store.add_probe(cap, session(sg::Source::pcap, 1'000'000'000));
  store.flush();
  int64_t log = store.begin_capture("b", "eve.json", 1);
  store.add_probe(log, session(sg::Source::eve, 1'000'000'000 + 1'500'000));  // EVE's time: 1.5 s later
  store.add_probe(log, session(sg::Source::zeek, 1'000'000'000 - 20'000));    // Zeek's conn start
  store.flush();
  EXPECT_EQ(store.count_probes(), 1u);
  EXPECT_EQ(store.duplicate_probes(), 2u);
  EXPECT_EQ(one_text(store.db(), "SELECT source FROM probes"), "pcap");
}

TEST(SourcesInStore, LogThenCaptureIsReplacedByTheCapturesProbe) {
  sg::ProbeStore store(sgtest::fresh_db_path("dedup2.db"));
  int64_t log = store.begin_capture("b", "ssh.log", 1);
  store.add_probe(log, session(sg::Source::zeek, 5'000'000));
  store.flush();
  const std::string id = one_text(store.db(), "SELECT id FROM probes");
  int64_t cap = store.begin_capture("a", "a.pcap", 1);
  store.add_probe(cap, session(sg::Source::pcap, 5'040'000));
  // Another session of the same client (a minute and more later) is a probe of its own.
  store.add_probe(cap, session(sg::Source::pcap, 5'000'000 + sg::ProbeStore::kSameSessionUs + 1));
  store.flush();
  EXPECT_EQ(store.count_probes(), 2u);
  EXPECT_EQ(store.replaced_probes(), 1u);
  EXPECT_EQ(one_text(store.db(), "SELECT source FROM probes ORDER BY ts_us LIMIT 1"), "pcap");
  EXPECT_EQ(one_text(store.db(), "SELECT id FROM probes ORDER BY ts_us LIMIT 1"), id);  // same row: labels stay
  EXPECT_NE(one_text(store.db(), "SELECT json FROM probes ORDER BY ts_us LIMIT 1").find("from-capture"),
            std::string::npos);
}

TEST(SourcesInStore, SameSourceKeepsExactKeys) {
  // Two capture probes of one 5-tuple a second apart (a scanner's fixed source port) stay two.
  sg::ProbeStore store(sgtest::fresh_db_path("dedup3.db"));
  int64_t cap = store.begin_capture("a", "a.pcap", 1);
  store.add_probe(cap, session(sg::Source::pcap, 1'000'000));
  store.add_probe(cap, session(sg::Source::pcap, 2'000'000));
  store.flush();
  EXPECT_EQ(store.count_probes(), 2u);
}

TEST(SourcesInStore, OlderFileGetsTheSourceColumn) {
  const std::string path = sgtest::fresh_db_path("old_layout.db");
  {
    sg::Db db(path);
    db.exec(
        "CREATE TABLE captures(id INTEGER PRIMARY KEY, sha256 TEXT UNIQUE NOT NULL, path TEXT NOT NULL, size INTEGER,"
        " status TEXT NOT NULL, started_at TEXT NOT NULL, finished_at TEXT, packets INTEGER NOT NULL DEFAULT 0,"
        " probes INTEGER NOT NULL DEFAULT 0, error TEXT);"
        "CREATE TABLE probes(id INTEGER PRIMARY KEY, capture_id INTEGER NOT NULL REFERENCES captures(id),"
        " ts_us INTEGER NOT NULL, src TEXT NOT NULL, sport INTEGER NOT NULL, dst TEXT NOT NULL, dport INTEGER NOT NULL,"
        " transport TEXT NOT NULL, service TEXT NOT NULL, truncated INTEGER NOT NULL DEFAULT 0, json TEXT NOT NULL,"
        " UNIQUE(ts_us, src, sport, dst, dport, transport));"
        "INSERT INTO captures VALUES(1,'x','old.pcap',1,'complete','t',NULL,0,1,NULL);"
        "INSERT INTO probes VALUES(1,1,7,'1.1.1.1',1,'2.2.2.2',2,'tcp','syn',0,'{}');"
        "PRAGMA user_version=2;");
  }
  sg::ProbeStore store(path);
  EXPECT_EQ(one_text(store.db(), "SELECT source FROM probes WHERE id=1"), "pcap");
  EXPECT_EQ(one_text(store.db(), "PRAGMA user_version"), std::to_string(sg::schema::kVersion));
}

TEST(SourcesInFeatures, AbsentFieldsReadAsAbsentNotZero) {
  // A TLS probe from EVE with a JA3 string: the lists it gives are present, the random it cannot give is
  // absent; the same field of a capture probe is present.
  sgtest::TempDir dir("sg_absent");
  auto run = sgtest::read_log_text(
      dir, "eve.json",
      R"({"timestamp":"2023-07-03T10:11:12Z","src_ip":"1.2.3.4","src_port":1,"dest_ip":"1.2.3.5","dest_port":443,)"
      R"("proto":"TCP","event_type":"tls","tls":{"ja3":{"string":"771,49195-49199,0-10,29,0"}}})"
      "\n");
  ASSERT_EQ(run.probes.size(), 1u);
  sg::features::ProbeDoc doc;
  ASSERT_TRUE(doc.parse(sg::probe_to_jsonl(run.probes[0])));
  int present = 0, absent = 0;
  for (const auto& f : sg::features::service_fields(sg::Service::tls)) {
    auto v = sg::features::extract_field(f, doc, sg::Service::tls);
    const std::string src = f.sources.empty() ? "" : f.sources[0];
    if (src == "tls.ciphers" || src == "tls.extensions") {
      EXPECT_TRUE(v.present) << f.name;
      ++present;
    }
    if (src == "tls.random" || src == "tls.alpn" || src == "tls.session_id" || src == "tls.record_version") {
      EXPECT_FALSE(v.present) << f.name;
      ++absent;
    }
  }
  EXPECT_GT(present, 0);
  EXPECT_GT(absent, 0);
}

}  // namespace

namespace {

TEST(SourcesInFeatures, EncoderWritesAbsentNotZero) {
  // An EVE http probe has no body_length (EVE's length is the response's): its cells say "absent" (128),
  // where a capture's probe with an empty body has zeros.
  sgtest::TempDir dir("sg_absent_enc");
  auto run = sgtest::read_log_text(
      dir, "eve.json",
      R"({"timestamp":"2023-07-03T10:11:12Z","src_ip":"1.2.3.4","src_port":1,"dest_ip":"1.2.3.5","dest_port":80,)"
      R"("proto":"TCP","event_type":"http","http":{"url":"/a","http_method":"GET","protocol":"HTTP/1.1"}})"
      "\n");
  ASSERT_EQ(run.probes.size(), 1u);
  sg::Probe cap = run.probes[0];
  cap.source = sg::Source::pcap;
  cap.absent.clear();
  cap.http->body_length = 0;

  using namespace sg::features;
  TokenCounts c;
  c.fields = {"body_length", "method", "uri"};
  c.counts.resize(c.fields.size());
  ProbeDoc d;
  for (const auto* p : {&run.probes[0], &cap}) {
    ASSERT_TRUE(d.parse(sg::probe_to_jsonl(*p)));
    add_probe_tokens(d, sg::Service::http, c);
  }
  LayoutRules rules;
  rules.min_count = 1;
  Encoder enc(build_schema(sg::Service::http, c, SchemaMode::full, rules));
  auto image = [&](const sg::Probe& p) {
    ProbeDoc doc;
    EXPECT_TRUE(doc.parse(sg::probe_to_jsonl(p)));
    return enc.encode(doc);
  };
  const auto from_log = image(run.probes[0]), from_capture = image(cap);
  int absent_cells = 0, zero_cells = 0;
  for (uint32_t i = 0; i < enc.schema().cells.size(); ++i) {
    const auto& cell = enc.schema().cells[i];
    if (enc.schema().fields[cell.field].name != "body_length") continue;
    absent_cells += from_log[i] == 128;
    zero_cells += from_capture[i] == 0;
  }
  EXPECT_EQ(absent_cells, 16);  // body_length: 16 bits
  EXPECT_EQ(zero_cells, 16);
  // The uri the log carries is encoded as from the capture.
  for (uint32_t i = 0; i < enc.schema().cells.size(); ++i) {
    if (enc.schema().fields[enc.schema().cells[i].field].name == "uri") {
      EXPECT_EQ(from_log[i], from_capture[i]);
    }
  }
}

}  // namespace
