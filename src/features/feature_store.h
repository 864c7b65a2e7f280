// The frozen selection and the versioned schemas in the database (tables feature_selection and
// feature_schema, owned by storage/feature_store.h). Version n+1 of a schema only appends cells.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "features/probe_stream.h"
#include "features/ranking.h"
#include "features/schema.h"

namespace sg::features {

void ensure_feature_tables(Db& db);  // feature_selection and feature_schema

struct StoredSelection {
  int64_t until_us = 0;
  std::vector<FieldRank> ranking;     // in rank order
  std::vector<std::string> selected;  // alphabetical
};

// Writes inside the caller's transaction.
void save_ranking(Db& db, const Ranking& r);
void save_schema(Db& db, const Schema& s);
// Removes a service's selection and every schema version of it.
void delete_service_features(Db& db, Service s);

std::optional<StoredSelection> load_selection(Db& db, Service s);
// version 0: the latest.
std::optional<Schema> load_schema(Db& db, Service s, SchemaMode mode, int version = 0);

struct GrowResult {
  Schema schema;  // the latest incremental schema after growing (unchanged if nothing was new)
  bool new_version = false;
  LayoutReport report;  // tokens appended (tokens_kept), dropped for a full canvas (over_cap), rare ones
  SkipLog skips;
};

// Grows the latest incremental schema of `service` with the tokens of probes in [from_us, to_us) and saves
// the new version in one transaction. Idempotent: a window already grown from appends nothing. Throws
// std::runtime_error when the service has no schema (select first).
GrowResult grow_schema(Db& db, Service service, int64_t from_us, int64_t to_us, const LayoutRules& rules = {});

}  // namespace sg::features
