// Training the per-service models (docs/METHOD.md): full mode (one model on every probe before a date) and
// the weekly incremental update (grow the schema with the week's tokens, resume the last model, train on
// the week only). Both register the new checkpoint in the registry.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "features/schema.h"
#include "model/iomatch.h"
#include "probe/probe.h"
#include "storage/db.h"
#include "storage/model_registry.h"

namespace sg::workflow {

// The commands' training settings: the reference's full mode with seed 1, so that runs repeat by default.
inline model::TrainOptions default_train_options() {
  model::TrainOptions o = model::full_mode_options();
  o.seed = 1;
  return o;
}

// The defaults are those of `train` (its --help shows them); `update` starts from the incremental mode's
// iterations and batch (model::incremental_mode_options), `run` from weekly.h's.
struct TrainConfig {
  std::optional<int64_t> from_us;  // training probes in [from, until)
  int64_t until_us = 0;
  model::Backbone backbone = model::Backbone::mlp;
  features::SchemaMode schema_mode = features::SchemaMode::full;
  model::TrainOptions options = default_train_options();
  int min_class_probes = 5;  // an organisation with fewer labelled probes stays unlabelled
  std::string models_dir;
};

struct TrainReport {
  std::string service;
  bool trained = false;
  std::string why_not;  // when not trained
  ModelRun run;
  size_t probes = 0, labelled = 0;
  uint64_t skipped_records = 0;
};

using TrainLog = std::function<void(const std::string&)>;

// Full training of one service. Needs a selection (select) for the service.
TrainReport train_service(Db& db, Service service, const TrainConfig& cfg, const TrainLog& log);

// One incremental week [week_from, week_to): grows the incremental schema, resumes the service's latest
// incremental model and trains it on the week's probes (reference: 200 iterations at B=32).
TrainReport update_service(Db& db, Service service, int64_t week_from, int64_t week_to, const TrainConfig& cfg,
                           const TrainLog& log);

// The services the paper's ensemble combines (http, tls, dns).
const std::vector<Service>& model_services();

}  // namespace sg::workflow
