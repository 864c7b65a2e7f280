#include "workflow/evaluate.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>
#include <set>

#include "export/json.h"
#include "features/labels.h"
#include "storage/prediction_store.h"
#include "storage/scanner_store.h"
#include "workflow/identify.h"
#include "workflow/registry.h"
#include "workflow/votes.h"

namespace sg::workflow {

namespace {

agg::Scores probe_scores(Db& db, const std::string& service, int64_t from_us, int64_t to_us,
                         const std::set<std::string>& eval_unknown) {
  Registry reg(db);
  std::vector<std::string> truth, pred;
  std::map<std::string, std::set<std::string>> classes_of;  // model version → its classes
  Stmt s(db,
         "SELECT l.org, r.org, r.model FROM probe_scores r JOIN probes p ON p.id = r.probe_id "
         "JOIN probe_labels l ON l.probe_id = p.id WHERE p.service = ? AND p.ts_us >= ? AND p.ts_us < ?");
  s.bind(1, service).bind(2, from_us).bind(3, to_us);
  while (s.step()) {
    std::string model = s.col_text(2);
    auto it = classes_of.find(model);
    if (it == classes_of.end()) {
      auto m = reg.model(model);
      it = classes_of.emplace(model, m ? std::set<std::string>(m->classes.begin(), m->classes.end())
                                       : std::set<std::string>{}).first;
    }
    std::string t = features::org_key(s.col_text(0));
    if (eval_unknown.count(t) || !it->second.count(t)) t = "unknown";
    truth.push_back(t);
    pred.push_back(s.col_text(1));
  }
  return agg::score(truth, pred);
}

nlohmann::json scores_json(const agg::Scores& s, int min_support) {
  auto row = [](const agg::ClassScore& c) {
    return nlohmann::json{{"precision", c.precision}, {"recall", c.recall}, {"f1", c.f1}, {"support", c.support}};
  };
  nlohmann::json classes = nlohmann::json::object();
  for (const auto& c : agg::hide_small(s, min_support).classes) classes[c.name] = row(c);
  return {{"classes", classes},
          {"weighted", row(s.weighted)},
          {"macro", row(s.macro)},
          {"accuracy", s.accuracy},
          {"rows", s.rows}};
}

std::string scores_table(const agg::Scores& s, int min_support) {
  std::string out = fmt::format("  {:<22} {:>9} {:>9} {:>9} {:>8}\n", "organisation", "precision", "recall", "f1",
                                "support");
  auto line = [&](const agg::ClassScore& c) {
    out += fmt::format("  {:<22} {:>9.3f} {:>9.3f} {:>9.3f} {:>8}\n", c.name, c.precision, c.recall, c.f1, c.support);
  };
  auto shown = agg::hide_small(s, min_support);
  for (const auto& c : shown.classes) line(c);
  if (shown.classes.size() < s.classes.size())
    out += fmt::format("  ({} organisations with fewer than {} rows hidden; averages include them)\n",
                       s.classes.size() - shown.classes.size(), min_support);
  line(s.weighted);
  line(s.macro);
  return out;
}

}  // namespace

Evaluation evaluate(Db& db, const agg::Windows& w, int64_t from_us, int64_t to_us) {
  Evaluation e;
  std::tie(e.from_us, e.to_us) = whole_windows(w, from_us, to_us);
  features::ensure_label_table(db);
  PredictionStore ensure_predictions_table(db);
  auto eval_unknown = features::eval_unknown_orgs(db);
  // Each row is judged against the classes of the ensemble that scored it, not the latest one: a week
  // scored before an organisation was learned is right to call it unknown.
  std::map<std::string, std::set<std::string>> classes_of;
  Registry reg(db);
  for (const auto& ens : reg.ensembles()) classes_of[ens.version] = {ens.classes.begin(), ens.classes.end()};
  auto truth = window_truth(db, w, e.from_us, e.to_us);
  ScannerStore store(db);
  ScannerQuery q;
  q.from_us = e.from_us;
  q.to_us = e.to_us;
  std::vector<std::string> t, p;
  std::set<std::string> scored_by;
  store.for_each(q, [&](const ScannerRow& r) {
    auto it = truth.find({r.window_start, r.ip});
    if (it == truth.end()) {
      ++e.unlabelled_scanners;
      return;
    }
    scored_by.insert(r.model_version);
    const auto& known = classes_of[r.model_version];
    t.push_back(known.count(it->second) ? it->second : "unknown");
    p.push_back(r.org);
  });
  for (const auto& v : scored_by) e.ensemble += (e.ensemble.empty() ? "" : ",") + v;
  if (e.ensemble.empty()) {
    auto latest = reg.latest_ensemble();
    e.ensemble = latest ? latest->version : "no ensemble";
  }
  e.scanners = agg::score(t, p);
  for (const char* s : {"http", "tls", "dns"}) {
    auto ps = probe_scores(db, s, e.from_us, e.to_us, eval_unknown);
    if (ps.rows) e.probes[s] = ps;
  }
  return e;
}

std::string evaluation_json(const Evaluation& e, int min_support) {
  nlohmann::json probes = nlohmann::json::object();
  for (const auto& [s, sc] : e.probes) probes[s] = scores_json(sc, min_support);
  nlohmann::json j{{"from", format_ts(e.from_us)},
                   {"to", format_ts(e.to_us)},
                   {"ensemble", e.ensemble},
                   {"scanners", scores_json(e.scanners, min_support)},
                   {"unlabelled_scanners", e.unlabelled_scanners},
                   {"probes", probes}};
  return j.dump();
}

std::string evaluation_table(const Evaluation& e, int min_support) {
  std::string out = fmt::format("Scanner level, {} .. {} ({} scored, {} without a label not scored), {}\n",
                                format_ts(e.from_us).substr(0, 10), format_ts(e.to_us).substr(0, 10),
                                e.scanners.rows, e.unlabelled_scanners, e.ensemble);
  out += scores_table(e.scanners, min_support);
  for (const auto& [s, sc] : e.probes) {
    out += fmt::format("\nProbe level, {} ({} labelled probes)\n", s, sc.rows);
    out += scores_table(sc, min_support);
  }
  return out;
}

void store_evaluation(Db& db, const Evaluation& e) {
  db.exec(
      "CREATE TABLE IF NOT EXISTS evaluations(from_us INTEGER NOT NULL, to_us INTEGER NOT NULL, ensemble TEXT NOT "
      "NULL, json TEXT NOT NULL, created TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')), "
      "PRIMARY KEY(from_us, to_us, ensemble))");
  Stmt s(db, "INSERT OR REPLACE INTO evaluations(from_us, to_us, ensemble, json) VALUES(?,?,?,?)");
  s.bind(1, e.from_us).bind(2, e.to_us).bind(3, e.ensemble).bind(4, evaluation_json(e, 0));
  s.step();
}

}  // namespace sg::workflow
