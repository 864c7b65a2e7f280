// One-vs-rest logistic regression against cases solvable by hand.
#include "model/logreg.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>

namespace sg::model {
namespace {

double sigmoid(double x) { return 1.0 / (1.0 + std::exp(-x)); }

// Root of w = c·sigmoid(−w) by bisection: the optimum of ½w² + c·log(1+e^{−w}) (c = weight per side).
double solve_symmetric(double c) {
  double lo = 0, hi = c;
  for (int i = 0; i < 200; ++i) {
    const double mid = (lo + hi) / 2;
    (mid - c * sigmoid(-mid) > 0 ? hi : lo) = mid;
  }
  return (lo + hi) / 2;
}

TEST(LogReg, MatchesTheHandSolvedSymmetricCase) {
  // x = −1 is class 0, x = +1 class 1. By symmetry b = 0 and w solves w = 2·sigmoid(−w) (C = 1, each side
  // weighs 1, so the per-class objective is ½w² + 2·log(1+e^{−w})).
  LogReg m;
  m.fit({-1, 1}, 2, 1, {0, 1}, 2);
  const double w = solve_symmetric(2);
  EXPECT_NEAR(m.weights()[1], w, 1e-6);
  EXPECT_NEAR(m.weights()[0], -w, 1e-6);
  EXPECT_NEAR(m.intercepts()[1], 0, 1e-6);
  auto p = m.predict_proba({1}, 1);
  EXPECT_NEAR(p.raw[1], sigmoid(w), 1e-6);
  EXPECT_NEAR(p.raw[0], sigmoid(-w), 1e-6);
  EXPECT_NEAR(p.normalised[0] + p.normalised[1], 1.0, 1e-6);
}

TEST(LogReg, BalancedWeightsUndoImbalance) {
  // Three class-0 rows at −1, one class-1 row at +1. Balanced: positives weigh 4/2 = 2, negatives 4/6, so each
  // side totals 2 and the optimum is symmetric again: b = 0, w = 4·sigmoid(−w).
  const std::vector<float> X{-1, -1, -1, 1};
  const std::vector<int> y{0, 0, 0, 1};
  LogReg balanced;
  balanced.fit(X, 4, 1, y, 2);
  EXPECT_NEAR(balanced.weights()[1], solve_symmetric(4), 1e-6);
  EXPECT_NEAR(balanced.intercepts()[1], 0, 1e-6);
  // Unweighted, the majority pulls the intercept negative and the minority's probability down.
  LogReg plain;
  LogRegOptions o;
  o.balanced = false;
  plain.fit(X, 4, 1, y, 2, o);
  EXPECT_LT(plain.intercepts()[1], -0.1);
  EXPECT_LT(plain.predict_proba({1}, 1).raw[1], balanced.predict_proba({1}, 1).raw[1] - 0.05);
}

TEST(LogReg, SeparatesSeparableClusters) {
  std::mt19937_64 rng(3);
  std::normal_distribution<float> noise(0, 0.3f);
  const float cx[3] = {0, 4, 0}, cy[3] = {0, 0, 4};
  std::vector<float> X;
  std::vector<int> y;
  for (int c = 0; c < 3; ++c)
    for (int i = 0; i < 30; ++i) {
      X.push_back(cx[c] + noise(rng));
      X.push_back(cy[c] + noise(rng));
      y.push_back(c);
    }
  LogReg m;
  m.fit(X, y.size(), 2, y, 3);
  auto p = m.predict_proba(X, y.size());
  int ok = 0;
  for (size_t i = 0; i < y.size(); ++i) {
    int best = 0;
    for (int k = 1; k < 3; ++k)
      if (p.normalised[i * 3 + k] > p.normalised[i * 3 + best]) best = k;
    ok += best == y[i];
  }
  EXPECT_EQ(ok, 90);
}

TEST(LogReg, ClassWithoutRowsGetsNearZeroProbability) {
  LogReg m;
  m.fit({-1, 1}, 2, 1, {0, 1}, 3);
  auto p = m.predict_proba({0.5f}, 1);
  EXPECT_LT(p.raw[2], 1e-9);
}

TEST(LogReg, SaveLoadRoundTripAndHostileFiles) {
  auto dir = std::filesystem::temp_directory_path() / ("sg_logreg_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  LogReg m;
  m.fit({-1, 0.5f, 1, 2}, 2, 2, {0, 1}, 2);
  const auto path = (dir / "lr.json").string();
  m.save(path);
  auto back = LogReg::load(path);
  EXPECT_EQ(back.weights(), m.weights());
  EXPECT_EQ(back.predict_proba({0.3f, 0.1f}, 1).raw, m.predict_proba({0.3f, 0.1f}, 1).raw);
  std::ofstream(dir / "bad.json") << R"({"format":"sg-logreg-1","dim":2,"classes":2,"weights":[1],"intercepts":[0,0]})";
  EXPECT_THROW(LogReg::load((dir / "bad.json").string()), std::runtime_error);
  std::ofstream(dir / "junk.json") << "{{{";
  EXPECT_THROW(LogReg::load((dir / "junk.json").string()), std::runtime_error);
  EXPECT_THROW(m.predict_proba({1, 2, 3}, 1), std::invalid_argument);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace sg::model
