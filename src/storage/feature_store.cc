#include "storage/feature_store.h"

#include <fmt/format.h>

#include "storage/schema.h"
#include "storage/sqlite.h"

namespace sg {

namespace {

// REAL columns are written as text with 17 significant digits through SQL's CAST, and read back through a
// CAST to text (which SQLite writes with 15 significant digits).
std::string real_text(double v) { return fmt::format("{:.17g}", v); }

}  // namespace

void ensure_feature_selection_tables(Db& db) { schema::ensure(db, schema::Tables::features); }

void replace_feature_ranking(Db& db, const std::string& service, const std::vector<FeatureRankRow>& rows) {
  Stmt del(db, "DELETE FROM feature_selection WHERE service=?");
  del.bind(1, service);
  del.step();
  Stmt ins(db,
           "INSERT INTO feature_selection(service, rank, field, mi, distinct_values, present, ratio, selected, "
           "random_flag, until_us) VALUES(?,?,?,CAST(? AS DOUBLE PRECISION),?,?,CAST(? AS DOUBLE PRECISION),?,?,?)");
  int rank = 0;
  for (const FeatureRankRow& f : rows) {
    ins.bind(1, service).bind(2, int64_t(++rank)).bind(3, f.field).bind(4, real_text(f.mi));
    ins.bind(5, int64_t(f.distinct)).bind(6, int64_t(f.present)).bind(7, real_text(f.ratio));
    ins.bind(8, int64_t(f.selected)).bind(9, int64_t(f.random)).bind(10, f.until_us);
    ins.step();
    ins.reset();
  }
}

std::vector<FeatureRankRow> feature_ranking(Db& db, const std::string& service) {
  Stmt q(db,
         "SELECT field, CAST(mi AS TEXT), distinct_values, present, CAST(ratio AS TEXT), selected, random_flag, "
         "until_us FROM feature_selection WHERE service=? ORDER BY rank");
  q.bind(1, service);
  std::vector<FeatureRankRow> out;
  while (q.step()) {
    FeatureRankRow f;
    f.field = q.col_text(0);
    f.mi = std::stod(q.col_text(1));
    f.distinct = uint64_t(q.col_int(2));
    f.present = uint64_t(q.col_int(3));
    f.ratio = std::stod(q.col_text(4));
    f.selected = q.col_int(5) != 0;
    f.random = q.col_int(6) != 0;
    f.until_us = q.col_int(7);
    out.push_back(std::move(f));
  }
  return out;
}

void insert_feature_schema(Db& db, const FeatureSchemaRow& row) {
  Stmt ins(db, "INSERT INTO feature_schema(service, mode, version, side, cells, json, created) VALUES(?,?,?,?,?,?,?)");
  ins.bind(1, row.service).bind(2, row.mode).bind(3, row.version);
  ins.bind(4, row.side).bind(5, row.cells).bind(6, row.json).bind(7, row.created);
  ins.step();
}

std::optional<std::string> feature_schema_json(Db& db, const std::string& service, const std::string& mode,
                                               int64_t version) {
  Stmt q(db,
         "SELECT json FROM feature_schema WHERE service=?1 AND mode=?2 AND (?3=0 OR version=?3) "
         "ORDER BY version DESC LIMIT 1");
  q.bind(1, service).bind(2, mode).bind(3, version);
  if (!q.step()) return std::nullopt;
  return q.col_text(0);
}

void delete_feature_rows(Db& db, const std::string& service) {
  for (const char* sql :
       {"DELETE FROM feature_selection WHERE service=?", "DELETE FROM feature_schema WHERE service=?"}) {
    Stmt del(db, sql);
    del.bind(1, service);
    del.step();
  }
}

}  // namespace sg
