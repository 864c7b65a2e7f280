#include "features/feature_store.h"

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>

#include "export/json.h"
#include "features/vocabulary.h"

namespace sg::features {

namespace {

const char* kFeatureDdl = R"sql(
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

// Stmt binds integers and text only; REAL columns go through SQL's CAST, with 17 significant digits.
std::string real_text(double v) { return fmt::format("{:.17g}", v); }

}  // namespace

void ensure_feature_tables(Db& db) { db.ensure_schema(kFeatureDdl); }

void save_ranking(Db& db, const Ranking& r) {
  ensure_feature_tables(db);
  Stmt del(db, "DELETE FROM feature_selection WHERE service=?");
  del.bind(1, service_name(r.service));
  del.step();
  Stmt ins(db,
           "INSERT INTO feature_selection(service, rank, field, mi, distinct_values, present, ratio, selected, "
           "random_flag, until_us) VALUES(?,?,?,CAST(? AS REAL),?,?,CAST(? AS REAL),?,?,?)");
  int rank = 0;
  for (const FieldRank& f : r.fields) {
    ins.bind(1, service_name(r.service)).bind(2, int64_t(++rank)).bind(3, f.field).bind(4, real_text(f.mi));
    ins.bind(5, int64_t(f.distinct)).bind(6, int64_t(f.present)).bind(7, real_text(f.ratio));
    ins.bind(8, int64_t(f.selected)).bind(9, int64_t(f.random)).bind(10, r.until_us);
    ins.step();
    ins.reset();
  }
}

void save_schema(Db& db, const Schema& s) {
  ensure_feature_tables(db);
  Stmt ins(db, "INSERT INTO feature_schema(service, mode, version, side, cells, json, created) VALUES(?,?,?,?,?,?,?)");
  ins.bind(1, service_name(s.service)).bind(2, mode_name(s.mode)).bind(3, int64_t(s.version));
  ins.bind(4, int64_t(s.side)).bind(5, int64_t(s.cells.size())).bind(6, schema_to_json(s)).bind(7, now_ts());
  ins.step();
}

void delete_service_features(Db& db, Service s) {
  ensure_feature_tables(db);
  for (const char* sql : {"DELETE FROM feature_selection WHERE service=?", "DELETE FROM feature_schema WHERE service=?"}) {
    Stmt del(db, sql);
    del.bind(1, service_name(s));
    del.step();
  }
}

std::optional<StoredSelection> load_selection(Db& db, Service s) {
  ensure_feature_tables(db);
  Stmt q(db,
         "SELECT field, CAST(mi AS TEXT), distinct_values, present, CAST(ratio AS TEXT), selected, random_flag, "
         "until_us FROM feature_selection WHERE service=? ORDER BY rank");
  q.bind(1, service_name(s));
  StoredSelection out;
  bool any = false;
  while (q.step()) {
    any = true;
    FieldRank f;
    f.field = q.col_text(0);
    f.mi = std::stod(q.col_text(1));
    f.distinct = uint64_t(q.col_int(2));
    f.present = uint64_t(q.col_int(3));
    f.ratio = std::stod(q.col_text(4));
    f.selected = q.col_int(5) != 0;
    f.random = q.col_int(6) != 0;
    out.until_us = q.col_int(7);
    if (f.selected) out.selected.push_back(f.field);
    out.ranking.push_back(std::move(f));
  }
  if (!any) return std::nullopt;
  std::sort(out.selected.begin(), out.selected.end());
  return out;
}

std::optional<Schema> load_schema(Db& db, Service s, SchemaMode mode, int version) {
  ensure_feature_tables(db);
  Stmt q(db,
         "SELECT json FROM feature_schema WHERE service=?1 AND mode=?2 AND (?3=0 OR version=?3) "
         "ORDER BY version DESC LIMIT 1");
  q.bind(1, service_name(s)).bind(2, mode_name(mode)).bind(3, int64_t(version));
  if (!q.step()) return std::nullopt;
  try {
    return schema_from_json(q.col_text(0));
  } catch (const std::invalid_argument& e) {
    throw StoreError(fmt::format("{}: stored {} schema of {} is damaged: {}", db.path(), mode_name(mode),
                                 service_name(s), e.what()));
  }
}

GrowResult grow_schema(Db& db, Service service, int64_t from_us, int64_t to_us, const LayoutRules& rules) {
  std::optional<Schema> old = load_schema(db, service, SchemaMode::incremental);
  if (!old)
    throw std::runtime_error(fmt::format("no {} schema in {}: run 'scannergrouper select' first",
                                         service_name(service), db.path()));
  std::vector<std::string> fields;
  for (const SchemaField& f : old->fields) fields.push_back(f.name);
  GrowResult out;
  TokenCounts counts = count_tokens(db, service, fields, Window{from_us, to_us}, &out.skips);
  out.schema = grow(*old, counts, rules, out.report);
  out.new_version = out.schema.cells.size() > old->cells.size();
  if (!out.new_version) {
    out.schema = *old;
    return out;
  }
  Transaction tx(db);
  if (load_schema(db, service, SchemaMode::incremental)->version != old->version)
    throw std::runtime_error("the schema was grown by another process meanwhile; run again");
  save_schema(db, out.schema);
  tx.commit();
  return out;
}

}  // namespace sg::features
