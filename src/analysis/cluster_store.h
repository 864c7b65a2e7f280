// Cluster analyses kept in the database so that `report` shows what `clusters` computed: table
// cluster_runs (one row per range and service: the K choice, the map, counts) and table clusters (one row per
// cluster, its statistics as JSON). Storing a range replaces every earlier row of that range in one
// transaction, so a rerun never mixes two analyses.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "analysis/clusters.h"

namespace sg::analysis {

void store_clusters(Db& db, const ClusterAnalysis& a);
// The analysis stored for exactly [from, to), if any.
std::optional<ClusterAnalysis> load_clusters(Db& db, int64_t from_us, int64_t to_us);
// Ranges with a stored analysis, newest range first.
std::vector<std::pair<int64_t, int64_t>> stored_cluster_ranges(Db& db);

std::string clusters_json(const ClusterAnalysis& a);
ClusterAnalysis clusters_from_json(const std::string& text);  // throws std::runtime_error
// A text summary for the terminal: K per service and each cluster's size, nearest organisation, top values.
std::string clusters_table(const ClusterAnalysis& a);

}  // namespace sg::analysis
