// Tables cluster_runs (one row per range and service: the K choice, the map, counts, as JSON) and clusters
// (one row per cluster, its statistics as JSON), so that `report` shows what `clusters` computed. Storing a
// range replaces every earlier row of that range in one transaction, so a rerun never mixes two analyses.
// The JSON is written and read by analysis/cluster_store (the analysis' own format); this file only keeps it.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "storage/db.h"

namespace sg {

constexpr const char* kClusterSchema = R"sql(
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

struct StoredCluster {
  int64_t cluster = 0, size = 0;
  std::string nearest_org;
  double nearest_distance = 0;
  std::string json;
};

// One service's analysis of a range.
struct StoredClusterRun {
  std::string service;
  int64_t k = 0, probes = 0;
  std::string json;
  std::vector<StoredCluster> clusters;  // by cluster number when read
};

// Replaces every row of the range [from, to) with `runs`, atomically.
void replace_cluster_runs(Db& db, int64_t from_us, int64_t to_us, const std::vector<StoredClusterRun>& runs);
// The runs stored for exactly [from, to) (in the table's order), each with its clusters; empty if none.
std::vector<StoredClusterRun> cluster_runs(Db& db, int64_t from_us, int64_t to_us);
// Ranges with a stored analysis, newest range first.
std::vector<std::pair<int64_t, int64_t>> stored_cluster_ranges(Db& db);

}  // namespace sg
