#include "features/feature_store.h"

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>

#include "features/vocabulary.h"
#include "storage/feature_store.h"
#include "util/time.h"

namespace sg::features {

void ensure_feature_tables(Db& db) { ensure_feature_selection_tables(db); }

void save_ranking(Db& db, const Ranking& r) {
  ensure_feature_tables(db);
  std::vector<FeatureRankRow> rows;
  rows.reserve(r.fields.size());
  for (const FieldRank& f : r.fields)
    rows.push_back({f.field, f.mi, f.ratio, f.distinct, f.present, f.selected, f.random, r.until_us});
  replace_feature_ranking(db, service_name(r.service), rows);
}

void save_schema(Db& db, const Schema& s) {
  ensure_feature_tables(db);
  insert_feature_schema(db, {service_name(s.service), mode_name(s.mode), int64_t(s.version), int64_t(s.side),
                             int64_t(s.cells.size()), schema_to_json(s), now_ts()});
}

void delete_service_features(Db& db, Service s) {
  ensure_feature_tables(db);
  delete_feature_rows(db, service_name(s));
}

std::optional<StoredSelection> load_selection(Db& db, Service s) {
  ensure_feature_tables(db);
  std::vector<FeatureRankRow> rows = feature_ranking(db, service_name(s));
  if (rows.empty()) return std::nullopt;
  StoredSelection out;
  for (FeatureRankRow& row : rows) {
    FieldRank f;
    f.field = std::move(row.field);
    f.mi = row.mi;
    f.distinct = row.distinct;
    f.present = row.present;
    f.ratio = row.ratio;
    f.selected = row.selected;
    f.random = row.random;
    out.until_us = row.until_us;
    if (f.selected) out.selected.push_back(f.field);
    out.ranking.push_back(std::move(f));
  }
  std::sort(out.selected.begin(), out.selected.end());
  return out;
}

std::optional<Schema> load_schema(Db& db, Service s, SchemaMode mode, int version) {
  ensure_feature_tables(db);
  std::optional<std::string> json = feature_schema_json(db, service_name(s), mode_name(mode), int64_t(version));
  if (!json) return std::nullopt;
  try {
    return schema_from_json(*json);
  } catch (const std::invalid_argument& e) {
    throw StoreError(fmt::format("{}: stored {} schema of {} is damaged: {}", db.path(), mode_name(mode),
                                 service_name(s), e.what()));
  }
}

GrowResult grow_schema(Db& db, Service service, int64_t from_us, int64_t to_us, const LayoutRules& rules) {
  std::optional<Schema> old = load_schema(db, service, SchemaMode::incremental);
  if (!old)
    throw std::runtime_error(
        fmt::format("no {} schema in {}: run 'scannergrouper select' first", service_name(service), db.path()));
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
