#include "analysis/lookalikes.h"

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <tuple>

#include "aggregate/evidence.h"
#include "analysis/clusters.h"
#include "features/labels.h"
#include "storage/prediction_store.h"
#include "storage/scanner_store.h"

namespace sg::analysis {

namespace {

struct Group {
  UnknownAsKnown row;
  double prob_sum = 0;
  int64_t scanner_ts = INT64_MIN;
  agg::Evidence evidence;
};

}  // namespace

Case1 unknown_predicted_known(Db& db, int64_t from_us, int64_t to_us, size_t limit) {
  Case1 out;
  out.eval_unknown = features::eval_unknown_orgs(db);
  if (!has_probes_table(db)) return out;
  PredictionStore ensure_predictions(db);
  ScannerStore ensure_scanners(db);
  Stmt s(db,
         "SELECT p.src, p.service, l.org, r.org, r.prob, p.ts_us, p.json, "
         "(SELECT s.org FROM scanners s WHERE s.ip = p.src AND s.window_start <= p.ts_us AND p.ts_us < s.window_end) "
         "FROM probe_predictions r JOIN probes p ON p.id = r.probe_id JOIN probe_labels l ON l.probe_id = p.id "
         "WHERE p.ts_us >= ? AND p.ts_us < ? ORDER BY p.ts_us, p.id");
  s.bind(1, from_us).bind(2, to_us);
  std::map<std::tuple<std::string, std::string, std::string, std::string>, Group> groups;
  while (s.step()) {
    std::string label = features::org_key(s.col_text(2));
    if (!out.eval_unknown.count(label)) continue;
    ++out.labelled_probes;
    std::string pred = s.col_text(3);
    if (pred == "unknown") continue;
    ++out.predicted_known;
    auto& g = groups[{s.col_text(0), s.col_text(1), label, pred}];
    auto& r = g.row;
    int64_t ts = s.col_int(5);
    double prob = s.col_double(4);
    if (r.probes++ == 0) {
      r.label = label;
      r.predicted = pred;
      r.ip = s.col_text(0);
      r.service = s.col_text(1);
      r.first_us = r.last_us = ts;
    }
    r.first_us = std::min(r.first_us, ts);
    r.last_us = std::max(r.last_us, ts);
    r.max_prob = std::max(r.max_prob, prob);
    g.prob_sum += prob;
    if (!s.col_null(7) && ts >= g.scanner_ts) g.scanner_ts = ts, r.scanner_org = s.col_text(7);
    auto j = nlohmann::json::parse(s.col_text(6), nullptr, false);
    if (j.is_object()) g.evidence.add_probe(j);
  }
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
