// evaluate: how right the scanner database is where labels say who an ip is (DESIGN.md §6). Scanner level:
// each (window, ip) row against the ip's label in that window — evaluation-unknown organisations, and
// organisations the ensemble never saw in training, count as the single class "unknown"; ips without any
// label are not scored (their truth is unknown). Probe level: the predictions each window was attributed
// with (probe_scores, frozen by identify) against the probe labels, with the same rules over the classes of
// the model that made them. Both levels judge a row by the models that scored it, never by later ones.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "aggregate/metrics.h"
#include "aggregate/window.h"
#include "storage/sqlite.h"

namespace sg::workflow {

struct Evaluation {
  int64_t from_us = 0, to_us = 0;
  agg::Scores scanners;
  std::map<std::string, agg::Scores> probes;  // per service
  size_t unlabelled_scanners = 0;             // rows without a label, not scored
  std::string ensemble;  // the ensemble(s) that scored the rows, comma-separated
};

Evaluation evaluate(Db& db, const agg::Windows& w, int64_t from_us, int64_t to_us);

// Machine-readable form (also stored in the evaluations table for the report).
std::string evaluation_json(const Evaluation& e, int min_support);
// A table for people; classes with support under `min_support` hidden (averages over all classes).
std::string evaluation_table(const Evaluation& e, int min_support);

// Keeps the evaluation so the report can show it (one row per range and ensemble, replaced on rerun).
void store_evaluation(Db& db, const Evaluation& e);

}  // namespace sg::workflow
