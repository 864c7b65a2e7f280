// IOMatch's losses and targets against values worked out by hand on tiny tensors.
#include <gtest/gtest.h>

#include <cmath>

#include "model/model_impl.h"
#include "model/torch_losses.h"
#include "model/torch_net.h"

namespace sg::model::detail {
namespace {

double sigmoid(double x) { return 1.0 / (1.0 + std::exp(-x)); }
torch::Tensor t2(std::vector<float> v, int64_t rows) { return torch::tensor(v, torch::kFloat32).view({rows, -1}); }
torch::Tensor labels(std::vector<int64_t> v) { return torch::tensor(v, torch::kInt64); }
ModelConfig tiny_mlp(int classes, int input_dim, int hidden) {
  ModelConfig c;
  c.backbone = Backbone::mlp;
  c.num_classes = classes;
  c.input_dim = input_dim;
  c.mlp_hidden = hidden;
  return c;
}

TEST(Losses, ClosedCrossEntropy) {
  auto logits = t2({1, 2, 0, 0, 0, 3}, 2);
  const double z0 = std::exp(1) + std::exp(2) + 1, z1 = 2 + std::exp(3);
  const double want = (-std::log(std::exp(2) / z0) - std::log(1 / z1)) / 2;  // y = 1, then y = 0
  EXPECT_NEAR(closed_ce(logits, labels({1, 0})).item<double>(), want, 1e-6);
}

TEST(Losses, MultiBinaryTakesTrueClassPositiveAndWorstOtherNegative) {
  // K = 3, one row, y = 1. Negative logits [0.5, -1, 2], positive logits [1, 3, 0].
  // Class k's pair softmax: p_pos,k = sigmoid(pos_k - neg_k), p_neg,k = sigmoid(neg_k - pos_k).
  auto logits = t2({0.5f, -1, 2, 1, 3, 0}, 1);
  const double pos = -std::log(sigmoid(3 - (-1)));
  const double neg0 = -std::log(sigmoid(0.5 - 1)), neg2 = -std::log(sigmoid(2 - 0));
  // The true class's own negative term (-log sigmoid(-4) ≈ 4.02) is the largest and must be left out.
  EXPECT_NEAR(multi_binary_loss(logits, labels({1})).item<double>(), pos + std::max(neg0, neg2), 1e-6);
}

TEST(Losses, MultiBinaryAveragesOverTheBatch) {
  auto logits = t2({0.5f, -1, 2, 1, 3, 0, 0, 0, 0, 0, 0, 0}, 2);
  const double row0 = -std::log(sigmoid(4)) - std::log(sigmoid(-0.5));
  const double row1 = -std::log(0.5) - std::log(0.5);  // all-zero logits: every pair is 1/2
  EXPECT_NEAR(multi_binary_loss(logits, labels({1, 2})).item<double>(), (row0 + row1) / 2, 1e-6);
}

TEST(Losses, MaskedSoftCrossEntropyCountsMaskedRowsAsZero) {
  auto logits = t2({0, static_cast<float>(std::log(2.0)), 5, -5}, 2);  // row 0 softmax = [1/3, 2/3]
  auto targets = t2({0.5f, 0.5f, 1, 0}, 2);
  auto mask = torch::tensor({1.0f, 0.0f});
  const double row0 = -(0.5 * std::log(1.0 / 3) + 0.5 * std::log(2.0 / 3));
  EXPECT_NEAR(masked_soft_ce(logits, targets, mask).item<double>(), row0 / 2, 1e-6);
}

TEST(Losses, OpenTargetsAndMasks) {
  const float l9 = static_cast<float>(std::log(9.0));
  // Rows: confident inlier; unsure; confident in p but rejected by the binary classifier of its class.
  auto p = t2({0.96f, 0.04f, 0.5f, 0.5f, 0.99f, 0.01f}, 3);
  // [neg0, neg1, pos0, pos1]: rows 0 and 1 give r_pos = [0.9, 0.5]; row 2 gives r_neg = [0.9, 0.5].
  auto mb = t2({0, 0, l9, 0, 0, 0, l9, 0, l9, 0, 0, 0}, 3);
  auto t = open_targets(p, mb, 0.95, 0.5);
  const std::vector<double> outlier{0.96 * 0.1 + 0.04 * 0.5, 0.5 * 0.1 + 0.5 * 0.5, 0.99 * 0.9 + 0.01 * 0.5};
  for (int i = 0; i < 3; ++i) EXPECT_NEAR(t.outlier[i].item<double>(), outlier[i], 1e-6);
  EXPECT_NEAR(t.q[0][0].item<double>(), 0.96 * 0.9, 1e-6);
  EXPECT_NEAR(t.q[0][1].item<double>(), 0.04 * 0.5, 1e-6);
  EXPECT_NEAR(t.q[0][2].item<double>(), outlier[0], 1e-6);
  EXPECT_NEAR(t.q[2][2].item<double>(), outlier[2], 1e-6);
  // closed: max p >= 0.95 and outlier < 0.5; open: max q >= 0.5 (row 1's max q is 0.45).
  EXPECT_EQ(t.closed_mask[0].item<float>(), 1.0f);
  EXPECT_EQ(t.closed_mask[1].item<float>(), 0.0f);
  EXPECT_EQ(t.closed_mask[2].item<float>(), 0.0f);
  EXPECT_EQ(t.open_mask[0].item<float>(), 1.0f);
  EXPECT_EQ(t.open_mask[1].item<float>(), 0.0f);
  EXPECT_EQ(t.open_mask[2].item<float>(), 1.0f);
}

TEST(Losses, DistributionAlignmentDividesByTheRunningMean) {
  DistAlign da(2, 2);
  // Queue [[0.8,0.2],[0,0]] → mean [0.4,0.1]: p/mean ∝ [2,2] → uniform.
  auto a = da.align(t2({0.8f, 0.2f}, 1));
  EXPECT_NEAR(a[0][0].item<double>(), 0.5, 1e-5);
  // Queue [[0.8,0.2],[0.5,0.5]] → mean [0.65,0.35].
  auto b = da.align(t2({0.5f, 0.5f}, 1));
  const double x = 0.5 / 0.65, y = 0.5 / 0.35;
  EXPECT_NEAR(b[0][0].item<double>(), x / (x + y), 1e-5);
  EXPECT_EQ(da.pointer, 0);
}

TEST(Schedule, SevenSixteenthsCosine) {
  EXPECT_DOUBLE_EQ(cosine_lr(0.03, 0, 25000), 0.03);
  EXPECT_NEAR(cosine_lr(0.03, 2000, 25000), 0.03 * std::cos(7 * M_PI * 2000 / (16.0 * 25000)), 1e-15);
  EXPECT_NEAR(cosine_lr(0.03, 25000, 25000), 0.03 * std::cos(7 * M_PI / 16), 1e-15);
  EXPECT_EQ(cosine_lr(0.03, 40000, 25000), 0.0);  // past 8N/7 the cosine would go negative
}

TEST(Network, WeightDecaySkipsBiasesAndBatchNorm) {
  Net net(tiny_mlp(3, 10, 8));
  auto split = split_for_weight_decay(*net);
  // Decayed: fc1..fc3, closed, proj×2, mb, open weights. Not: 7 Linear biases (mb has none) + 3 BN × 2.
  EXPECT_EQ(split.decay.size(), 8u);
  EXPECT_EQ(split.no_decay.size(), 7u + 6u);
  for (const auto& t : split.decay) EXPECT_EQ(t.dim(), 2);
  for (const auto& t : split.no_decay) EXPECT_EQ(t.dim(), 1);
  EXPECT_EQ(split.decay.size() + split.no_decay.size(), net->parameters().size());
}

TEST(Network, WrnShapes) {
  ModelConfig c;
  c.num_classes = 4;
  c.side = 23;  // the http image side of the reference
  Net net(c);
  auto out = net->forward(torch::rand({5, 23 * 23}));
  EXPECT_EQ(out.feat.sizes(), (std::vector<int64_t>{5, 128}));
  EXPECT_EQ(out.logits.sizes(), (std::vector<int64_t>{5, 4}));
  EXPECT_EQ(out.logits_mb.sizes(), (std::vector<int64_t>{5, 8}));
  EXPECT_EQ(out.logits_open.sizes(), (std::vector<int64_t>{5, 5}));
  EXPECT_EQ(out.proj.sizes(), (std::vector<int64_t>{5, 128}));
  auto split = split_for_weight_decay(*net);
  for (const auto& t : split.decay) EXPECT_GE(t.dim(), 2);  // conv and linear weights only
}

// Recalibration sets the inference network's BatchNorm statistics to those of the data under its own
// weights: with every probe the same, each batch's mean is that probe's activation and its variance 0.
TEST(BatchNorm, RecalibrationMeasuresTheInferenceNetworksStatistics) {
  auto c = tiny_mlp(2, 8, 16);
  Net net(c), other(c);  // `other`: another network, whose statistics must be left alone
  const int64_t n = 100;
  auto cells = torch::full({n, 8}, 200, torch::kUInt8);
  cells.select(1, 3).fill_(17);
  auto& bn1 = net->mlp->bn1;
  EXPECT_LT(bn1->running_var.min().item<float>(), 1.0001f);  // fresh: (0, 1)
  torch::Tensor want;
  {
    torch::NoGradGuard g;
    want = net->mlp->fc1(cells_to_input(cells.narrow(0, 0, 1), torch::kCPU)).squeeze(0);
  }
  ASSERT_GT(want.abs().max().item<float>(), 0.01f);
  recalibrate_bn(net, cells, {0, 5, 9}, 4, 3, torch::kCPU);
  EXPECT_TRUE(torch::allclose(bn1->running_mean, want, 1e-4, 1e-5)) << bn1->running_mean << want;
  EXPECT_LT(bn1->running_var.abs().max().item<float>(), 1e-6f);
  EXPECT_DOUBLE_EQ(bn1->options.momentum().value(), kBnMomentum);  // training's momentum is back
  EXPECT_FALSE(net->is_training());
  EXPECT_EQ(other->mlp->bn1->running_mean.abs().max().item<float>(), 0.0f);
}

}  // namespace
}  // namespace sg::model::detail
