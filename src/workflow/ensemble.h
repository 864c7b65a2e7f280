// The scanner-level decision (docs/METHOD.md): a one-vs-rest logistic regression with balanced class weights
// over the per-ip vote rows, fitted on known-organisation ips of the training windows, and the unknown
// threshold θ searched on those same rows. Which probability θ compares is a choice the paper and the
// reference code make differently: "raw" is the paper's per-class sigmoid, "normalised" the reference code's
// scikit-learn predict_proba (sigmoids divided by their row sum). Both are measured (bench/RESULTS.md);
// "auto" searches θ on both and keeps the one with the better weighted F1 on the training rows.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "model/logreg.h"
#include "storage/model_registry.h"
#include "workflow/votes.h"

namespace sg::workflow {

// Which probability θ compares; ensemble_runs stores the one fitted (never automatic) by its name.
enum class ProbaKind { normalised, raw, automatic };
inline constexpr ProbaKind kDefaultProba = ProbaKind::normalised;
const char* proba_kind_name(ProbaKind k);  // "normalised", "raw", "auto"
// The accepted names, in the order the commands' help lists them.
std::vector<std::string> proba_kind_names();
// Throws std::invalid_argument listing the accepted names on anything else.
ProbaKind parse_proba_kind(std::string_view name);

struct EnsembleConfig {
  std::optional<int64_t> from_us;
  int64_t until_us = 0;  // rows of windows in [from, until)
  ProbaKind proba = kDefaultProba;
  // Rows θ is searched on. "all": the known-organisation rows plus the rows of evaluation-unknown
  // organisations as class "unknown" (training windows only). "known": the fitted rows alone — the paper's text
  // read literally; with no unknown row to get right, θ then stays 0 and the ensemble never says unknown.
  std::string theta_rows = "all";
  std::string models_dir;
};

struct EnsembleReport {
  bool fitted = false;
  std::string why_not;
  EnsembleRun run;
  size_t rows = 0, known_rows = 0, unknown_rows = 0;
};

EnsembleReport fit_ensemble(Db& db, const aggregate::Windows& w, const EnsembleConfig& cfg);

// Probabilities per row (n × classes) in the form `proba` names.
std::vector<float> ensemble_proba(const model::LogReg& lr, const EnsembleRun& run, const VoteClasses& vc,
                                  const std::vector<IpWindow>& rows);

}  // namespace sg::workflow
