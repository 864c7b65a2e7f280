// Checkpoints: one torch archive holding the configuration, both weight sets (live and EMA), the optimiser
// state, the distribution-alignment queue and the schedule position — everything incremental mode resumes.
#include <stdexcept>

#include "model/model_impl.h"
#include "util/atomic_file.h"

namespace sg::model {
namespace {

constexpr int64_t kFormat = 1;
constexpr int kMaxSide = 4096;
constexpr int kMaxInput = 1 << 24;

using torch::serialize::InputArchive;
using torch::serialize::OutputArchive;

c10::IValue get(InputArchive& ar, const char* key) {
  c10::IValue v;
  if (!ar.try_read(key, v)) throw std::runtime_error(std::string("missing field '") + key + "'");
  return v;
}
int64_t get_int(InputArchive& ar, const char* key) {
  auto v = get(ar, key);
  if (!v.isInt()) throw std::runtime_error(std::string("field '") + key + "' is not an integer");
  return v.toInt();
}
int get_bounded(InputArchive& ar, const char* key, int64_t lo, int64_t hi) {
  const int64_t v = get_int(ar, key);
  if (v < lo || v > hi) throw std::runtime_error(std::string("field '") + key + "' out of range");
  return static_cast<int>(v);
}

ModelConfig read_config(InputArchive& ar) {
  if (get_int(ar, "format") != kFormat) throw std::runtime_error("unsupported checkpoint format");
  ModelConfig c;
  auto backbone = get(ar, "backbone");
  if (!backbone.isString()) throw std::runtime_error("field 'backbone' is not a string");
  c.backbone = parse_backbone(backbone.toStringRef());
  c.num_classes = get_bounded(ar, "num_classes", 2, 1 << 20);
  c.side = get_bounded(ar, "side", 0, kMaxSide);
  c.input_dim = get_bounded(ar, "input_dim", 0, kMaxInput);
  c.mlp_hidden = get_bounded(ar, "mlp_hidden", 2, 1 << 16);
  c.schema_version = get_bounded(ar, "schema_version", INT32_MIN, INT32_MAX);
  c.seed = static_cast<uint64_t>(get_int(ar, "seed"));
  auto names = get(ar, "class_names");
  if (!names.isList()) throw std::runtime_error("field 'class_names' is not a list");
  for (const auto& n : names.toListRef()) {
    if (!n.isString()) throw std::runtime_error("a class name is not a string");
    c.class_names.push_back(n.toStringRef());
  }
  if (!c.class_names.empty() && static_cast<int>(c.class_names.size()) != c.num_classes)
    throw std::runtime_error("class_names and num_classes disagree");
  return c;
}

std::string describe(const std::exception& e) {
  if (auto* ce = dynamic_cast<const c10::Error*>(&e)) return ce->what_without_backtrace();
  return e.what();
}

}  // namespace

void Model::save(const std::string& path) const {
  const auto& c = impl_->config;
  OutputArchive ar;
  ar.write("format", c10::IValue(kFormat));
  ar.write("backbone", c10::IValue(std::string(backbone_name(c.backbone))));
  ar.write("num_classes", c10::IValue(static_cast<int64_t>(c.num_classes)));
  ar.write("side", c10::IValue(static_cast<int64_t>(c.side)));
  ar.write("input_dim", c10::IValue(static_cast<int64_t>(c.input_dim)));
  ar.write("mlp_hidden", c10::IValue(static_cast<int64_t>(c.mlp_hidden)));
  ar.write("schema_version", c10::IValue(static_cast<int64_t>(c.schema_version)));
  ar.write("seed", c10::IValue(static_cast<int64_t>(c.seed)));
  c10::List<std::string> names;
  for (const auto& n : c.class_names) names.push_back(n);
  ar.write("class_names", c10::IValue(names));
  ar.write("iteration", c10::IValue(impl_->iteration));
  ar.write("schedule_total", c10::IValue(static_cast<int64_t>(impl_->schedule_total)));
  ar.write("base_lr", c10::IValue(impl_->base_lr));
  ar.write("da_pointer", c10::IValue(impl_->dist_align.pointer));
  ar.write("da_queue", impl_->dist_align.queue.to(torch::kCPU), /*is_buffer=*/true);

  // Archives hold tensors on their device; a checkpoint is always CPU so it loads anywhere.
  const auto device = impl_->device;
  impl_->move_to(torch::kCPU);
  try {
    OutputArchive net, ema;
    impl_->net->save(net);
    impl_->ema->save(ema);
    ar.write("net", net);
    ar.write("ema", ema);
    ar.write("has_optimizer", c10::IValue(impl_->optimizer != nullptr));
    if (impl_->optimizer) {
      OutputArchive opt;
      impl_->optimizer->save(opt);
      ar.write("optimizer", opt);
    }
    write_file_atomically(path, [&](const std::string& tmp) { ar.save_to(tmp); });
  } catch (...) {
    impl_->move_to(device);
    throw;
  }
  impl_->move_to(device);
}

Model Model::load(const std::string& path) {
  try {
    InputArchive ar;
    ar.load_from(path, torch::kCPU);
    auto impl = std::make_unique<Impl>(read_config(ar));
    impl->iteration = get_int(ar, "iteration");
    impl->schedule_total = get_bounded(ar, "schedule_total", 0, INT32_MAX);
    impl->dist_align.pointer = get_int(ar, "da_pointer");
    if (impl->iteration < 0 || impl->dist_align.pointer < 0 || impl->dist_align.pointer >= kDistAlignLength)
      throw std::runtime_error("iteration or queue pointer out of range");
    auto lr = get(ar, "base_lr");
    if (!lr.isDouble()) throw std::runtime_error("field 'base_lr' is not a number");
    impl->base_lr = lr.toDouble();
    torch::Tensor queue;
    ar.read("da_queue", queue, /*is_buffer=*/true);
    if (queue.sizes() != impl->dist_align.queue.sizes()) throw std::runtime_error("queue shape mismatch");
    impl->dist_align.queue = queue.to(torch::kFloat32);

    InputArchive net, ema;
    ar.read("net", net);
    ar.read("ema", ema);
    impl->net->load(net);
    impl->ema->load(ema);
    for (auto& p : impl->ema->parameters()) p.set_requires_grad(false);
    if (get(ar, "has_optimizer").toBool()) {
      TrainOptions defaults;
      impl->ensure_optimizer(defaults);
      InputArchive opt;
      ar.read("optimizer", opt);
      impl->optimizer->load(opt);
    }
    return Model(std::move(impl));
  } catch (const std::exception& e) {
    throw std::runtime_error("checkpoint " + path + ": " + describe(e));
  }
}

}  // namespace sg::model
