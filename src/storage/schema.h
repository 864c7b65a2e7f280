// Every table of the scanner database, declared in this one place, and the migrations of older files.
// A group of tables is created by the store that owns it the first time it is used (CREATE ... IF NOT
// EXISTS), so a database holds only what its commands wrote; a read-only connection creates nothing in the
// file and reads a missing table as an empty stand-in (Db::ensure_schema). The layout version is kept in meta
// `schema.version` (and PRAGMA user_version, which the probe store checks first); a file newer than this
// program is refused.
#pragma once

#include <cstdint>
#include <string>

#include "storage/db.h"

namespace sg::schema {

// The layout this program writes. 1: the first release; 2: scanners carry confidence, evidence_kind and
// reason; 3: probes carry their source (pcap, eve, zeek); 4: the index probes_src_ts (src, ts_us, service)
// replaces probes_src (src); 5: probes carry their sensor; 6: the index probes_session only where a probe from
// a log or a sensor is stored (ensure_session_index). A PostgreSQL database has the same tables and versions
// (its DDL is the PostgreSQL form of the same text, the probes partitioned by month) and keeps its version in
// meta only.
constexpr int kVersion = 6;

enum class Tables {
  meta,
  probes,
  probe_labels,
  label_lists,
  features,
  models,
  predictions,
  scanners,
  clusters,
  run_weeks,
  evaluations,
  abuse_reports,
};

// The DDL of a group (CREATE TABLE/INDEX IF NOT EXISTS statements).
const char* ddl(Tables t);
// Creates the group where it is missing, with meta where the group reads it; on a writable connection also
// brings an older layout of the group up to date.
void ensure(Db& db, Tables t);
// Applies every migration an older file needs (each checks the file, so running it again does nothing) and
// records kVersion in meta. Writers call it once per open (the probe store, inside its creating transaction).
void migrate(Db& db);
// probes_session (src, sport, dst, dport, ts_us), which finds another source's probe of a session: created
// over the rows already stored where it is missing, before the first lookup that needs it (the probe store,
// inside its batch's transaction). A database of captures alone never has it.
void ensure_session_index(Db& db);
// Whether the index `name` exists.
bool has_index(Db& db, const char* name);
// Whether `table` has `column` (false when the table does not exist).
bool has_column(Db& db, const char* table, const char* column);
// meta's schema.version (0 where there is none yet).
int stored_version(Db& db);

// PostgreSQL: the month partition of probes that holds `ts_us` (its table name and bounds, SQL text).
struct ProbePartition {
  std::string name, from, to;
};
ProbePartition probe_partition(int64_t ts_us);
// Creates the partition where it is missing, in a transaction of its own (nothing on SQLite).
void ensure_probe_partition(Db& db, const ProbePartition& p);

}  // namespace sg::schema
