#include "storage/schema.h"

#include <string>

#include "storage/sqlite.h"

namespace sg::schema {

namespace {

// Settings of the whole database: the schema version, the window anchor and length, the labels' settings.
constexpr const char* kMeta = R"sql(
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
)sql";

// What `ingest` stores: each capture (by content hash) with its status, the probes it produced (unique by time
// and 5-tuple; the JSON of the export contract; `source` pcap, eve or zeek), and the packets or log lines it
// skipped per reason. `captures` holds log files too (a log is an input like a capture). probes_session finds
// the same session seen by another source (ProbeStore::flush). probes_src_ts answers an ip's questions
// (`serve`, `lookup`): its probes per service with their first and last times from the index alone, and its
// latest probes in order.
constexpr const char* kProbes = R"sql(
CREATE TABLE IF NOT EXISTS captures(
  id INTEGER PRIMARY KEY,
  sha256 TEXT NOT NULL UNIQUE,
  path TEXT NOT NULL,
  size INTEGER NOT NULL,
  status TEXT NOT NULL CHECK(status IN ('ingesting','complete','damaged')),
  started_at TEXT NOT NULL,
  finished_at TEXT,
  packets INTEGER NOT NULL DEFAULT 0,
  probes INTEGER NOT NULL DEFAULT 0,
  error TEXT);
CREATE TABLE IF NOT EXISTS probes(
  id INTEGER PRIMARY KEY,
  capture_id INTEGER NOT NULL REFERENCES captures(id),
  ts_us INTEGER NOT NULL,
  src TEXT NOT NULL, sport INTEGER NOT NULL,
  dst TEXT NOT NULL, dport INTEGER NOT NULL,
  transport TEXT NOT NULL,
  service TEXT NOT NULL,
  truncated INTEGER NOT NULL DEFAULT 0,
  json TEXT NOT NULL,
  source TEXT NOT NULL DEFAULT 'pcap',
  UNIQUE(ts_us, src, sport, dst, dport, transport));
CREATE INDEX IF NOT EXISTS probes_service_ts ON probes(service, ts_us);
CREATE INDEX IF NOT EXISTS probes_src_ts ON probes(src, ts_us, service);
CREATE INDEX IF NOT EXISTS probes_session ON probes(src, sport, dst, dport, ts_us);
CREATE TABLE IF NOT EXISTS capture_skips(
  capture_id INTEGER NOT NULL REFERENCES captures(id),
  reason TEXT NOT NULL,
  count INTEGER NOT NULL,
  PRIMARY KEY(capture_id, reason));
)sql";

// The label of each labelled probe (organisation and list), rewritten by every label import.
constexpr const char* kProbeLabels = R"sql(
CREATE TABLE IF NOT EXISTS probe_labels(
  probe_id INTEGER PRIMARY KEY REFERENCES probes(id) ON DELETE CASCADE,
  org TEXT NOT NULL,
  source TEXT NOT NULL);
)sql";

// Imported label lists: one row per file, its entries and the lines it refused.
constexpr const char* kLabelLists = R"sql(
CREATE TABLE IF NOT EXISTS label_imports(
  id INTEGER PRIMARY KEY,
  key TEXT NOT NULL UNIQUE,
  path TEXT NOT NULL,
  format TEXT NOT NULL,
  source TEXT NOT NULL,
  entries INTEGER NOT NULL,
  refused INTEGER NOT NULL,
  unlabelled INTEGER NOT NULL,
  imported_at INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS label_imports_path ON label_imports(path);
CREATE TABLE IF NOT EXISTS label_entries(
  import_id INTEGER NOT NULL REFERENCES label_imports(id) ON DELETE CASCADE,
  prefix TEXT NOT NULL,
  org TEXT NOT NULL,
  source TEXT NOT NULL,
  valid_from INTEGER,
  valid_to INTEGER);
CREATE INDEX IF NOT EXISTS label_entries_import ON label_entries(import_id);
CREATE TABLE IF NOT EXISTS label_refusals(
  import_id INTEGER NOT NULL REFERENCES label_imports(id) ON DELETE CASCADE,
  line INTEGER NOT NULL,
  reason TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS label_refusals_import ON label_refusals(import_id);
)sql";

// The frozen field selection per service (ranked by mutual information) and the versioned encoding schemas.
constexpr const char* kFeatures = R"sql(
CREATE TABLE IF NOT EXISTS feature_selection(
  service TEXT NOT NULL,
  rank INTEGER NOT NULL,
  field TEXT NOT NULL,
  mi REAL NOT NULL,
  distinct_values INTEGER NOT NULL,
  present INTEGER NOT NULL,
  ratio REAL NOT NULL,
  selected INTEGER NOT NULL,
  random_flag INTEGER NOT NULL,
  until_us INTEGER NOT NULL,
  PRIMARY KEY(service, field));
CREATE TABLE IF NOT EXISTS feature_schema(
  service TEXT NOT NULL,
  mode TEXT NOT NULL CHECK(mode IN ('full','incremental')),
  version INTEGER NOT NULL,
  side INTEGER NOT NULL,
  cells INTEGER NOT NULL,
  json TEXT NOT NULL,
  created TEXT NOT NULL,
  PRIMARY KEY(service, mode, version));
)sql";

