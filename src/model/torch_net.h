// Internal to src/model (includes libtorch): the IOMatch network. Only src/model/*.cc and the model tests
// include this; everything else goes through iomatch.h.
#pragma once

#include <torch/torch.h>

#include "model/iomatch.h"

namespace sg::model::detail {

// Reference BatchNorm: slow running statistics (PyTorch momentum 0.001), eps 0.001.
inline constexpr double kBnMomentum = 0.001;
inline constexpr double kBnEps = 0.001;

// A WRN basic block whose input and output widths differ (the only kind WRN-10-2 has: one block per stage).
// Pre-activation; the shortcut is a 1×1 convolution of the activated input, as in the reference WRN.
struct WrnBlockImpl : torch::nn::Module {
  WrnBlockImpl(int in, int out, int stride);
  torch::Tensor forward(const torch::Tensor& x);
  torch::nn::BatchNorm2d bn1{nullptr}, bn2{nullptr};
  torch::nn::Conv2d conv1{nullptr}, conv2{nullptr}, shortcut{nullptr};
};
TORCH_MODULE(WrnBlock);

// WRN-10-2: conv 3→16, stages 32/64/128 at strides 1/2/2, BN + LeakyReLU, global average pool → 128.
struct WrnImpl : torch::nn::Module {
  explicit WrnImpl(int side);
  torch::Tensor forward(const torch::Tensor& cells);  // cells: [N, side*side] float in [0,1]
  int side;
  torch::nn::Conv2d conv1{nullptr};
  WrnBlock block1{nullptr}, block2{nullptr}, block3{nullptr};
  torch::nn::BatchNorm2d bn{nullptr};
};
TORCH_MODULE(Wrn);

// Dense backbone over the flat cells: d → h → h/2 → 128, each Linear + BN + LeakyReLU.
struct MlpImpl : torch::nn::Module {
  MlpImpl(int input_dim, int hidden);
  torch::Tensor forward(const torch::Tensor& cells);
  torch::nn::Linear fc1{nullptr}, fc2{nullptr}, fc3{nullptr};
  torch::nn::BatchNorm1d bn1{nullptr}, bn2{nullptr}, bn3{nullptr};
};
TORCH_MODULE(Mlp);

struct NetOutput {
  torch::Tensor feat;         // backbone feature [N,128]
  torch::Tensor logits;       // closed-set [N,K]
  torch::Tensor logits_mb;    // multi-binary [N,2K]: columns 0..K-1 negative, K..2K-1 positive
  torch::Tensor logits_open;  // open-set [N,K+1]
  torch::Tensor proj;         // projection [N,128], the clustering feature
};

// As in IOMatch's reference network: the closed-set head reads the backbone feature; the multi-binary and
// open-set heads read the projection.
struct NetImpl : torch::nn::Module {
  explicit NetImpl(const ModelConfig& config);
  NetOutput forward(const torch::Tensor& cells);
  Wrn wrn{nullptr};
  Mlp mlp{nullptr};
  torch::nn::Linear closed{nullptr}, mb{nullptr}, open{nullptr};
  torch::nn::Sequential proj{nullptr};
};
TORCH_MODULE(Net);

// Parameters split for weight decay: biases and BatchNorm parameters get none (docs/METHOD.md).
struct ParamSplit {
  std::vector<torch::Tensor> decay, no_decay;
};
ParamSplit split_for_weight_decay(torch::nn::Module& net);

// uint8 cells (borrowed) → float in [0,1] on `device`.
torch::Tensor cells_to_input(const torch::Tensor& cells_u8, const torch::Device& device);

// See TrainOptions::bn_recalibrate: `net`'s BatchNorm running statistics measured afresh (a cumulative
// average) under its current weights. `cells` are all training probes ([N, cells] uint8), `labelled` the rows
// with a label; batches mix them as training did (B labelled + uratio·B of all), deterministically. The
// training momentum is restored and `net` left in eval mode.
void recalibrate_bn(Net& net, const torch::Tensor& cells, const std::vector<int64_t>& labelled, int batch, int uratio,
                    const torch::Device& device);

}  // namespace sg::model::detail
