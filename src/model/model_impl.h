// Internal to src/model (includes libtorch): the state behind Model, shared by training (iomatch.cc) and the
// checkpoint code (checkpoint.cc).
#pragma once

#include <memory>

#include "model/iomatch.h"
#include "model/torch_losses.h"
#include "model/torch_net.h"

namespace sg::model {

inline constexpr int kDistAlignLength = 128;  // reference queue length (batches)

struct Model::Impl {
  explicit Impl(const ModelConfig& config);

  // The optimiser is created at the first training step (or from a checkpoint), so a model that was only
  // ever used for inference carries none.
  void ensure_optimizer(const TrainOptions& options);
  StepLosses step(const torch::Tensor& x_lb, const torch::Tensor& y_lb, const torch::Tensor& x_ulb,
                  const TrainOptions& options, bool want_values);
  void update_ema(double decay);
  void move_to(const torch::Device& target);

  ModelConfig config;
  torch::Device device{torch::kCPU};
  detail::Net net{nullptr};
  detail::Net ema{nullptr};
  std::unique_ptr<torch::optim::SGD> optimizer;
  detail::DistAlign dist_align;
  int64_t iteration = 0;
  int schedule_total = 0;  // 0 until the first training step fixes it
  double base_lr = 0;
};

// The cosine of docs/METHOD.md: lr·cos(7π·it/(16·N)), floored at zero past N as in the reference scheduler.
double cosine_lr(double base_lr, int64_t iteration, int schedule_total);

}  // namespace sg::model