// Every trained or updated per-service model and every fitted ensemble, with its data range and checkpoint.
constexpr const char* kModels = R"sql(
CREATE TABLE IF NOT EXISTS model_runs(
  id INTEGER PRIMARY KEY,
  service TEXT NOT NULL,
  mode TEXT NOT NULL,
  backbone TEXT NOT NULL,
  schema_version INTEGER NOT NULL,
  classes TEXT NOT NULL,
  data_from INTEGER NOT NULL,
  data_to INTEGER NOT NULL,
  iterations INTEGER NOT NULL,
  seconds REAL NOT NULL,
  path TEXT NOT NULL,
  parent INTEGER REFERENCES model_runs(id),
  created TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS ensemble_runs(
  id INTEGER PRIMARY KEY,
  classes TEXT NOT NULL,
  service_models TEXT NOT NULL,
  outcomes TEXT NOT NULL,
  theta REAL NOT NULL,
  proba TEXT NOT NULL,
  data_to INTEGER NOT NULL,
  rows INTEGER NOT NULL,
  train_f1 REAL NOT NULL,
  path TEXT NOT NULL,
  created TEXT NOT NULL);
)sql";

// Per-probe model outputs: the current model's (probe_predictions) and those frozen when a window was
// attributed (probe_scores).
constexpr const char* kPredictions = R"sql(
CREATE TABLE IF NOT EXISTS probe_predictions(
  probe_id INTEGER PRIMARY KEY REFERENCES probes(id) ON DELETE CASCADE,
  model TEXT NOT NULL,
  org TEXT NOT NULL,
  prob REAL NOT NULL,
  feature BLOB);
CREATE TABLE IF NOT EXISTS probe_scores(
  probe_id INTEGER PRIMARY KEY REFERENCES probes(id) ON DELETE CASCADE,
  model TEXT NOT NULL,
  org TEXT NOT NULL,
  prob REAL NOT NULL);
)sql";

// The scanner database: one row per (window, ip) with the organisation, its confidence and the evidence.
constexpr const char* kScanners = R"sql(
CREATE TABLE IF NOT EXISTS scanners(
  window_start INTEGER NOT NULL,
  window_end INTEGER NOT NULL,
  ip TEXT NOT NULL,
  org TEXT NOT NULL,
  probability REAL NOT NULL,
  votes TEXT NOT NULL,
  first_seen INTEGER NOT NULL,
  last_seen INTEGER NOT NULL,
  services TEXT NOT NULL,
  probes INTEGER NOT NULL,
  evidence TEXT NOT NULL,
  model_version TEXT NOT NULL,
  confidence REAL NOT NULL DEFAULT 0,
  evidence_kind TEXT NOT NULL DEFAULT 'learned',
  reason TEXT NOT NULL DEFAULT '',
  PRIMARY KEY(window_start, ip));
CREATE INDEX IF NOT EXISTS scanners_ip ON scanners(ip);
CREATE INDEX IF NOT EXISTS scanners_org ON scanners(org, window_start);
)sql";

// Unknown-probe cluster analyses per time range and service.
constexpr const char* kClusters = R"sql(
CREATE TABLE IF NOT EXISTS cluster_runs(
  from_us INTEGER NOT NULL,
  to_us INTEGER NOT NULL,
  service TEXT NOT NULL,
  k INTEGER NOT NULL,
  probes INTEGER NOT NULL,
  json TEXT NOT NULL,
  created TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
  PRIMARY KEY(from_us, to_us, service));
CREATE TABLE IF NOT EXISTS clusters(
  from_us INTEGER NOT NULL,
  to_us INTEGER NOT NULL,
  service TEXT NOT NULL,
  cluster INTEGER NOT NULL,
  size INTEGER NOT NULL,
  nearest_org TEXT NOT NULL,
  nearest_distance REAL NOT NULL,
  json TEXT NOT NULL,
  PRIMARY KEY(from_us, to_us, service, cluster));
)sql";

// Where long-term operation (`run`) stands, week by week: the last stage committed.
constexpr const char* kRunWeeks = R"sql(
CREATE TABLE IF NOT EXISTS run_weeks(
  window_start INTEGER PRIMARY KEY,
  role TEXT NOT NULL,
  stage TEXT NOT NULL,
  updated TEXT NOT NULL,
  seconds REAL NOT NULL DEFAULT 0,
  log TEXT NOT NULL DEFAULT '');
)sql";

