#include <algorithm>
#include <numeric>
#include <stdexcept>

#include "model/torch_net.h"

namespace sg::model::detail {
namespace {

namespace nn = torch::nn;

nn::BatchNorm2dOptions bn2d(int c) { return nn::BatchNorm2dOptions(c).momentum(kBnMomentum).eps(kBnEps); }
nn::BatchNorm1dOptions bn1d(int c) { return nn::BatchNorm1dOptions(c).momentum(kBnMomentum).eps(kBnEps); }

torch::Tensor lrelu(const torch::Tensor& x) { return torch::leaky_relu(x, 0.1); }

nn::Conv2d conv(int in, int out, int kernel, int stride) {
  nn::Conv2d c(nn::Conv2dOptions(in, out, kernel).stride(stride).padding(kernel / 2).bias(true));
  torch::NoGradGuard guard;
  nn::init::kaiming_normal_(c->weight, 0.0, torch::kFanOut, torch::kLeakyReLU);
  return c;
}

// Xavier-normal weights and zero bias, as the reference initialises its classifiers.
nn::Linear xavier_linear(int in, int out, bool bias = true) {
  nn::Linear l(nn::LinearOptions(in, out).bias(bias));
  torch::NoGradGuard guard;
  nn::init::xavier_normal_(l->weight);
  if (bias) l->bias.zero_();
  return l;
}

}  // namespace

WrnBlockImpl::WrnBlockImpl(int in, int out, int stride) {
  bn1 = register_module("bn1", nn::BatchNorm2d(bn2d(in)));
  conv1 = register_module("conv1", conv(in, out, 3, stride));
  bn2 = register_module("bn2", nn::BatchNorm2d(bn2d(out)));
  conv2 = register_module("conv2", conv(out, out, 3, 1));
  shortcut = register_module("shortcut", conv(in, out, 1, stride));
}

torch::Tensor WrnBlockImpl::forward(const torch::Tensor& x) {
  auto act = lrelu(bn1(x));
  auto out = conv2(lrelu(bn2(conv1(act))));
  return shortcut(act) + out;
}

WrnImpl::WrnImpl(int side_) : side(side_) {
  conv1 = register_module("conv1", conv(3, 16, 3, 1));
  block1 = register_module("block1", WrnBlock(16, 32, 1));
  block2 = register_module("block2", WrnBlock(32, 64, 2));
  block3 = register_module("block3", WrnBlock(64, 128, 2));
  bn = register_module("bn", nn::BatchNorm2d(bn2d(128)));
}

torch::Tensor WrnImpl::forward(const torch::Tensor& cells) {
  auto image = cells.view({-1, 1, side, side}).expand({-1, 3, side, side});
  auto out = block3(block2(block1(conv1(image))));
  out = lrelu(bn(out));
  return torch::adaptive_avg_pool2d(out, {1, 1}).flatten(1);
}

MlpImpl::MlpImpl(int input_dim, int hidden) {
  fc1 = register_module("fc1", xavier_linear(input_dim, hidden));
  bn1 = register_module("bn1", nn::BatchNorm1d(bn1d(hidden)));
  fc2 = register_module("fc2", xavier_linear(hidden, hidden / 2));
  bn2 = register_module("bn2", nn::BatchNorm1d(bn1d(hidden / 2)));
  fc3 = register_module("fc3", xavier_linear(hidden / 2, kFeatureDim));
  bn3 = register_module("bn3", nn::BatchNorm1d(bn1d(kFeatureDim)));
}

torch::Tensor MlpImpl::forward(const torch::Tensor& cells) {
  auto out = lrelu(bn1(fc1(cells)));
  out = lrelu(bn2(fc2(out)));
  return lrelu(bn3(fc3(out)));
}

NetImpl::NetImpl(const ModelConfig& config) {
  const int k = config.num_classes;
  if (k < 2) throw std::invalid_argument("model needs at least 2 known classes");
  if (config.backbone == Backbone::wrn) {
    if (config.side < 4) throw std::invalid_argument("wrn backbone needs an image side of at least 4");
    wrn = register_module("wrn", Wrn(config.side));
  } else {
    if (config.input_dim < 1 || config.mlp_hidden < 2)
      throw std::invalid_argument("mlp backbone needs input_dim >= 1 and mlp_hidden >= 2");
    mlp = register_module("mlp", Mlp(config.input_dim, config.mlp_hidden));
  }
  closed = register_module("closed", xavier_linear(kFeatureDim, k));
  proj = register_module(
      "proj", nn::Sequential(nn::Linear(kFeatureDim, kFeatureDim), nn::ReLU(), nn::Linear(kFeatureDim, kFeatureDim)));
  mb = register_module("mb", xavier_linear(kFeatureDim, 2 * k, false));
  open = register_module("open", xavier_linear(kFeatureDim, k + 1));
}

NetOutput NetImpl::forward(const torch::Tensor& cells) {
  NetOutput o;
  o.feat = wrn ? wrn(cells) : mlp(cells);
  o.logits = closed(o.feat);
  o.proj = proj->forward(o.feat);
  o.logits_mb = mb(o.proj);
  o.logits_open = open(o.proj);
  return o;
}

ParamSplit split_for_weight_decay(torch::nn::Module& net) {
  ParamSplit split;
  for (const auto& item : net.named_modules()) {
    const auto& module = item.value();
    const bool is_bn = module->as<nn::BatchNorm2d>() != nullptr || module->as<nn::BatchNorm1d>() != nullptr;
    for (const auto& p : module->named_parameters(/*recurse=*/false)) {
      const bool is_bias = p.key() == "bias";
      (is_bn || is_bias ? split.no_decay : split.decay).push_back(p.value());
    }
  }
  return split;
}

torch::Tensor cells_to_input(const torch::Tensor& cells_u8, const torch::Device& device) {
  return cells_u8.to(device).to(torch::kFloat32).div_(255.0);
}

namespace {

// Each BatchNorm layer of `net`, with its momentum set to `momentum` (nullopt = a cumulative average).
void set_bn_momentum(Net& net, c10::optional<double> momentum, bool reset) {
  auto apply = [&](auto* bn) {
    bn->options.momentum(momentum);
    if (reset) bn->reset_running_stats();
  };
  for (const auto& m : net->modules(/*include_self=*/false)) {
    if (auto* b2 = m->as<nn::BatchNorm2d>()) apply(b2);
    if (auto* b1 = m->as<nn::BatchNorm1d>()) apply(b1);
  }
}

// Row t of `total` spread evenly over `rows` (every row used once when total == rows.size()).
int64_t spread(const std::vector<int64_t>& rows, int64_t t, int64_t total) {
  return rows[static_cast<size_t>(t * static_cast<int64_t>(rows.size()) / total)];
}

// Enough batches for the statistics to settle, few enough to cost a second or two.
constexpr int64_t kRecalibrationBatches = 50;

}  // namespace

void recalibrate_bn(Net& net, const torch::Tensor& cells, const std::vector<int64_t>& labelled, int batch, int uratio,
                    const torch::Device& device) {
  if (labelled.empty() || cells.size(0) == 0) return;
  torch::NoGradGuard guard;
  const int64_t n = cells.size(0), u = int64_t(batch) * uratio, per_batch = batch + u;
  const int64_t batches = std::clamp<int64_t>((n + per_batch - 1) / per_batch, 1, kRecalibrationBatches);
  std::vector<int64_t> all(static_cast<size_t>(n));
  std::iota(all.begin(), all.end(), 0);
  set_bn_momentum(net, c10::nullopt, /*reset=*/true);
  net->train();
  for (int64_t k = 0; k < batches; ++k) {
    std::vector<int64_t> rows;
    for (int64_t j = 0; j < batch; ++j) rows.push_back(spread(labelled, k * batch + j, batches * batch));
    for (int64_t j = 0; j < u; ++j) rows.push_back(spread(all, k * u + j, batches * u));
    net->forward(cells_to_input(cells.index_select(0, torch::tensor(rows, torch::kInt64)), device));
  }
  set_bn_momentum(net, kBnMomentum, /*reset=*/false);
  net->eval();
}

}  // namespace sg::model::detail
