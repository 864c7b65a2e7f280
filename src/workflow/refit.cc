#include "workflow/refit.h"

#include <fmt/format.h>

#include "workflow/predict.h"
#include "workflow/train.h"
#include "workflow/votes.h"

namespace sg::workflow {

EnsembleReport refit_ensemble(Db& db, const aggregate::Windows& w, const RefitConfig& cfg,
                              const std::function<void(const std::string&)>& log) {
  for (Service s : model_services()) {
    auto p = predict_service(db, s, cfg.from_us.value_or(0), cfg.until_us);
    if (!p.model.empty())
      log(fmt::format("{}: {} training probes predicted by {} in {:.1f} s", p.service, p.predicted, p.model,
                      p.seconds));
  }
  EnsembleConfig ec;
  ec.from_us = cfg.from_us;
  ec.until_us = cfg.until_us;
  ec.proba = cfg.proba;
  ec.theta_rows = cfg.theta_rows;
  ec.models_dir = cfg.models_dir;
  return fit_ensemble(db, w, ec);
}

bool ensemble_is_current(Db& db, int64_t until_us) {
  ModelRegistry reg(db);
  auto e = reg.latest_ensemble();
  if (!e || e->data_to_us != until_us) return false;
  auto vc = VoteClasses::latest(reg);
  for (int s = 0; s < aggregate::kVoteServices; ++s)
    if (size_t(s) >= e->service_models.size() || e->service_models[s] != vc.versions[s]) return false;
  return true;
}

std::string ensemble_summary(const EnsembleReport& e) {
  if (!e.fitted) return "ensemble not fitted: " + e.why_not;
  return fmt::format(
      "{}: {} organisations over {} labelled scanner rows (of {}); θ = {:.2f} on {} probabilities, "
      "searched with {} evaluation-unknown rows (training weighted F1 {:.3f})",
      e.run.version, e.run.classes.size(), e.known_rows, e.rows, e.run.theta, e.run.proba, e.unknown_rows,
      e.run.train_f1);
}

}  // namespace sg::workflow
