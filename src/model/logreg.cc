#include "model/logreg.h"

#include <torch/torch.h>
#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "util/atomic_file.h"

namespace sg::model {
namespace {

constexpr double kAbsentIntercept = -30.0;  // sigmoid ≈ 1e-13

torch::Tensor to_matrix(const std::vector<float>& X, size_t n, int d) {
  if (d < 1 || X.size() != n * static_cast<size_t>(d))
    throw std::invalid_argument("logreg: X has " + std::to_string(X.size()) + " values, expected n*d");
  return torch::from_blob(const_cast<float*>(X.data()), {static_cast<int64_t>(n), d}, torch::kFloat32)
      .to(torch::kFloat64);
}

}  // namespace

void LogReg::fit(const std::vector<float>& X, size_t n, int d, const std::vector<int>& y, int K,
                 const LogRegOptions& o) {
  if (K < 1 || y.size() != n || n == 0) throw std::invalid_argument("logreg: need n > 0 rows, n labels, K >= 1");
  for (int v : y)
    if (v < 0 || v >= K) throw std::invalid_argument("logreg: label " + std::to_string(v) + " outside 0..K-1");
  auto x = to_matrix(X, n, d);
  auto labels = torch::tensor(std::vector<int64_t>(y.begin(), y.end()), torch::kInt64);
  auto pos = torch::nn::functional::one_hot(labels, K).to(torch::kFloat64);  // [n,K]
  auto sign = pos * 2 - 1;
  auto n_pos = pos.sum(0);
  auto present = n_pos.gt(0);
  auto weight = torch::ones_like(pos);
  if (o.balanced) {
    const double nn = static_cast<double>(n);
    auto w_pos = nn / (2 * n_pos.clamp_min(1));
    auto w_neg = nn / (2 * (nn - n_pos).clamp_min(1));
    weight = pos * w_pos + (1 - pos) * w_neg;
  }
  weight = weight * present.to(torch::kFloat64);  // absent classes contribute nothing

  auto W = torch::zeros({d, K}, torch::kFloat64).requires_grad_(true);
  auto B = torch::zeros({K}, torch::kFloat64).requires_grad_(true);
  torch::optim::LBFGS solver({W, B}, torch::optim::LBFGSOptions(1.0)
                                         .max_iter(o.max_iter)
                                         .history_size(20)
                                         .tolerance_grad(1e-12)
                                         .tolerance_change(o.tol)
                                         .line_search_fn("strong_wolfe"));
  auto objective = [&] {
    solver.zero_grad();
    auto margin = sign * (x.matmul(W) + B);
    auto loss = 0.5 * (W * W).sum() + o.C * (weight * torch::nn::functional::softplus(-margin)).sum();
    loss.backward();
    return loss;
  };
  // One step() runs up to max_iter L-BFGS iterations and stops early at the tolerances.
  solver.step(objective);
  iterations_ = 0;
  for (const auto& entry : solver.state())
    iterations_ = static_cast<int>(static_cast<torch::optim::LBFGSParamState&>(*entry.second).n_iter());

  d_ = d;
  k_ = K;
  auto w_t = W.detach().t().contiguous();  // [K,d]
  auto b_t = B.detach().contiguous();
  w_.assign(w_t.data_ptr<double>(), w_t.data_ptr<double>() + K * d);
  b_.assign(b_t.data_ptr<double>(), b_t.data_ptr<double>() + K);
  auto present_cpu = present.contiguous();
  for (int k = 0; k < K; ++k) {
    if (present_cpu[k].item<bool>()) continue;
    std::fill_n(w_.begin() + static_cast<size_t>(k) * d, d, 0.0);
    b_[k] = kAbsentIntercept;
  }
}

LogRegProba LogReg::predict_proba(const std::vector<float>& X, size_t n) const {
  if (k_ == 0) throw std::logic_error("logreg: predict before fit");
  auto x = to_matrix(X, n, d_);
  auto W = torch::from_blob(const_cast<double*>(w_.data()), {k_, d_}, torch::kFloat64);
  auto B = torch::from_blob(const_cast<double*>(b_.data()), {k_}, torch::kFloat64);
  auto raw = torch::sigmoid(x.matmul(W.t()) + B);
  auto norm = raw / raw.sum(1, true).clamp_min(1e-300);
  auto rawf = raw.to(torch::kFloat32).contiguous();
  auto normf = norm.to(torch::kFloat32).contiguous();
  LogRegProba p;
  p.num_classes = k_;
  p.raw.assign(rawf.data_ptr<float>(), rawf.data_ptr<float>() + n * k_);
  p.normalised.assign(normf.data_ptr<float>(), normf.data_ptr<float>() + n * k_);
  return p;
}

void LogReg::save(const std::string& path) const {
  nlohmann::json j{{"format", "sg-logreg-1"}, {"dim", d_}, {"classes", k_}, {"weights", w_}, {"intercepts", b_}};
  const std::string text = j.dump();
  write_file_atomically(path, [&](const std::string& tmp) {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << text;
    out.flush();
    if (!out) throw std::runtime_error("cannot write " + tmp);
  });
}

LogReg LogReg::load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("logreg " + path + ": cannot open");
  try {
    auto j = nlohmann::json::parse(in);
    if (j.at("format") != "sg-logreg-1") throw std::runtime_error("unknown format");
    LogReg m;
    m.d_ = j.at("dim").get<int>();
    m.k_ = j.at("classes").get<int>();
    m.w_ = j.at("weights").get<std::vector<double>>();
    m.b_ = j.at("intercepts").get<std::vector<double>>();
    if (m.d_ < 1 || m.k_ < 1 || m.w_.size() != static_cast<size_t>(m.d_) * m.k_ ||
        m.b_.size() != static_cast<size_t>(m.k_))
      throw std::runtime_error("inconsistent shapes");
    return m;
  } catch (const std::exception& e) {
    throw std::runtime_error("logreg " + path + ": " + e.what());
  }
}

}  // namespace sg::model
