// The unknown-probe clusters an analyst reads (README, From probes to organisations): per service, the probes of a
// range whose ip the ensemble left "unknown" are grouped by k-means++ on their 128-d model features, K chosen by the
// silhouette-share rule; each cluster is described by what its probes sent (top values of the selected
// fields, fingerprints), who sent them (ips, first/last seen) and which known organisation it resembles.
// Reads the database only (probes, probe_predictions, scanners, feature_selection); no model code.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "storage/db.h"

namespace sg::analysis {

struct ClusterOptions {
  uint64_t seed = 1;
  int kmin = 3, kmax = 10;
  int restarts = 5;              // k-means++ restarts per K
  int max_fit_rows = 5000;       // above: K chosen and fitted on a seeded sample, then every row assigned
  int silhouette_sample = 2000;  // silhouettes cost O(n²)
  int map_points = 1500;         // t-SNE points per service (exact t-SNE is O(n²) per iteration)
  int map_iterations = 500;
  int top_values = 3;
  int top_ips = 20;
};

struct ValueShare {
  std::string value;
  int64_t count = 0;
  double share = 0;  // of the cluster's probes
};

struct FieldTop {
  std::string field;
  std::vector<ValueShare> values;  // most frequent first
};

struct MemberIp {
  std::string ip;
  int64_t probes = 0, first_us = 0, last_us = 0;
};

struct Cluster {
  int id = 0;
  int64_t size = 0;
  std::vector<FieldTop> fields;        // the service's selected fields, alphabetical
  std::vector<FieldTop> fingerprints;  // ja3/ja4, hassh, user agent: what analysts search for
  int64_t ip_count = 0;
  std::vector<MemberIp> ips;  // most probes first, at most top_ips
  double radius = 0;          // RMS distance of members to the centroid (scale for the next line)
  std::string nearest_org;    // nearest centroid of known-org probes; empty when there is none
  double nearest_distance = 0;
  double lookalike_share = 0;  // probes the model itself called a known org (the ip stayed unknown)
  std::string lookalike_org;   // the most frequent such org
};

// One point of the 2-D map: cluster -1 marks a probe of a known organisation.
struct MapPoint {
  float x = 0, y = 0;
  int cluster = -1;
  std::string org;  // the ip's attributed organisation, "unknown" for clustered probes
};

struct ServiceClusters {
  std::string service, model;  // model: the version whose features were clustered
  int64_t probes = 0;          // unknown probes clustered
  int64_t fitted_on = 0;       // rows K was chosen and fitted on (a sample when probes > max_fit_rows)
  int64_t known_probes = 0;    // probes of attributed ips (the centroids)
  int64_t other_model = 0;     // unknown probes left out: predicted by another model version
  int k = 0;
  std::vector<int> candidates;
  std::vector<double> share, mean_silhouette;
  std::vector<std::string> selected_fields;
  std::vector<Cluster> clusters;  // largest first
  std::vector<MapPoint> map;
  uint64_t skipped = 0;  // stored probes that were not readable JSON
  std::vector<std::string> skip_examples;
  std::string note;  // why there are no clusters
};

struct ClusterAnalysis {
  int64_t from_us = 0, to_us = 0;  // whole windows
  std::vector<ServiceClusters> services;
  double seconds = 0;
};

// [from, to) widened to whole windows of the stored anchor and length (storage/window_settings.h), as identify
// cut them.
std::pair<int64_t, int64_t> whole_windows(Db& db, int64_t from_us, int64_t to_us);

// false for a database nothing was ingested into
bool has_probes_table(Db& db);

ClusterAnalysis analyse_unknowns(Db& db, int64_t from_us, int64_t to_us, const ClusterOptions& o = {});

}  // namespace sg::analysis
