#include "workflow/ensemble.h"

#include <fmt/format.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <stdexcept>

#include "aggregate/threshold.h"

namespace sg::workflow {

namespace {

std::vector<float> features_of(const std::vector<IpWindow>& rows, const int outcomes[aggregate::kVoteServices]) {
  std::vector<float> x;
  for (const auto& r : rows) {
    auto f = aggregate::ip_feature_row(r.votes, outcomes);
    x.insert(x.end(), f.begin(), f.end());
  }
  return x;
}

}  // namespace

const char* proba_kind_name(ProbaKind k) {
  switch (k) {
    case ProbaKind::normalised:
      return "normalised";
    case ProbaKind::raw:
      return "raw";
    case ProbaKind::automatic:
      return "auto";
  }
  return "?";
}

std::vector<std::string> proba_kind_names() {
  return {proba_kind_name(ProbaKind::raw), proba_kind_name(ProbaKind::normalised),
          proba_kind_name(ProbaKind::automatic)};
}

ProbaKind parse_proba_kind(std::string_view name) {
  for (ProbaKind k : {ProbaKind::normalised, ProbaKind::raw, ProbaKind::automatic})
    if (name == proba_kind_name(k)) return k;
  throw std::invalid_argument(fmt::format("unknown probability kind '{}': one of raw, normalised, auto", name));
}

std::vector<float> ensemble_proba(const model::LogReg& lr, const EnsembleRun& run, const VoteClasses& vc,
                                  const std::vector<IpWindow>& rows) {
  int outcomes[aggregate::kVoteServices];
  for (int s = 0; s < aggregate::kVoteServices; ++s) {
    outcomes[s] = run.outcomes[s];
    if (vc.outcomes(s) != run.outcomes[s])
      throw std::runtime_error(
          fmt::format("{}: fitted on {} outcomes for {}, the current model has {}; refit the "
                      "ensemble (train or update)",
                      run.version, run.outcomes[s], aggregate::vote_service_name(s), vc.outcomes(s)));
  }
  auto x = features_of(rows, outcomes);
  auto p = lr.predict_proba(x, rows.size());
  return run.proba == proba_kind_name(ProbaKind::raw) ? p.raw : p.normalised;
}

EnsembleReport fit_ensemble(Db& db, const aggregate::Windows& w, const EnsembleConfig& cfg) {
  EnsembleReport rep;
  ModelRegistry reg(db);
  auto vc = VoteClasses::latest(reg);
  auto all = collect_votes(db, w, cfg.from_us.value_or(INT64_MIN / 2), cfg.until_us, vc);
  rep.rows = all.size();
  std::vector<IpWindow> known;
  std::map<std::string, int> class_id;
  for (const auto& r : all)
    if (!r.truth.empty() && r.truth != "unknown") {
      known.push_back(r);
      class_id[r.truth] = 0;
    }
  rep.known_rows = known.size();
  if (class_id.size() < 2) {
    rep.why_not = fmt::format("{} labelled organisation(s) among {} scanner rows before {}: nothing to fit",
                              class_id.size(), all.size(), cfg.until_us);
    return rep;
  }
  EnsembleRun run;
  for (auto& [org, id] : class_id) {
    id = int(run.classes.size());
    run.classes.push_back(org);
  }
  for (int s = 0; s < aggregate::kVoteServices; ++s) {
    run.outcomes.push_back(vc.outcomes(s));
    run.service_models.push_back(vc.versions[s]);
  }
  std::vector<int> y;
  for (const auto& r : known) y.push_back(class_id[r.truth]);
  model::LogReg lr;
  int outcomes[aggregate::kVoteServices] = {run.outcomes[0], run.outcomes[1], run.outcomes[2]};
  lr.fit(features_of(known, outcomes), known.size(), aggregate::ip_feature_width(outcomes), y, int(run.classes.size()));
  std::vector<IpWindow> theta_rows = known;
  std::vector<int> theta_y = y;
  if (cfg.theta_rows == "all")
    for (const auto& r : all)
      if (r.truth == "unknown") {
        theta_rows.push_back(r);
        theta_y.push_back(int(run.classes.size()));
        ++rep.unknown_rows;
      }
  // "auto" takes whichever probability does better on these same training rows (normalised on a tie).
  std::vector<ProbaKind> candidates = {cfg.proba};
  if (cfg.proba == ProbaKind::automatic) candidates = {ProbaKind::normalised, ProbaKind::raw};
  run.train_f1 = -1;
  for (ProbaKind kind : candidates) {
    const std::string form = proba_kind_name(kind);
    EnsembleRun trial = run;
    trial.proba = form;
    auto theta = aggregate::search_theta(ensemble_proba(lr, trial, vc, theta_rows), theta_y, int(run.classes.size()));
    if (theta.weighted_f1 > run.train_f1) {
      run.proba = form;
      run.theta = theta.theta;
      run.train_f1 = theta.weighted_f1;
    }
  }
  run.rows = int64_t(known.size());
  run.data_to_us = cfg.until_us;
  std::filesystem::create_directories(cfg.models_dir);
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
                .count();
  run.path = (std::filesystem::path(cfg.models_dir) / fmt::format("ensemble-{}.json", ms)).string();
  lr.save(run.path);
  run.id = reg.add_ensemble(run);
  run.version = fmt::format("ensemble-{}", run.id);
  rep.run = run;
  rep.fitted = true;
  return rep;
}

}  // namespace sg::workflow
