#include "workflow/train.h"

#include <fmt/format.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>

#include "features/batch_reader.h"
#include "features/feature_store.h"
#include "probe/service.h"
#include "util/progress.h"
#include "util/time.h"

namespace sg::workflow {

namespace {

// Every probe of a window, encoded, with its training label (empty: unlabelled or evaluation-unknown).
struct Encoded {
  std::vector<uint8_t> cells;
  std::vector<std::string> labels;
  int cells_per_probe = 0;
  uint64_t skipped = 0;
};

Encoded read_window(Db& db, const features::Schema& schema, features::Window window) {
  Encoded e;
  features::BatchReader reader(db, schema, window, 4096);
  features::EncodedBatch b;
  while (reader.next(b)) {
    e.cells_per_probe = b.cells_per_probe;
    e.cells.insert(e.cells.end(), b.cells.begin(), b.cells.end());
    e.labels.insert(e.labels.end(), b.labels.begin(), b.labels.end());
  }
  e.cells_per_probe = int(reader.encoder().cells_per_probe());
  e.skipped = reader.skips().count;
  return e;
}

std::vector<int> label_ids(const std::vector<std::string>& labels, const std::vector<std::string>& classes) {
  std::map<std::string, int> id;
  for (size_t i = 0; i < classes.size(); ++i) id[classes[i]] = int(i);
  std::vector<int> out(labels.size(), -1);
  for (size_t i = 0; i < labels.size(); ++i) {
    auto it = id.find(labels[i]);
    if (it != id.end()) out[i] = it->second;
  }
  return out;
}

std::string checkpoint_path(const TrainConfig& cfg, Service s, const char* what) {
  std::filesystem::create_directories(cfg.models_dir);
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
                .count();
  return (std::filesystem::path(cfg.models_dir) / fmt::format("{}-{}-{}.pt", service_name(s), what, ms)).string();
}

// A line every tenth of the iterations, and between them one every progress interval (util/progress.h), so
// that a slow training still shows life in a log; each with its rate and the time left.
model::ProgressFn progress_logger(const TrainLog& log, Service s) {
  auto pace = std::make_shared<ProgressPace>();
  return [log, s, pace](const model::TrainProgress& p) {
    int every = std::max(1, p.iterations / 10);
    if (p.step % every == 0 || p.step == p.iterations)
      pace->printed();
    else if (!pace->due())
      return;
    log(
        fmt::format("  {} step {}/{} (model iteration {}): loss {:.3f} (closed {:.3f}, multi-binary {:.3f}, "
                    "pseudo {:.3f}, open {:.3f}) lr {:.4f}; {}",
                    service_name(s), p.step, p.iterations, p.model_iteration, p.losses.total, p.losses.closed,
                    p.losses.multi_binary, p.losses.closed_pseudo, p.losses.open_set, p.losses.lr,
                    pace->rate(p.step, p.iterations, "it")));
  };
}

}  // namespace

const std::vector<Service>& model_services() {
  static const std::vector<Service> s = voted_services();  // the services with a model (probe/service.h)
  return s;
}

TrainReport train_service(Db& db, Service service, const TrainConfig& cfg, const TrainLog& log) {
  TrainReport rep;
  rep.service = service_name(service);
  auto schema = features::load_schema(db, service, cfg.schema_mode);
  if (!schema) {
    rep.why_not = "no feature selection for this service (run select first)";
    return rep;
  }
  auto data = read_window(db, *schema, features::Window{cfg.from_us, cfg.until_us});
  rep.probes = data.labels.size();
  rep.skipped_records = data.skipped;
  std::map<std::string, size_t> per_org;
  for (const auto& l : data.labels)
    if (!l.empty()) ++per_org[l];
  std::vector<std::string> classes;
  for (const auto& [org, n] : per_org)
    if (n >= size_t(cfg.min_class_probes)) classes.push_back(org);
  if (classes.size() < 2) {
    rep.why_not = fmt::format("{} organisation(s) with at least {} labelled probes: nothing to tell apart",
                              classes.size(), cfg.min_class_probes);
    return rep;
  }
  model::TrainSet set;
  set.cells = data.cells.data();
  set.cells_per_probe = data.cells_per_probe;
  set.label = label_ids(data.labels, classes);
  for (int l : set.label) rep.labelled += l >= 0;

  model::ModelConfig mc;
  mc.backbone = cfg.backbone;
  mc.num_classes = int(classes.size());
  mc.side = schema->side;
  mc.input_dim = data.cells_per_probe;
  mc.class_names = classes;
  mc.schema_version = schema->version;
  mc.seed = cfg.options.seed;
  log(fmt::format("{}: {} probes ({} labelled, {} organisations), {}×{} cells, {} backbone, {} iterations", rep.service,
                  rep.probes, rep.labelled, classes.size(), schema->side, schema->side,
                  model::backbone_name(cfg.backbone), cfg.options.iterations));
  model::Model m(mc);
  auto result = m.train(set, cfg.options, progress_logger(log, service));
  std::string path = checkpoint_path(cfg, service, "full");
  m.save(path);

  ModelRun run;
  run.service = rep.service;
  run.mode = features::mode_name(cfg.schema_mode);
  run.backbone = model::backbone_name(cfg.backbone);
  run.schema_version = schema->version;
  run.classes = classes;
  run.data_from_us = cfg.from_us.value_or(0);
  run.data_to_us = cfg.until_us;
  run.iterations = result.steps;
  run.seconds = result.seconds;
  run.path = path;
  ModelRegistry reg(db);
  run.id = reg.add_model(run);
  run.version = fmt::format("{}-{}", run.service, run.id);
  rep.run = run;
  rep.trained = true;
  return rep;
}

TrainReport update_service(Db& db, Service service, int64_t week_from, int64_t week_to, const TrainConfig& cfg,
                           const TrainLog& log) {
  TrainReport rep;
  rep.service = service_name(service);
  ModelRegistry reg(db);
  auto last = reg.latest_model(rep.service);
  if (!last) {
    rep.why_not = "no model to update (train first)";
    return rep;
  }
  if (last->mode != "incremental") {
    rep.why_not =
        "the latest model was trained on a full-mode schema; incremental updates need "
        "`train --incremental` (the fixed canvas new tokens can be appended to)";
    return rep;
  }
  if (last->data_to_us >= week_to) {
    rep.why_not = fmt::format("the latest model already covers data up to {}", format_ts(last->data_to_us));
    return rep;
  }
  auto grown = features::grow_schema(db, service, week_from, week_to);
  if (grown.new_version)
    log(fmt::format("{}: schema v{} (+{} tokens, {} dropped for a full canvas)", rep.service, grown.schema.version,
                    grown.report.tokens_kept, grown.report.over_cap));
  auto data = read_window(db, grown.schema, features::Window{week_from, week_to});
  rep.probes = data.labels.size();
  rep.skipped_records = data.skipped;
  if (data.labels.empty()) {
    rep.why_not = "no probes in the week";
    return rep;
  }
  auto m = model::Model::load(last->path);
  model::TrainSet set;
  set.cells = data.cells.data();
  set.cells_per_probe = data.cells_per_probe;
  set.label = label_ids(data.labels, last->classes);  // organisations new this week stay unlabelled
  for (int l : set.label) rep.labelled += l >= 0;
  if (rep.labelled == 0) {
    rep.why_not = "no labelled probe of a known organisation in the week";
    return rep;
  }
  log(fmt::format("{}: week {}: {} probes ({} labelled), resuming {} at iteration {}", rep.service,
                  format_ts(week_from).substr(0, 10), rep.probes, rep.labelled, last->version, m.iteration()));
  auto result = m.train(set, cfg.options, progress_logger(log, service));
  std::string path = checkpoint_path(cfg, service, "incr");
  m.save(path);

  ModelRun run = *last;
  run.schema_version = grown.schema.version;
  run.data_from_us = week_from;
  run.data_to_us = week_to;
  run.iterations = result.steps;
  run.seconds = result.seconds;
  run.path = path;
  run.parent = last->id;
  run.id = reg.add_model(run);
  run.version = fmt::format("{}-{}", run.service, run.id);
  rep.run = run;
  rep.trained = true;
  return rep;
}

}  // namespace sg::workflow
