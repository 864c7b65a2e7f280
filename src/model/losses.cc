#include "model/torch_losses.h"

namespace sg::model::detail {
namespace {

// The reference adds 1e-8 inside the logarithms of the binary probabilities; kept so values match it.
constexpr double kLogEps = 1e-8;

// [B,2K] → [B,2,K] softmax over each (negative, positive) pair.
torch::Tensor pair_probs(const torch::Tensor& logits_mb) {
  const auto b = logits_mb.size(0);
  return torch::softmax(logits_mb.view({b, 2, -1}), 1);
}

}  // namespace

torch::Tensor closed_ce(const torch::Tensor& logits, const torch::Tensor& y) {
  return torch::nn::functional::cross_entropy(logits, y);
}

torch::Tensor multi_binary_loss(const torch::Tensor& logits_mb, const torch::Tensor& y) {
  auto r = pair_probs(logits_mb);
  auto neg_log_neg = -torch::log(r.select(1, 0) + kLogEps);  // [B,K]
  auto neg_log_pos = -torch::log(r.select(1, 1) + kLogEps);
  auto yy = y.unsqueeze(1);
  auto pos_term = neg_log_pos.gather(1, yy).squeeze(1);
  // Exclude the true class from the max; −log p is never negative, so filling it with 0 cannot win
  // unless every other term is 0 as well (then the max is 0 either way).
  auto others = neg_log_neg.scatter(1, yy, 0.0);
  auto neg_term = std::get<0>(others.max(1));
  return pos_term.mean() + neg_term.mean();
}

torch::Tensor masked_soft_ce(const torch::Tensor& logits, const torch::Tensor& targets, const torch::Tensor& mask) {
  auto per_row = -(targets * torch::log_softmax(logits, 1)).sum(1);
  return (per_row * mask).mean();
}

OpenTargets open_targets(const torch::Tensor& p, const torch::Tensor& logits_mb, double p_cutoff, double q_cutoff) {
  torch::NoGradGuard guard;
  auto r = pair_probs(logits_mb);
  auto r_neg = r.select(1, 0);
  auto r_pos = r.select(1, 1);
  OpenTargets t;
  t.p = p;
  t.outlier = (p * r_neg).sum(1);
  t.q = torch::cat({p * r_pos, t.outlier.unsqueeze(1)}, 1);
  auto p_max = std::get<0>(p.max(1));
  auto q_max = std::get<0>(t.q.max(1));
  t.closed_mask = (p_max.ge(p_cutoff) & t.outlier.lt(0.5)).to(p.scalar_type());
  t.open_mask = q_max.ge(q_cutoff).to(p.scalar_type());
  return t;
}

DistAlign::DistAlign(int num_classes, int length) : queue(torch::zeros({length, num_classes})) {}

torch::Tensor DistAlign::align(const torch::Tensor& p) {
  torch::NoGradGuard guard;
  if (queue.device() != p.device()) queue = queue.to(p.device());
  queue[pointer] = p.mean(0);
  pointer = (pointer + 1) % queue.size(0);
  const double uniform = 1.0 / static_cast<double>(queue.size(1));
  auto aligned = p * (uniform + 1e-6) / (queue.mean(0) + 1e-6);
  return aligned / aligned.sum(1, true);
}

}  // namespace sg::model::detail
