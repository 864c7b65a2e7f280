// A 2-D t-SNE map of probe features (van der Maaten & Hinton 2008), exact gradient, seeded, for the
// report's figures like the paper's Figures 2-3. Exact t-SNE costs O(n²) per iteration, so callers sample
// (a few thousand points at most); maps are for reading, not for measuring.
#pragma once

#include <cstdint>
#include <vector>

#include "analysis/matrix.h"

namespace sg::analysis {

struct TsneOptions {
  double perplexity = 30;
  int iterations = 750;
  double learning_rate = 0;  // 0: max(n / early_exaggeration / 4, 50), scikit-learn's "auto"
  double early_exaggeration = 12;
  int exaggeration_iterations = 250;
  uint64_t seed = 1;
};

// n × 2 coordinates, row order as in x.
Matrix tsne(const Matrix& x, const TsneOptions& o = {});

// Indices of a seeded uniform sample of at most `max_rows` of `rows`, ascending.
std::vector<int> sample_rows(int rows, int max_rows, uint64_t seed);

}  // namespace sg::analysis
