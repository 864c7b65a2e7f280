#include <algorithm>
#include <chrono>
#include <cmath>
#include <numeric>
#include <random>
#include <stdexcept>
#include <thread>

#include "model/model_impl.h"

namespace sg::model {
namespace {

using torch::Tensor;

torch::Device parse_device(const std::string& name) {
  if (name == "cpu") return torch::kCPU;
  if (name == "cuda") {
    if (!torch::cuda::is_available())
      throw std::runtime_error("device cuda: this libtorch has no CUDA support or no GPU is visible");
    return torch::kCUDA;
  }
  throw std::invalid_argument("unknown device '" + name + "' (expected cpu or cuda)");
}

// Endless shuffled passes over a set of probe indices (labelled ones, or all of them).
class Cycler {
 public:
  Cycler(std::vector<int64_t> indices, std::mt19937_64& rng) : idx_(std::move(indices)), rng_(rng) { reshuffle(); }
  Tensor take(int count) {
    std::vector<int64_t> out(static_cast<size_t>(count));
    for (auto& v : out) {
      if (pos_ == idx_.size()) reshuffle();
      v = idx_[pos_++];
    }
    return torch::tensor(out, torch::kInt64);
  }

 private:
  void reshuffle() {
    std::shuffle(idx_.begin(), idx_.end(), rng_);
    pos_ = 0;
  }
  std::vector<int64_t> idx_;
  std::mt19937_64& rng_;
  size_t pos_ = 0;
};

void validate(const TrainSet& data, const ModelConfig& config, const TrainOptions& o) {
  if (data.cells_per_probe != config.cells_per_probe())
    throw std::invalid_argument("training cells per probe (" + std::to_string(data.cells_per_probe) +
                                ") differ from the model's (" + std::to_string(config.cells_per_probe()) + ")");
  if (data.size() == 0 || data.cells == nullptr) throw std::invalid_argument("no training probes");
  if (o.batch < 1 || o.uratio < 1 || o.iterations < 0 || o.schedule_total < 1)
    throw std::invalid_argument("batch, uratio and schedule_total must be >= 1, iterations >= 0");
  for (int y : data.label)
    if (y < -1 || y >= config.num_classes)
      throw std::invalid_argument("label " + std::to_string(y) + " outside -1.." +
                                  std::to_string(config.num_classes - 1));
}

double item(const Tensor& t) { return t.item<double>(); }

}  // namespace

const char* backbone_name(Backbone b) { return b == Backbone::wrn ? "wrn" : "mlp"; }

Backbone parse_backbone(const std::string& name) {
  if (name == "wrn") return Backbone::wrn;
  if (name == "mlp") return Backbone::mlp;
  throw std::invalid_argument("unknown backbone '" + name + "' (expected wrn or mlp)");
}

void set_threads(int n) {
  if (n <= 0) n = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  at::set_num_threads(n);
}
int threads() { return at::get_num_threads(); }
bool cuda_available() { return torch::cuda::is_available(); }
void set_deterministic(bool on) { at::globalContext().setDeterministicAlgorithms(on, /*warn_only=*/false); }

double cosine_lr(double base_lr, int64_t iteration, int schedule_total) {
  const double progress = static_cast<double>(iteration) / std::max(1, schedule_total);
  return base_lr * std::max(0.0, std::cos(7.0 * M_PI * progress / 16.0));
}

Model::Impl::Impl(const ModelConfig& c) : config(c) {
  torch::manual_seed(config.seed);
  net = detail::Net(config);
  ema = detail::Net(config);
  torch::NoGradGuard guard;
  auto src = net->parameters();
  auto dst = ema->parameters();
  for (size_t i = 0; i < src.size(); ++i) dst[i].copy_(src[i]);
  for (auto& p : ema->parameters()) p.set_requires_grad(false);
  dist_align = detail::DistAlign(config.num_classes, kDistAlignLength);
}

void Model::Impl::ensure_optimizer(const TrainOptions& o) {
  if (schedule_total == 0) {
    schedule_total = o.schedule_total;
    base_lr = o.lr;
  }
  auto sgd = [&](double wd) {
    return torch::optim::SGDOptions(base_lr).momentum(o.momentum).nesterov(true).weight_decay(wd);
  };
  if (!optimizer) {
    auto split = detail::split_for_weight_decay(*net);
    std::vector<torch::optim::OptimizerParamGroup> groups;
    groups.emplace_back(split.decay, std::make_unique<torch::optim::SGDOptions>(sgd(o.weight_decay)));
    groups.emplace_back(split.no_decay, std::make_unique<torch::optim::SGDOptions>(sgd(0.0)));
    optimizer = std::make_unique<torch::optim::SGD>(std::move(groups), sgd(o.weight_decay));
    return;
  }
  // A resumed optimiser keeps its momentum buffers; momentum and decay follow this call's options.
  auto& groups = optimizer->param_groups();
  static_cast<torch::optim::SGDOptions&>(groups[0].options()).momentum(o.momentum).weight_decay(o.weight_decay);
  static_cast<torch::optim::SGDOptions&>(groups[1].options()).momentum(o.momentum).weight_decay(0.0);
}

StepLosses Model::Impl::step(const Tensor& x_lb, const Tensor& y_lb, const Tensor& x_ulb, const TrainOptions& o,
                             bool want_values) {
  const double lr = cosine_lr(base_lr, iteration, schedule_total);
  for (auto& g : optimizer->param_groups()) static_cast<torch::optim::SGDOptions&>(g.options()).lr(lr);

  net->train();
  const int64_t b = x_lb.size(0), u = x_ulb.size(0);
  // The reference used no augmentation (weak view = strong view), so one forward pass of the unlabelled
  // batch serves both: targets come from it detached, the consistency losses from it with gradient.
  auto out = net->forward(torch::cat({x_lb, x_ulb}));
  auto closed = detail::closed_ce(out.logits.narrow(0, 0, b), y_lb);
  auto mb = detail::multi_binary_loss(out.logits_mb.narrow(0, 0, b), y_lb);

  auto logits_u = out.logits.narrow(0, b, u);
  auto p = torch::softmax(logits_u.detach(), 1);
  if (o.dist_align) p = dist_align.align(p);
  auto t = detail::open_targets(p, out.logits_mb.narrow(0, b, u).detach(), o.p_cutoff, o.q_cutoff);
  auto pseudo = detail::masked_soft_ce(logits_u, t.p, t.closed_mask);
  auto open = detail::masked_soft_ce(out.logits_open.narrow(0, b, u), t.q, t.open_mask);
  if (iteration < o.warm_open) open = open * 0.0;
  auto total = closed + mb + pseudo + open;

  optimizer->zero_grad();
  total.backward();
  optimizer->step();
  update_ema(o.ema_warmup ? std::min(o.ema, (1.0 + double(iteration)) / (10.0 + double(iteration))) : o.ema);
  ++iteration;

  StepLosses s;
  s.lr = lr;
  if (want_values) {
    s.total = item(total);
    s.closed = item(closed);
    s.multi_binary = item(mb);
    s.closed_pseudo = item(pseudo);
    s.open_set = item(open);
    s.pseudo_ratio = item(t.closed_mask.mean());
    s.open_ratio = item(t.open_mask.mean());
  }
  return s;
}

void Model::Impl::update_ema(double decay) {
  torch::NoGradGuard guard;
  auto src = net->parameters();
  auto dst = ema->parameters();
  for (size_t i = 0; i < src.size(); ++i) dst[i].mul_(decay).add_(src[i], 1.0 - decay);
  // BatchNorm running statistics are copied, not averaged (as the reference EMA does).
  auto bsrc = net->buffers();
  auto bdst = ema->buffers();
  for (size_t i = 0; i < bsrc.size(); ++i) bdst[i].copy_(bsrc[i]);
}

void Model::Impl::move_to(const torch::Device& target) {
  if (target == device) return;
  net->to(target);
  ema->to(target);
  dist_align.queue = dist_align.queue.to(target);
  if (optimizer) {
    for (auto& entry : optimizer->state()) {
      auto& s = static_cast<torch::optim::SGDParamState&>(*entry.second);
      if (s.momentum_buffer().defined()) s.momentum_buffer(s.momentum_buffer().to(target));
    }
  }
  device = target;
}

Model::Model(const ModelConfig& config) : impl_(std::make_unique<Impl>(config)) {}
Model::Model(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Model::~Model() = default;
Model::Model(Model&&) noexcept = default;
Model& Model::operator=(Model&&) noexcept = default;

const ModelConfig& Model::config() const { return impl_->config; }
int64_t Model::iteration() const { return impl_->iteration; }
int Model::schedule_total() const { return impl_->schedule_total; }
double Model::base_lr() const { return impl_->base_lr; }
void Model::to_device(const std::string& device) { impl_->move_to(parse_device(device)); }

TrainResult Model::train(const TrainSet& data, const TrainOptions& o, const ProgressFn& progress) {
  validate(data, impl_->config, o);
  set_threads(o.threads);
  impl_->move_to(parse_device(o.device));
  impl_->ensure_optimizer(o);

  std::vector<int64_t> labelled, all(data.size());
  std::iota(all.begin(), all.end(), 0);
  for (size_t i = 0; i < data.size(); ++i)
    if (data.label[i] >= 0) labelled.push_back(static_cast<int64_t>(i));
  if (labelled.empty()) throw std::invalid_argument("no labelled probes to train on");

  // Seeded by the run seed and the starting iteration, so a resumed run is repeatable too.
  std::mt19937_64 rng(o.seed * 0x9E3779B97F4A7C15ULL + static_cast<uint64_t>(impl_->iteration));
  torch::manual_seed(o.seed + static_cast<uint64_t>(impl_->iteration));
  Cycler lab(labelled, rng), unl(std::move(all), rng);
  auto cells = torch::from_blob(const_cast<uint8_t*>(data.cells),
                                {static_cast<int64_t>(data.size()), data.cells_per_probe}, torch::kUInt8);
  auto labels = torch::tensor(data.label, torch::kInt64);

  TrainResult result;
  const auto start = std::chrono::steady_clock::now();
  for (int s = 1; s <= o.iterations; ++s) {
    auto li = lab.take(o.batch);
    auto ui = unl.take(o.batch * o.uratio);
    auto x_lb = detail::cells_to_input(cells.index_select(0, li), impl_->device);
    auto y_lb = labels.index_select(0, li).to(impl_->device);
    auto x_ulb = detail::cells_to_input(cells.index_select(0, ui), impl_->device);
    const bool last = s == o.iterations;
    result.last = impl_->step(x_lb, y_lb, x_ulb, o, last || static_cast<bool>(progress));
    if (progress) progress({s, o.iterations, impl_->iteration, result.last});
  }
  if (o.bn_recalibrate) detail::recalibrate_bn(impl_->ema, cells, labelled, o.batch, o.uratio, impl_->device);
  result.steps = o.iterations;
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return result;
}

Prediction Model::predict(const uint8_t* cells, size_t n, int batch, int threads) const {
  const int cpp = impl_->config.cells_per_probe();
  const int k = impl_->config.num_classes;
  Prediction pred;
  pred.num_classes = k;
  pred.probs.resize(n * (k + 1));
  pred.pred.resize(n);
  pred.feature.resize(n * kFeatureDim);
  if (n == 0) return pred;
  if (cells == nullptr) throw std::invalid_argument("predict: no cells");
  batch = std::max(1, batch);
  set_threads(threads);

  torch::NoGradGuard guard;
  impl_->ema->eval();
  auto all = torch::from_blob(const_cast<uint8_t*>(cells), {static_cast<int64_t>(n), cpp}, torch::kUInt8);
  for (int64_t from = 0; from < static_cast<int64_t>(n); from += batch) {
    const int64_t len = std::min<int64_t>(batch, static_cast<int64_t>(n) - from);
    auto out = impl_->ema->forward(detail::cells_to_input(all.narrow(0, from, len), impl_->device));
    auto probs = torch::softmax(out.logits_open, 1).to(torch::kCPU).contiguous();
    auto arg = probs.argmax(1).to(torch::kInt32).contiguous();
    auto feat = out.proj.to(torch::kCPU).contiguous();
    std::copy_n(probs.data_ptr<float>(), len * (k + 1), pred.probs.begin() + from * (k + 1));
    std::copy_n(arg.data_ptr<int32_t>(), len, pred.pred.begin() + from);
    std::copy_n(feat.data_ptr<float>(), len * kFeatureDim, pred.feature.begin() + from * kFeatureDim);
  }
  return pred;
}

}  // namespace sg::model
