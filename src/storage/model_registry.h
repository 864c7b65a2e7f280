// Which models exist: every trained (or updated) per-service model and every fitted ensemble is a row
// here, pointing at its checkpoint file beside the database (DB.models/). The newest row of a service is
// the one in use; older rows are kept so that a result can always be traced to the model that made it.
// Owns the tables model_runs and ensemble_runs, and the window settings in meta that the models follow.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "storage/db.h"

namespace sg {

struct ModelRun {
  int64_t id = 0;
  std::string service;
  std::string version;   // "<service>-<id>", written into predictions and scanner rows
  std::string mode;      // full | incremental (the schema mode the cells follow)
  std::string backbone;  // wrn | mlp
  int schema_version = 0;
  std::vector<std::string> classes;          // K known organisations, in the model's index order
  int64_t data_from_us = 0, data_to_us = 0;  // training probes in [from, to)
  int iterations = 0;
  double seconds = 0;
  std::string path;               // checkpoint file
  std::optional<int64_t> parent;  // the model an incremental update resumed
  std::string created;
};

struct EnsembleRun {
  int64_t id = 0;
  std::string version;  // "ensemble-<id>"
  std::vector<std::string> classes;
  std::vector<std::string> service_models;  // model version per vote service ("" when absent)
  std::vector<int> outcomes;                // K_s + 1 per vote service (0 when absent)
  double theta = 0;
  std::string proba;  // which probability θ compares: raw | normalised
  int64_t data_to_us = 0;
  int64_t rows = 0;
  double train_f1 = 0;
  std::string path;
  std::string created;
};

class ModelRegistry {
 public:
  explicit ModelRegistry(Db& db);

  // DB.models/ beside the database (created on demand).
  static std::string models_dir(const std::string& db_path);

  int64_t add_model(const ModelRun& r);  // fills id/version/created; returns id
  std::optional<ModelRun> latest_model(const std::string& service);
  std::optional<ModelRun> model(const std::string& version);
  std::vector<ModelRun> models();

  int64_t add_ensemble(const EnsembleRun& r);
  std::optional<EnsembleRun> latest_ensemble();
  std::vector<EnsembleRun> ensembles();

  // The windows every stage shares (meta keys windows.anchor_us, windows.length_us); unset when never
  // stored (workflow/windows.h supplies the defaults). `train --week-anchor/--window-days` set them.
  std::optional<int64_t> window_anchor_us();
  void set_window_anchor_us(int64_t anchor);
  std::optional<int64_t> window_length_us();
  void set_window_length_us(int64_t length);

 private:
  Db& db_;
};

}  // namespace sg
