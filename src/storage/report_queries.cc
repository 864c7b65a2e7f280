#include "storage/report_queries.h"

#include <fmt/format.h>

#include "storage/sqlite.h"

namespace sg {

int64_t table_rows(Db& db, const std::string& table) {
  if (!db.has_table(table.c_str())) return 0;
  Stmt s(db, ("SELECT count(*) FROM \"" + table + "\"").c_str());
  return s.step() ? s.col_int(0) : 0;
}

std::optional<std::pair<int64_t, int64_t>> scanner_window_span(Db& db) {
  if (!db.has_table("scanners")) return std::nullopt;
  Stmt s(db, "SELECT min(window_start), max(window_end) FROM scanners");
  if (s.step() && !s.col_null(0)) return std::pair{s.col_int(0), s.col_int(1)};
  return std::nullopt;
}

std::vector<ServiceProbeCount> probe_counts_by_service(Db& db, int64_t from_us, int64_t to_us) {
  std::vector<ServiceProbeCount> out;
  if (!db.has_table("probes")) return out;
  Stmt s(db,
         "SELECT service, count(*), count(DISTINCT src) FROM probes WHERE ts_us >= ? AND ts_us < ? GROUP BY service "
         "ORDER BY count(*) DESC");
  s.bind(1, from_us).bind(2, to_us);
  while (s.step()) out.push_back({s.col_text(0), s.col_int(1), s.col_int(2)});
  return out;
}

void for_each_scanner_fact(Db& db, int64_t from_us, int64_t to_us, const std::function<void(const ScannerFact&)>& fn) {
  if (!db.has_table("scanners")) return;
  Stmt s(db,
         "SELECT org, ip, services, probes, window_start, confidence, evidence_kind FROM scanners "
         "WHERE window_start >= ? AND window_start < ? ORDER BY window_start, ip");
  s.bind(1, from_us).bind(2, to_us);
  ScannerFact f;
  while (s.step()) {
    f.org = s.col_text(0);
    f.ip = s.col_text(1);
    f.services = s.col_text(2);
    f.probes = s.col_int(3);
    f.window_start = s.col_int(4);
    f.confidence = s.col_double(5);
    f.evidence_kind = s.col_text(6);
    fn(f);
  }
}

std::vector<ScannerName> least_confident_names(Db& db, int64_t from_us, int64_t to_us, int64_t limit) {
  std::vector<ScannerName> out;
  if (!db.has_table("scanners")) return out;
  Stmt s(db,
         "SELECT ip, org, confidence, evidence_kind, reason, window_start FROM scanners WHERE window_start >= ? AND "
         "window_start < ? AND org != 'unknown' ORDER BY confidence, ip LIMIT ?");
  s.bind(1, from_us).bind(2, to_us).bind(3, limit);
  while (s.step())
    out.push_back({s.col_text(0), s.col_text(1), s.col_double(2), s.col_text(3), s.col_text(4), s.col_int(5)});
  return out;
}

std::vector<NamedIp> named_ips(Db& db, int64_t from_us, int64_t to_us) {
  std::vector<NamedIp> out;
  if (!db.has_table("scanners")) return out;
  // Each (organisation, ip) once: how many weeks named it, and its latest week's row (the key
  // (window_start, ip) finds it) for the evidence.
  // The services of all weeks, comma-joined (the reader splits them): GROUP_CONCAT takes no separator with
  // DISTINCT on SQLite, string_agg is PostgreSQL's.
  const std::string sql = fmt::format(
      "SELECT g.org, g.ip, g.weeks, g.latest, g.probes, g.services, l.confidence, l.evidence_kind, l.reason "
      "FROM (SELECT org, ip, COUNT(*) AS weeks, MAX(window_start) AS latest, SUM(probes) AS probes, "
      "{} AS services FROM scanners WHERE window_start >= ? AND window_start < ? "
      "AND org != 'unknown' GROUP BY org, ip) g JOIN scanners l ON l.window_start = g.latest AND l.ip = g.ip",
      db.postgres() ? "string_agg(DISTINCT services, ',')" : "GROUP_CONCAT(DISTINCT services)");
  Stmt s(db, sql.c_str());
  s.bind(1, from_us).bind(2, to_us);
  while (s.step()) {
    NamedIp n;
    n.org = s.col_text(0);
    n.ip = s.col_text(1);
    n.weeks = s.col_int(2);
    n.latest = s.col_int(3);
    n.probes = s.col_int(4);
    n.services = s.col_text(5);
    n.confidence = s.col_double(6);
    n.evidence_kind = s.col_text(7);
    n.reason = s.col_text(8);
    out.push_back(std::move(n));
  }
  return out;
}

std::vector<EvaluationRow> evaluations_overlapping(Db& db, int64_t from_us, int64_t to_us) {
  std::vector<EvaluationRow> out;
  if (!db.has_table("evaluations")) return out;
  Stmt s(db,
         "SELECT from_us, to_us, ensemble, json, created FROM evaluations WHERE from_us < ? AND to_us > ? "
         "ORDER BY from_us, to_us, created");
  s.bind(1, to_us).bind(2, from_us);
  while (s.step()) out.push_back({s.col_int(0), s.col_int(1), s.col_text(2), s.col_text(3), s.col_text(4)});
  return out;
}

std::vector<std::string> ranked_services(Db& db) {
  std::vector<std::string> out;
  if (!db.has_table("feature_selection")) return out;
  Stmt s(db, "SELECT DISTINCT service FROM feature_selection ORDER BY service");
  while (s.step()) out.push_back(s.col_text(0));
  return out;
}

std::vector<RankedField> field_ranking(Db& db, const std::string& service) {
  std::vector<RankedField> out;
  if (!db.has_table("feature_selection")) return out;
  Stmt s(db,
         "SELECT rank, field, CAST(mi AS DOUBLE PRECISION), distinct_values, present, CAST(ratio AS DOUBLE PRECISION), "
         "selected, random_flag, "
         "until_us "
         "FROM feature_selection WHERE service=? ORDER BY rank");
  s.bind(1, service);
  while (s.step()) {
    RankedField f;
    f.rank = s.col_int(0);
    f.field = s.col_text(1);
    f.mi = s.col_double(2);
    f.distinct_values = s.col_int(3);
    f.present = s.col_int(4);
    f.ratio = s.col_double(5);
    f.selected = s.col_int(6) != 0;
    f.random = s.col_int(7) != 0;
    f.until_us = s.col_int(8);
    out.push_back(std::move(f));
  }
  return out;
}

std::vector<SchemaVersionSummary> feature_schema_rows(Db& db) {
  std::vector<SchemaVersionSummary> out;
  if (!db.has_table("feature_schema")) return out;
  Stmt s(db, "SELECT service, mode, version, side, cells, created FROM feature_schema ORDER BY service, mode, version");
  while (s.step())
    out.push_back({s.col_text(0), s.col_text(1), s.col_int(2), s.col_int(3), s.col_int(4), s.col_text(5)});
  return out;
}

}  // namespace sg
