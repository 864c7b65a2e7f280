#include "analysis/lookalikes.h"

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <tuple>

#include "aggregate/evidence.h"
#include "analysis/clusters.h"
#include "features/labels.h"
#include "storage/analysis_queries.h"
#include "storage/prediction_store.h"
#include "storage/scanner_store.h"

namespace sg::analysis {

namespace {

struct Group {
  UnknownAsKnown row;
  double prob_sum = 0;
  int64_t scanner_ts = INT64_MIN;
  aggregate::Evidence evidence;
};

}  // namespace

Case1 unknown_predicted_known(Db& db, int64_t from_us, int64_t to_us, size_t limit) {
  Case1 out;
  out.eval_unknown = features::eval_unknown_orgs(db);
  if (!has_probes_table(db)) return out;
  PredictionStore ensure_predictions(db);
  ScannerStore ensure_scanners(db);
  std::map<std::tuple<std::string, std::string, std::string, std::string>, Group> groups;
  for_each_labelled_prediction(db, from_us, to_us, [&](const LabelledPrediction& p) {
    std::string label = features::org_key(p.label);
    if (!out.eval_unknown.count(label)) return;
    ++out.labelled_probes;
    const std::string& pred = p.predicted;
    if (pred == "unknown") return;
    ++out.predicted_known;
    auto& g = groups[{p.ip, p.service, label, pred}];
    auto& r = g.row;
    int64_t ts = p.ts_us;
    double prob = p.prob;
    if (r.probes++ == 0) {
      r.label = label;
      r.predicted = pred;
      r.ip = p.ip;
      r.service = p.service;
      r.first_us = r.last_us = ts;
    }
    r.first_us = std::min(r.first_us, ts);
    r.last_us = std::max(r.last_us, ts);
    r.max_prob = std::max(r.max_prob, prob);
    g.prob_sum += prob;
    if (p.scanner_org && ts >= g.scanner_ts) g.scanner_ts = ts, r.scanner_org = *p.scanner_org;
    auto j = nlohmann::json::parse(p.json, nullptr, false);
    if (j.is_object()) g.evidence.add_probe(j);
  });
  out.groups = int64_t(groups.size());
  for (auto& [key, g] : groups) {
    g.row.mean_prob = g.prob_sum / g.row.probes;
    g.row.evidence = g.evidence.to_json(3);
    out.rows.push_back(std::move(g.row));
  }
  std::stable_sort(out.rows.begin(), out.rows.end(), [](const auto& a, const auto& b) { return a.probes > b.probes; });
  if (out.rows.size() > limit) out.rows.resize(limit);
  return out;
}

}  // namespace sg::analysis
