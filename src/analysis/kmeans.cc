#include "analysis/kmeans.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <random>
#include <stdexcept>

namespace sg::analysis {

namespace {

// k-means++ seeding: each next centre is drawn with probability proportional to its squared distance to
// the nearest centre chosen so far, which spreads the start and avoids most bad local minima.
Matrix seed_plus_plus(const Matrix& x, int k, std::mt19937_64& rng) {
  Matrix c(k, x.cols);
  std::vector<double> d2(x.rows, std::numeric_limits<double>::max());
  int first = std::uniform_int_distribution<int>(0, x.rows - 1)(rng);
  std::copy(x.row(first), x.row(first) + x.cols, c.row(0));
  for (int j = 1; j < k; ++j) {
    double total = 0;
    for (int i = 0; i < x.rows; ++i) {
      d2[i] = std::min(d2[i], sq_dist(x.row(i), c.row(j - 1), x.cols));
      total += d2[i];
    }
    int pick = 0;
    if (total > 0) {
      double r = std::uniform_real_distribution<double>(0, total)(rng);
      for (pick = 0; pick < x.rows - 1 && (r -= d2[pick]) > 0; ++pick) {}
    } else {
      pick = std::uniform_int_distribution<int>(0, x.rows - 1)(rng);  // all points identical
    }
    std::copy(x.row(pick), x.row(pick) + x.cols, c.row(j));
  }
  return c;
}

KMeansResult lloyd(const Matrix& x, Matrix c, int max_iter) {
  const int k = c.rows;
  KMeansResult r;
  r.k = k;
  r.assign.assign(x.rows, -1);
  for (int it = 0; it < max_iter; ++it) {
    bool moved = false;
    for (int i = 0; i < x.rows; ++i) {
      int best = 0;
      double bd = std::numeric_limits<double>::max();
      for (int j = 0; j < k; ++j) {
        double d = sq_dist(x.row(i), c.row(j), x.cols);
        if (d < bd) bd = d, best = j;
      }
      if (r.assign[i] != best) r.assign[i] = best, moved = true;
    }
    if (!moved) break;
    Matrix sum(k, x.cols);
    std::vector<int> n(k, 0);
    for (int i = 0; i < x.rows; ++i) {
      float* s = sum.row(r.assign[i]);
      for (int d = 0; d < x.cols; ++d) s[d] += x.row(i)[d];
      ++n[r.assign[i]];
    }
    for (int j = 0; j < k; ++j)  // an emptied cluster keeps its old centre
      if (n[j])
        for (int d = 0; d < x.cols; ++d) c.row(j)[d] = sum.row(j)[d] / n[j];
  }
  r.inertia = 0;
  for (int i = 0; i < x.rows; ++i) r.inertia += sq_dist(x.row(i), c.row(r.assign[i]), x.cols);
  r.centroids = std::move(c);
  return r;
}

}  // namespace

KMeansResult kmeans(const Matrix& x, int k, uint64_t seed, int restarts, int max_iter) {
  if (k < 1 || k > x.rows) throw std::invalid_argument("kmeans: k must be in 1..rows");
  std::mt19937_64 rng(seed);
  KMeansResult best;
  best.inertia = std::numeric_limits<double>::max();
  for (int r = 0; r < std::max(1, restarts); ++r) {
    auto run = lloyd(x, seed_plus_plus(x, k, rng), max_iter);
    if (run.inertia < best.inertia) best = std::move(run);
  }
  return best;
}

std::vector<double> silhouette_samples(const Matrix& x, const std::vector<int>& assign, int k) {
  std::vector<int> size(k, 0);
  for (int a : assign) ++size[a];
  std::vector<double> s(x.rows, 0.0), sum(k);
  for (int i = 0; i < x.rows; ++i) {
    if (size[assign[i]] < 2) continue;
    std::fill(sum.begin(), sum.end(), 0.0);
    for (int j = 0; j < x.rows; ++j)
      if (j != i) sum[assign[j]] += std::sqrt(sq_dist(x.row(i), x.row(j), x.cols));
    double a = sum[assign[i]] / (size[assign[i]] - 1);
    double b = std::numeric_limits<double>::max();
    for (int c = 0; c < k; ++c)
      if (c != assign[i] && size[c]) b = std::min(b, sum[c] / size[c]);
    if (b == std::numeric_limits<double>::max()) continue;  // a single cluster: silhouette undefined
    double m = std::max(a, b);
    s[i] = m > 0 ? (b - a) / m : 0.0;
  }
  return s;
}

KChoice choose_k(const Matrix& x, uint64_t seed, int kmin, int kmax, int sample, int restarts) {
  KChoice out;
  if (x.rows <= kmin) {
    out.k = x.rows > 0 ? 1 : 0;
    if (x.rows > 0) out.result = kmeans(x, 1, seed, 1);
    return out;
  }
  kmax = std::min(kmax, x.rows - 1);
  // One seeded sample of rows for every K, so the shares compare like with like.
  std::vector<int> idx(x.rows);
  std::iota(idx.begin(), idx.end(), 0);
  std::mt19937_64 rng(seed ^ 0x5151);
  if (x.rows > sample) {
    std::shuffle(idx.begin(), idx.end(), rng);
    idx.resize(sample);
    std::sort(idx.begin(), idx.end());
  }
  Matrix sub(int(idx.size()), x.cols);
  for (size_t i = 0; i < idx.size(); ++i) std::copy(x.row(idx[i]), x.row(idx[i]) + x.cols, sub.row(int(i)));

  double best_share = -1;
  for (int k = kmin; k <= kmax; ++k) {
    auto r = kmeans(x, k, seed + k, restarts);
    std::vector<int> sub_assign(idx.size());
    for (size_t i = 0; i < idx.size(); ++i) sub_assign[i] = r.assign[idx[i]];
    auto s = silhouette_samples(sub, sub_assign, k);
    double mean = std::accumulate(s.begin(), s.end(), 0.0) / s.size();
    std::vector<double> best(k, -2.0);
    for (size_t i = 0; i < s.size(); ++i) best[sub_assign[i]] = std::max(best[sub_assign[i]], s[i]);
    int above = 0;
    for (double b : best) above += b > mean;
    double share = double(above) / k;
    out.candidates.push_back(k);
    out.share.push_back(share);
    out.mean_silhouette.push_back(mean);
    if (share > best_share) {  // strictly greater: the smallest K keeps a tie
      best_share = share;
      out.k = k;
      out.result = std::move(r);
    }
  }
  return out;
}

}  // namespace sg::analysis
