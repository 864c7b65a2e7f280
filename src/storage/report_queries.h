// The reads of the analyst's report (src/report): the range the database covers, probe counts, the scanner
// rows of a range in the shapes the attribution sections use, and the rows other commands stored
// (evaluations, the field ranking, models, ensembles, encoding schemas) with their JSON left for the report
// to read defensively. Every function reads only; a table that does not exist reads as no rows.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "storage/db.h"

namespace sg {

// Rows of a table, 0 when the database has no such table. `table` is one of the tool's own table names.
int64_t table_rows(Db& db, const std::string& table);

// [first window start, last window end) of the scanner rows, if any.
std::optional<std::pair<int64_t, int64_t>> scanner_window_span(Db& db);

struct ServiceProbeCount {
  std::string service;
  int64_t probes = 0, ips = 0;
};
// Probes and distinct source ips per service in [from, to), most probes first.
std::vector<ServiceProbeCount> probe_counts_by_service(Db& db, int64_t from_us, int64_t to_us);

// One scanner row as the attribution totals read it.
struct ScannerFact {
  std::string org, ip;
  std::string services;  // comma-separated
  int64_t probes = 0, window_start = 0;
  double confidence = 0;
  std::string evidence_kind;
};
// The scanner rows of the windows starting in [from, to), by window then ip.
void for_each_scanner_fact(Db& db, int64_t from_us, int64_t to_us, const std::function<void(const ScannerFact&)>& fn);

struct ScannerName {
  std::string ip, org;
  double confidence = 0;
  std::string evidence_kind, reason;
  int64_t window_start = 0;
};
// The `limit` least confident names (org not "unknown") of the windows starting in [from, to).
std::vector<ScannerName> least_confident_names(Db& db, int64_t from_us, int64_t to_us, int64_t limit);

// An (organisation, ip) named in the range: how many weeks, and its latest week's evidence.
struct NamedIp {
  std::string org, ip;
  int64_t weeks = 0, latest = 0, probes = 0;
  std::string services;  // each week's list, joined with ','
  double confidence = 0;
  std::string evidence_kind, reason;
};
// Every (organisation, ip) other than "unknown" of the windows starting in [from, to).
std::vector<NamedIp> named_ips(Db& db, int64_t from_us, int64_t to_us);

struct EvaluationRow {
  int64_t from_us = 0, to_us = 0;
  std::string ensemble, json, created;
};
// Stored evaluations whose range overlaps [from, to), by range then creation.
std::vector<EvaluationRow> evaluations_overlapping(Db& db, int64_t from_us, int64_t to_us);

// Services with a field ranking, alphabetical.
std::vector<std::string> ranked_services(Db& db);
struct RankedField {
  int64_t rank = 0;
  std::string field;
  double mi = 0;
  int64_t distinct_values = 0, present = 0;
  double ratio = 0;
  bool selected = false, random = false;
  int64_t until_us = 0;
};
// The service's ranking, by rank.
std::vector<RankedField> field_ranking(Db& db, const std::string& service);

// One stored encoding schema without its JSON (the report lists them). Named apart from feature_store.h's
// FeatureSchemaRow: two structs of one name in namespace sg broke the one-definition rule (a leaked string).
struct SchemaVersionSummary {
  std::string service, mode;
  int64_t version = 0, side = 0, cells = 0;
  std::string created;
};
std::vector<SchemaVersionSummary> feature_schema_rows(Db& db);  // by service, mode, version

}  // namespace sg
