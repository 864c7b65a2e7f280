// After the per-service models change (train, update, run): predict the training range with the current
// models, then fit the scanner-level ensemble and its θ on it (docs/METHOD.md). `train`, `update` and `run`
// all call this, so the ensemble is always fitted the same way.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "aggregate/window.h"
#include "storage/db.h"
#include "workflow/ensemble.h"

namespace sg::workflow {

struct RefitConfig {
  std::optional<int64_t> from_us;  // training range [from, until)
  int64_t until_us = 0;
  ProbaKind proba = kDefaultProba;
  std::string models_dir;
  std::string theta_rows = "all";  // see EnsembleConfig
};

// Logs one line per service predicted; the returned report says whether the ensemble was fitted (and why
// not). Each call registers a new ensemble.
EnsembleReport refit_ensemble(Db& db, const aggregate::Windows& w, const RefitConfig& cfg,
                              const std::function<void(const std::string&)>& log);

// True when the latest ensemble was fitted on data up to `until_us` with exactly the current service
// models: refitting would reproduce it, so an interrupted run that resumes need not (and must not, or the
// ensemble's version would change) fit it again.
bool ensemble_is_current(Db& db, int64_t until_us);

// One line for people: "ensemble-3: 5 organisations over 120 labelled scanner rows (of 300); θ = ...".
std::string ensemble_summary(const EnsembleReport& e);

}  // namespace sg::workflow