// Evaluation results per time range and ensemble (the report's tables).
constexpr const char* kEvaluations = R"sql(
CREATE TABLE IF NOT EXISTS evaluations(
  from_us INTEGER NOT NULL,
  to_us INTEGER NOT NULL,
  ensemble TEXT NOT NULL,
  json TEXT NOT NULL,
  created TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
  PRIMARY KEY(from_us, to_us, ensemble));
)sql";

// AbuseIPDB checks of scanner ips as imported.
constexpr const char* kAbuseReports = R"sql(
CREATE TABLE IF NOT EXISTS abuse_reports(
  ip TEXT PRIMARY KEY,
  score INTEGER NOT NULL,
  checked_at TEXT NOT NULL,
  raw TEXT NOT NULL);
)sql";

// Version 2: the trust columns. A database written before them gets them on first write; its rows were the
// learned model's, whose probability was their only confidence.
void add_trust_columns(Db& db) {
  if (!db.has_table("scanners") || has_column(db, "scanners", "confidence")) return;
  Transaction tx(db);
  db.exec("ALTER TABLE scanners ADD COLUMN confidence REAL NOT NULL DEFAULT 0");
  db.exec("ALTER TABLE scanners ADD COLUMN evidence_kind TEXT NOT NULL DEFAULT 'learned'");
  db.exec("ALTER TABLE scanners ADD COLUMN reason TEXT NOT NULL DEFAULT ''");
  db.exec("UPDATE scanners SET confidence = probability");
  tx.commit();
}

// Version 3: probes carry their source (logs as inputs). Rows written before it came from captures.
void add_source_column(Db& db) {
  if (!db.has_table("probes") || has_column(db, "probes", "source")) return;
  Transaction tx(db);
  db.exec("ALTER TABLE probes ADD COLUMN source TEXT NOT NULL DEFAULT 'pcap'");
  db.exec("CREATE INDEX IF NOT EXISTS probes_session ON probes(src, sport, dst, dport, ts_us)");
  tx.commit();
}

// Version 4: probes_src_ts (src, ts_us, service) replaces probes_src (src), whose queries it serves too: an
// ip's lookup read every probe row for its per-service counts and sorted its probes for the latest ones.
void add_src_time_index(Db& db) {
  if (!db.has_table("probes")) return;
  {  // finalised before the write transaction: a stepped statement holds a read transaction
    // (The table's DDL may have created the new index already; the old one is what says there is work.)
    Stmt state(db,
               "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type='index' AND name='probes_src_ts') AND NOT "
               "EXISTS (SELECT 1 FROM sqlite_master WHERE type='index' AND name='probes_src')");
    if (state.step() && state.col_int(0) == 1) return;
  }
  Transaction tx(db);
  db.exec("CREATE INDEX IF NOT EXISTS probes_src_ts ON probes(src, ts_us, service)");
  db.exec("DROP INDEX IF EXISTS probes_src");
  tx.commit();
}

// Groups that read meta (settings) besides their own tables.
bool reads_meta(Tables t) {
  return t == Tables::probes || t == Tables::models || t == Tables::probe_labels || t == Tables::label_lists;
}

}  // namespace

const char* ddl(Tables t) {
  switch (t) {
    case Tables::meta:
      return kMeta;
    case Tables::probes:
      return kProbes;
    case Tables::probe_labels:
      return kProbeLabels;
    case Tables::label_lists:
      return kLabelLists;
    case Tables::features:
      return kFeatures;
    case Tables::models:
      return kModels;
    case Tables::predictions:
      return kPredictions;
    case Tables::scanners:
      return kScanners;
    case Tables::clusters:
      return kClusters;
    case Tables::run_weeks:
      return kRunWeeks;
    case Tables::evaluations:
      return kEvaluations;
    case Tables::abuse_reports:
      return kAbuseReports;
  }
  return "";
}

void ensure(Db& db, Tables t) {
  if (reads_meta(t)) db.ensure_schema(kMeta);
  db.ensure_schema(ddl(t));
  if (t == Tables::scanners && !db.read_only()) add_trust_columns(db);
  if (t == Tables::probes && !db.read_only()) add_source_column(db);
  if (t == Tables::probes && !db.read_only()) add_src_time_index(db);
}

void migrate(Db& db) {
  add_trust_columns(db);
  add_source_column(db);
  add_src_time_index(db);
  db.ensure_schema(kMeta);
  Stmt s(
      db,
      "INSERT INTO meta(key, value) VALUES('schema.version', ?) ON CONFLICT(key) DO UPDATE SET value=excluded.value");
  s.bind(1, std::to_string(kVersion));
  s.step();
}

bool has_column(Db& db, const char* table, const char* column) {
  Stmt s(db, "SELECT 1 FROM pragma_table_info(?) WHERE name=?");
  s.bind(1, std::string_view(table)).bind(2, std::string_view(column));
  return s.step();
}

}  // namespace sg::schema
