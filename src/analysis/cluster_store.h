// Cluster analyses kept in the database so that `report` shows what `clusters` computed: an analysis as the
// JSON rows of storage/cluster_store (one per range and service, one per cluster) and back, its JSON for
// `clusters --json`, and its text summary. Storing a range replaces every earlier row of that range.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "analysis/clusters.h"
#include "storage/cluster_store.h"

namespace sg::analysis {

void store_clusters(Db& db, const ClusterAnalysis& a);
// The analysis stored for exactly [from, to), if any.
std::optional<ClusterAnalysis> load_clusters(Db& db, int64_t from_us, int64_t to_us);
// (Ranges with a stored analysis: sg::stored_cluster_ranges.)

std::string clusters_json(const ClusterAnalysis& a);
ClusterAnalysis clusters_from_json(const std::string& text);  // throws std::runtime_error
// A text summary for the terminal: K per service and each cluster's size, nearest organisation, top values.
std::string clusters_table(const ClusterAnalysis& a);

}  // namespace sg::analysis
