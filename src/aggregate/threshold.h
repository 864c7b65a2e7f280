// The ensemble's unknown threshold θ (docs/METHOD.md): predict the most probable known class unless its
// probability is below θ, then "unknown". θ is searched on the 0.00..1.00 grid (step 0.01) over training
// rows only, maximising weighted F1; the smallest θ wins ties so the model abstains no more than it must.
#pragma once

#include <vector>

namespace sg::aggregate {

// proba: n rows of K class probabilities (row-major). Returns class ids, K for unknown.
std::vector<int> apply_threshold(const std::vector<float>& proba, int num_known, double theta);

struct ThetaSearch {
  double theta = 0;
  double weighted_f1 = 0;
  std::vector<double> curve;  // weighted F1 at each of the 101 grid points
};

// truth: class ids 0..K (K = unknown) for the same rows.
ThetaSearch search_theta(const std::vector<float>& proba, const std::vector<int>& truth, int num_known);

}  // namespace sg::aggregate
