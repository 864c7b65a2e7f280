// Organisation identification (docs/METHOD.md): an IOMatch open-set semi-supervised classifier per service.
//
// This header is plain C++ on purpose: libtorch lives only inside src/model/*.cc (every file that includes it
// costs ~25 s to compile), so callers see cells, labels and probabilities as std::vectors.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace sg::model {

// wrn: WRN-10-2 over the side×side grey image (replicated to 3 channels). mlp: a dense network over the same
// cells as a flat vector — the CPU-friendly alternative the reference design allows; same heads, losses and schedule.
enum class Backbone { wrn, mlp };
const char* backbone_name(Backbone b);
Backbone parse_backbone(const std::string& name);  // throws std::invalid_argument on anything else

struct ModelConfig {
  Backbone backbone = Backbone::wrn;
  int num_classes = 0;                   // K known organisations; the open-set head has K+1 outputs, index K = unknown
  int side = 0;                          // wrn: image side; cells_per_probe must be side*side
  int input_dim = 0;                     // mlp: cells per probe
  int mlp_hidden = 512;                  // mlp: width of the first hidden layer (the second is half of it)
  std::vector<std::string> class_names;  // optional; saved with the checkpoint
  int schema_version = 0;                // encoding schema the cells follow; saved with the checkpoint
  uint64_t seed = 0;                     // weight initialisation
  int cells_per_probe() const { return backbone == Backbone::wrn ? side * side : input_dim; }
};

// Reference constants (docs/METHOD.md). `iterations` counts this call only; the schedule position is the model's
// own iteration counter, so a resumed model continues the cosine where the checkpoint left it.
struct TrainOptions {
  int iterations = 2000;
  int batch = 64;  // labelled probes per step
  int uratio = 7;  // unlabelled probes per step = uratio * batch
  double lr = 0.03;
  int schedule_total = 25000;  // N in lr*cos(7*pi*it/(16*N)); only read when the model starts at iteration 0
  double momentum = 0.9;
  double ema = 0.999;
  // The EMA's decay starts low and rises to `ema` as min(ema, (1+t)/(10+t)) over the model's iteration t (the
  // num_updates warm-up of TensorFlow's ExponentialMovingAverage). Without it the inference weights of a
  // short run are mostly the random initialisation: after 300 steps 0.999^300 = 74% of them still are, and
  // such a model calls every probe unknown. The reference (no warm-up) is `ema_warmup = false`.
  bool ema_warmup = true;
  // After the steps, the inference (EMA) network's BatchNorm statistics are measured afresh on the training
  // probes, with the EMA's own weights. Training keeps the reference's BN momentum of 0.001, whose running
  // statistics still hold 0.999^2000 = 13.5% of their (0, 1) initial values after a full run, and the EMA
  // copies the live network's statistics, which belong to other weights. On the SelfDeploy-25 replay that
  // made the MLP call every DNS and TLS probe unknown (bench/RESULTS.md). `false` = the reference.
  bool bn_recalibrate = true;
  double weight_decay = 5e-4;
  int warm_open = 100;         // iterations (of the model's counter) before the open-set term is switched on
  double p_cutoff = 0.95;      // closed-set pseudo-label confidence
  double q_cutoff = 0.5;       // open-set target confidence
  bool dist_align = true;      // IOMatch's reference default: align p to a uniform class prior over 128 batches
  uint64_t seed = 0;           // batch sampling
  int threads = 0;             // 0 = every hardware core
  std::string device = "cpu";  // "cpu" or "cuda" (needs a CUDA-enabled libtorch)
};

// The reference settings of the two modes (docs/METHOD.md): full = 2,000 iterations at B=64 on a fresh model;
// incremental = 200 iterations at B=32 per week on the model loaded from the previous week's checkpoint.
inline TrainOptions full_mode_options() { return TrainOptions{}; }
inline TrainOptions incremental_mode_options() {
  TrainOptions o;
  o.iterations = 200;
  o.batch = 32;
  return o;
}

// Training probes of one service. Labelled = label >= 0 (org index 0..K-1); every probe, labelled or not, is
// also in the unlabelled pool (docs/METHOD.md). The cells are borrowed for the duration of train().
struct TrainSet {
  const uint8_t* cells = nullptr;  // size() * cells_per_probe bytes, row-major
  int cells_per_probe = 0;
  std::vector<int> label;
  size_t size() const { return label.size(); }
};

struct StepLosses {
  double total = 0, closed = 0, multi_binary = 0, closed_pseudo = 0, open_set = 0;
  double lr = 0;
  double pseudo_ratio = 0;  // share of unlabelled probes passing the p and outlier masks
  double open_ratio = 0;    // share passing the q mask
};

struct TrainProgress {
  int step = 0;        // 1..iterations of this call
  int iterations = 0;  // of this call
  int64_t model_iteration = 0;
  StepLosses losses;
};
using ProgressFn = std::function<void(const TrainProgress&)>;

struct TrainResult {
  int steps = 0;
  double seconds = 0;
  StepLosses last;
};

// Per probe: K+1 open-set probabilities (index K = unknown), the argmax, and the 128-d projection feature
// used for clustering unknowns (README, From probes to organisations). Row-major.
struct Prediction {
  int num_classes = 0;         // K
  std::vector<float> probs;    // n*(K+1)
  std::vector<int> pred;       // n; K means unknown
  std::vector<float> feature;  // n*kFeatureDim
  size_t size() const { return pred.size(); }
};
inline constexpr int kFeatureDim = 128;

class Model {
 public:
  explicit Model(const ModelConfig& config);
  ~Model();
  Model(Model&&) noexcept;
  Model& operator=(Model&&) noexcept;

  // Full mode is a fresh Model trained once; incremental mode is load() then train() on the new week: the
  // optimiser state, EMA weights, distribution-alignment queue and iteration counter all carry over.
  TrainResult train(const TrainSet& data, const TrainOptions& options, const ProgressFn& progress = {});

  // Inference with the EMA weights, in batches, on `threads` cores (0 = all); cells = n*cells_per_probe bytes.
  Prediction predict(const uint8_t* cells, size_t n, int batch = 1024, int threads = 0) const;

  // Atomic: written to a temporary beside `path`, fsync'd, renamed over it.
  void save(const std::string& path) const;
  static Model load(const std::string& path);  // throws std::runtime_error naming the file on any defect

  const ModelConfig& config() const;
  int64_t iteration() const;   // optimiser steps taken over the model's whole life
  int schedule_total() const;  // the cosine's N, fixed at the first training step
  double base_lr() const;
  void to_device(const std::string& device);  // "cpu" / "cuda"

 private:
  struct Impl;
  explicit Model(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// libtorch runtime settings, so callers need not include torch.
void set_threads(int threads);  // 0 = hardware cores; C++ libtorch otherwise starts with one thread
int threads();
bool cuda_available();
void set_deterministic(bool on);  // repeatable runs on CPU for a given seed and thread count

}  // namespace sg::model
