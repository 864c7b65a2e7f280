// One-vs-rest logistic regression with balanced class weights (docs/METHOD.md: the per-ip aggregator over the
// per-service vote features). Matches scikit-learn's LogisticRegression(multi_class="ovr",
// class_weight="balanced", penalty="l2", C) objective: per class k, minimise
//   ½‖w_k‖² + C·Σ_i s_ik·log(1 + exp(−t_ik·(x_i·w_k + b_k)))   (t = ±1, intercept not penalised)
// with s_ik = n / (2·n_pos,k) for positives and n / (2·n_neg,k) for negatives. Solved with libtorch's L-BFGS
// in double precision (deterministic; the problem is convex).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace sg::model {

struct LogRegOptions {
  double C = 1.0;
  bool balanced = true;  // false: every sample weighs 1
  int max_iter = 1000;   // L-BFGS iterations
  double tol = 1e-14;    // stop when the objective or the step changes less than this
};

// Both forms docs/METHOD.md asks to compare: the raw per-class sigmoid (rows need not sum to 1) and the same
// row-normalised (scikit-learn's predict_proba for ovr).
struct LogRegProba {
  int num_classes = 0;
  std::vector<float> raw;         // n*K
  std::vector<float> normalised;  // n*K
};

class LogReg {
 public:
  // X: n×d row-major; y: class 0..K-1 per row. A class with no rows gets zero weights and a very negative
  // intercept (its probability is ~0) rather than an unbounded fit.
  void fit(const std::vector<float>& X, size_t n, int d, const std::vector<int>& y, int K,
           const LogRegOptions& options = {});
  LogRegProba predict_proba(const std::vector<float>& X, size_t n) const;

  void save(const std::string& path) const;  // JSON, written atomically
  static LogReg load(const std::string& path);

  int dim() const { return d_; }
  int num_classes() const { return k_; }
  const std::vector<double>& weights() const { return w_; }     // K×d
  const std::vector<double>& intercepts() const { return b_; }  // K
  int iterations() const { return iterations_; }

 private:
  int d_ = 0, k_ = 0, iterations_ = 0;
  std::vector<double> w_, b_;
};

}  // namespace sg::model
