// Internal to src/model (includes libtorch): IOMatch's losses and pseudo-targets, as pure functions of
// tensors so tests can check them against hand-computed values.
#pragma once

#include <torch/torch.h>

namespace sg::model::detail {

// Mean cross-entropy of closed-set logits [B,K] against integer labels [B].
torch::Tensor closed_ce(const torch::Tensor& logits, const torch::Tensor& y);

// Multi-binary (one-vs-all) loss on logits [B,2K] (negative half first): each class k has a 2-way softmax
// (p_neg,k, p_pos,k); loss = mean over the batch of −log p_pos[y] + max_{k≠y} −log p_neg[k].
torch::Tensor multi_binary_loss(const torch::Tensor& logits_mb, const torch::Tensor& y);

// Mean over the batch of mask_i · Σ_k −target_ik · log softmax(logits)_ik (masked-out rows count as zero).
torch::Tensor masked_soft_ce(const torch::Tensor& logits, const torch::Tensor& targets, const torch::Tensor& mask);

// Pseudo-targets from the unlabelled view (no gradient): p = closed-set probabilities (already aligned),
// r = per-class binary probabilities. outlier_i = Σ_k p_ik · r_neg,ik; q_k = p_k · r_pos,k, q_K = outlier.
struct OpenTargets {
  torch::Tensor p, q;
  torch::Tensor outlier;      // [U]
  torch::Tensor closed_mask;  // max p ≥ p_cutoff and outlier < 0.5, as float
  torch::Tensor open_mask;    // max q ≥ q_cutoff, as float
};
OpenTargets open_targets(const torch::Tensor& p, const torch::Tensor& logits_mb, double p_cutoff, double q_cutoff);

// Distribution alignment toward a uniform prior: p ← normalise(p / mean of the last `length` batch means).
// The queue starts at zero, as in the reference, so early batches are aligned against a partial history.
struct DistAlign {
  torch::Tensor queue;  // [length, K]
  int64_t pointer = 0;
  DistAlign() = default;
  DistAlign(int num_classes, int length);
  torch::Tensor align(const torch::Tensor& p);  // records p's batch mean, then aligns
};

}  // namespace sg::model::detail
