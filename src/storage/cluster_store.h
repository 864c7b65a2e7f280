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
