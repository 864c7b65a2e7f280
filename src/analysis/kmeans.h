// k-means++ with seeded restarts, silhouettes, and the choice of K for the unknown-probe clusters
// (README, From probes to organisations). Plain C++: the inputs are a few thousand 128-d features per service, so the
// exact algorithms are fast enough and keep the analysis free of heavy dependencies.
#pragma once

#include <cstdint>
#include <vector>

#include "analysis/matrix.h"

namespace sg::analysis {

struct KMeansResult {
  int k = 0;
  std::vector<int> assign;  // cluster of each row
  Matrix centroids;         // k × cols
  double inertia = 0;       // sum of squared distances to the assigned centroid
};

// Best of `restarts` runs (lowest inertia), each seeded from `seed`; Lloyd iterations until no row moves.
KMeansResult kmeans(const Matrix& x, int k, uint64_t seed, int restarts = 10, int max_iter = 300);

// Silhouette of each row (Euclidean). Rows alone in their cluster get 0, as in scikit-learn.
std::vector<double> silhouette_samples(const Matrix& x, const std::vector<int>& assign, int k);

struct KChoice {
  int k = 0;
  KMeansResult result;
  std::vector<int> candidates;  // the K tried
  std::vector<double> share;    // per K: share of clusters whose best silhouette exceeds the mean
  std::vector<double> mean_silhouette;
};

// README, From probes to organisations: for each K in [kmin, kmax], the share of clusters whose best sample silhouette
// exceeds the mean silhouette; the largest share wins, the smallest K on ties. Silhouettes are computed on a seeded
// sample of at most `sample` rows (they cost O(n²)); clustering always uses every row. With fewer than
// kmin + 1 rows there is nothing to choose: one cluster.
KChoice choose_k(const Matrix& x, uint64_t seed, int kmin = 3, int kmax = 10, int sample = 2000, int restarts = 10);

}  // namespace sg::analysis
