#include <gtest/gtest.h>

#include <random>
#include <set>

#include "analysis/kmeans.h"
#include "analysis/tsne.h"

namespace sg::analysis {
namespace {

// `k` well-separated Gaussian blobs in `dim` dimensions, `per` points each; labels returned in `truth`.
Matrix blobs(int k, int per, int dim, uint64_t seed, std::vector<int>* truth, double spread = 0.3) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> g(0, spread);
  Matrix x(k * per, dim);
  for (int c = 0; c < k; ++c)
    for (int i = 0; i < per; ++i) {
      float* r = x.row(c * per + i);
      for (int d = 0; d < dim; ++d) r[d] = float((d % k == c ? 10.0 : 0.0) + g(rng));
      if (truth) truth->push_back(c);
    }
  return x;
}

// Clusterings agree up to renaming: every true group maps to one found cluster and vice versa.
bool same_partition(const std::vector<int>& a, const std::vector<int>& b) {
  std::set<std::pair<int, int>> pairs;
  std::set<int> as, bs;
  for (size_t i = 0; i < a.size(); ++i) pairs.insert({a[i], b[i]}), as.insert(a[i]), bs.insert(b[i]);
  return pairs.size() == as.size() && pairs.size() == bs.size();
}

TEST(KMeans, RecoversSeparatedBlobsAndIsRepeatable) {
  std::vector<int> truth;
  auto x = blobs(4, 50, 8, 7, &truth);
  auto r = kmeans(x, 4, 42);
  EXPECT_TRUE(same_partition(truth, r.assign));
  auto again = kmeans(x, 4, 42);
  EXPECT_EQ(r.assign, again.assign);
  EXPECT_DOUBLE_EQ(r.inertia, again.inertia);
  EXPECT_LT(r.inertia, kmeans(x, 2, 42).inertia);
  EXPECT_THROW(kmeans(x, 0, 1), std::invalid_argument);
}

TEST(KMeans, SilhouetteMatchesHandComputedValue) {
  // Points 0, 1 in cluster 0 and 5 in cluster 1 on a line: for x=0, a=1, b=5, s=(5-1)/5=0.8;
  // for x=1, a=1, b=4, s=0.75; the singleton gets 0.
  Matrix x(3, 1);
  x.data = {0, 1, 5};
  auto s = silhouette_samples(x, {0, 0, 1}, 2);
  EXPECT_NEAR(s[0], 0.8, 1e-12);
  EXPECT_NEAR(s[1], 0.75, 1e-12);
  EXPECT_EQ(s[2], 0.0);
}

TEST(KMeans, ChooseKFollowsTheShareRule) {
  std::vector<int> truth;
  auto x = blobs(5, 40, 10, 3, &truth);
  auto c = choose_k(x, 9);
  ASSERT_EQ(c.candidates.front(), 3);
  ASSERT_EQ(c.candidates.back(), 10);
  // The rule: the chosen K has the largest share and no smaller K has the same share.
  size_t chosen = 0;
  for (size_t i = 0; i < c.candidates.size(); ++i)
    if (c.candidates[i] == c.k) chosen = i;
  for (size_t i = 0; i < c.candidates.size(); ++i) {
    EXPECT_LE(c.share[i], c.share[chosen]);
    if (i < chosen) {
      EXPECT_LT(c.share[i], c.share[chosen]);
    }
  }
  EXPECT_EQ(int(c.result.assign.size()), x.rows);
  EXPECT_EQ(c.result.k, c.k);
  // Too few rows to choose: one cluster.
  Matrix tiny(2, 3);
  EXPECT_EQ(choose_k(tiny, 1).k, 1);
}

TEST(Tsne, KeepsClustersApartInTwoDimensions) {
  std::vector<int> truth;
  auto x = blobs(3, 30, 16, 11, &truth, 0.5);
  TsneOptions o;
  o.iterations = 400;
  auto y = tsne(x, o);
  ASSERT_EQ(y.rows, x.rows);
  ASSERT_EQ(y.cols, 2);
  // Every point's nearest map neighbour belongs to its own blob.
  int agree = 0;
  for (int i = 0; i < y.rows; ++i) {
    int nn = -1;
    double best = 1e300;
    for (int j = 0; j < y.rows; ++j)
      if (j != i && sq_dist(y.row(i), y.row(j), 2) < best) {
        best = sq_dist(y.row(i), y.row(j), 2);
        nn = j;
      }
    agree += truth[nn] == truth[i];
  }
  EXPECT_EQ(agree, y.rows);
  auto again = tsne(x, o);
  EXPECT_EQ(y.data, again.data);  // seeded
}

TEST(Tsne, SampleRowsIsSeededSortedAndBounded) {
  auto s = sample_rows(1000, 10, 5);
  EXPECT_EQ(s.size(), 10u);
  EXPECT_TRUE(std::is_sorted(s.begin(), s.end()));
  EXPECT_EQ(s, sample_rows(1000, 10, 5));
  EXPECT_EQ(sample_rows(4, 10, 5).size(), 4u);
}

}  // namespace
}  // namespace sg::analysis
