#include "aggregate/threshold.h"

#include <stdexcept>

#include "aggregate/metrics.h"

namespace sg::aggregate {

std::vector<int> apply_threshold(const std::vector<float>& proba, int num_known, double theta) {
  if (num_known <= 0 || proba.size() % num_known) throw std::invalid_argument("apply_threshold: bad shape");
  size_t n = proba.size() / num_known;
  std::vector<int> pred(n);
  for (size_t i = 0; i < n; ++i) {
    const float* row = &proba[i * num_known];
    int best = 0;
    for (int k = 1; k < num_known; ++k)
      if (row[k] > row[best]) best = k;
    pred[i] = row[best] < theta ? num_known : best;
  }
  return pred;
}

ThetaSearch search_theta(const std::vector<float>& proba, const std::vector<int>& truth, int num_known) {
  if (truth.size() * num_known != proba.size()) throw std::invalid_argument("search_theta: bad shape");
  ThetaSearch best;
  best.weighted_f1 = -1;
  for (int step = 0; step <= 100; ++step) {
    double theta = step / 100.0;
    double f1 = weighted_f1(truth, apply_threshold(proba, num_known, theta), num_known + 1);
    best.curve.push_back(f1);
    if (f1 > best.weighted_f1) {
      best.weighted_f1 = f1;
      best.theta = theta;
    }
  }
  return best;
}

}  // namespace sg::aggregate
