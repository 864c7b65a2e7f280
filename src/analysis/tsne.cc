#include "analysis/tsne.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <random>

namespace sg::analysis {

namespace {

// Conditional probabilities p_{j|i} with each σ_i found by bisection so that the entropy of row i equals
// log(perplexity); then symmetrised P = (P + Pᵀ) / 2n.
std::vector<double> affinities(const Matrix& x, double perplexity) {
  const int n = x.rows;
  std::vector<double> d(size_t(n) * n), p(size_t(n) * n, 0.0);
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < n; ++j) d[size_t(i) * n + j] = sq_dist(x.row(i), x.row(j), x.cols);
  // A perplexity near n cannot be reached; small samples get a proportionate one (as openTSNE does).
  const double target = std::log(std::max(1.0, std::min(perplexity, (n - 1) / 3.0)));
  for (int i = 0; i < n; ++i) {
    double beta = 1, lo = 0, hi = std::numeric_limits<double>::infinity();
    double* row = &p[size_t(i) * n];
    const double* di = &d[size_t(i) * n];
    for (int step = 0; step < 64; ++step) {
      double sum = 0, weighted = 0;
      // Subtracting the smallest distance keeps exp() from underflowing to 0 for far-away points.
      double dmin = std::numeric_limits<double>::max();
      for (int j = 0; j < n; ++j)
        if (j != i) dmin = std::min(dmin, di[j]);
      for (int j = 0; j < n; ++j) {
        row[j] = j == i ? 0.0 : std::exp(-beta * (di[j] - dmin));
        sum += row[j];
        weighted += row[j] * (di[j] - dmin);
      }
      double entropy = std::log(sum) + beta * weighted / sum;
      for (int j = 0; j < n; ++j) row[j] /= sum;
      if (std::abs(entropy - target) < 1e-5) break;
      if (entropy > target) {
        lo = beta;
        beta = std::isinf(hi) ? beta * 2 : (beta + hi) / 2;
      } else {
        hi = beta;
        beta = (beta + lo) / 2;
      }
    }
  }
  std::vector<double> sym(size_t(n) * n);
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < n; ++j)
      sym[size_t(i) * n + j] = std::max((p[size_t(i) * n + j] + p[size_t(j) * n + i]) / (2.0 * n), 1e-12);
  return sym;
}

}  // namespace

std::vector<int> sample_rows(int rows, int max_rows, uint64_t seed) {
  std::vector<int> idx(rows);
  std::iota(idx.begin(), idx.end(), 0);
  if (rows > max_rows) {
    std::mt19937_64 rng(seed);
    std::shuffle(idx.begin(), idx.end(), rng);
    idx.resize(max_rows);
    std::sort(idx.begin(), idx.end());
  }
  return idx;
}

Matrix tsne(const Matrix& x, const TsneOptions& o) {
  const int n = x.rows;
  Matrix y(n, 2);
  if (n < 2) return y;
  auto p = affinities(x, o.perplexity);
  std::mt19937_64 rng(o.seed);
  std::normal_distribution<double> g(0, 1e-4);
  for (auto& v : y.data) v = float(g(rng));
  std::vector<double> grad(size_t(n) * 2), update(size_t(n) * 2, 0.0), gains(size_t(n) * 2, 1.0);
  std::vector<double> q(size_t(n) * n);
  const double lr = o.learning_rate > 0 ? o.learning_rate : std::max(n / o.early_exaggeration / 4, 50.0);
  for (int it = 0; it < o.iterations; ++it) {
    const double exag = it < o.exaggeration_iterations ? o.early_exaggeration : 1.0;
    const double momentum = it < 250 ? 0.5 : 0.8;
    // Student-t kernel in the map: heavy tails let dissimilar clusters sit far apart.
    double qsum = 0;
    for (int i = 0; i < n; ++i)
      for (int j = 0; j < n; ++j) {
        double v = 0;
        if (i != j) {
          double dx = y.row(i)[0] - y.row(j)[0], dy = y.row(i)[1] - y.row(j)[1];
          v = 1.0 / (1.0 + dx * dx + dy * dy);
        }
        q[size_t(i) * n + j] = v;
        qsum += v;
      }
    std::fill(grad.begin(), grad.end(), 0.0);
    for (int i = 0; i < n; ++i)
      for (int j = 0; j < n; ++j) {
        if (i == j) continue;
        double w = q[size_t(i) * n + j];
        double mult = (exag * p[size_t(i) * n + j] - w / qsum) * w;
        grad[2 * i] += 4 * mult * (y.row(i)[0] - y.row(j)[0]);
        grad[2 * i + 1] += 4 * mult * (y.row(i)[1] - y.row(j)[1]);
      }
    // Delta-bar-delta gains, as in the reference implementation.
    for (size_t k = 0; k < grad.size(); ++k) {
      bool same_sign = (grad[k] > 0) == (update[k] > 0);
      gains[k] = std::max(same_sign ? gains[k] * 0.8 : gains[k] + 0.2, 0.01);
      update[k] = momentum * update[k] - lr * gains[k] * grad[k];
      y.data[k] = float(y.data[k] + update[k]);
    }
    double mx = 0, my = 0;
    for (int i = 0; i < n; ++i) mx += y.row(i)[0], my += y.row(i)[1];
    for (int i = 0; i < n; ++i) y.row(i)[0] -= float(mx / n), y.row(i)[1] -= float(my / n);
  }
  return y;
}

}  // namespace sg::analysis
