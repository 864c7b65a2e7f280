// The feature stage's tables: feature_selection (the ranked fields of each service and which were selected,
// the frozen selection) and feature_schema (each service's layouts, one row per mode and version). The
// feature stage decides what goes in; rows here are plain text and numbers.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "storage/db.h"

namespace sg {

void ensure_feature_selection_tables(Db& db);

// One ranked field of a service's selection.
struct FeatureRankRow {
  std::string field;
  double mi = 0, ratio = 0;
  uint64_t distinct = 0, present = 0;
  bool selected = false, random = false;
  int64_t until_us = 0;  // the end of the probes the ranking read (the same for every row of a service)
};

// Replaces the service's ranking by `rows`, ranked in their order.
void replace_feature_ranking(Db& db, const std::string& service, const std::vector<FeatureRankRow>& rows);
// The service's ranking in rank order; empty when none is stored.
std::vector<FeatureRankRow> feature_ranking(Db& db, const std::string& service);

struct FeatureSchemaRow {
  std::string service, mode;  // mode: full | incremental
  int64_t version = 0, side = 0, cells = 0;
  std::string json, created;
};

void insert_feature_schema(Db& db, const FeatureSchemaRow& row);
// The JSON of one schema version of a service and mode (version 0: the latest); nullopt when none.
std::optional<std::string> feature_schema_json(Db& db, const std::string& service, const std::string& mode,
                                               int64_t version);

// Removes the service's ranking and every schema version of it.
void delete_feature_rows(Db& db, const std::string& service);

}  // namespace sg
