#include "workflow/evaluate.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <iterator>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <tuple>

#include "attribute/baseline.h"
#include "attribute/evidence.h"
#include "features/json_access.h"
#include "features/labels.h"
#include "features/probe_stream.h"
#include "probe/service.h"
#include "storage/evaluation_store.h"
#include "storage/model_registry.h"
#include "storage/prediction_store.h"
#include "storage/probe_store.h"
#include "storage/scanner_store.h"
#include "storage/workflow_queries.h"
#include "util/terminal.h"
#include "util/time.h"
#include "workflow/votes.h"

namespace sg::workflow {

namespace {

aggregate::Scores probe_scores(Db& db, const std::string& service, int64_t from_us, int64_t to_us,
                               const std::set<std::string>& eval_unknown) {
  ModelRegistry reg(db);
  std::vector<std::string> truth, pred;
  std::map<std::string, std::set<std::string>> classes_of;  // model version → its classes
  for_each_labelled_score(db, service, from_us, to_us, [&](const LabelledScoreRow& r) {
    auto it = classes_of.find(r.model);
    if (it == classes_of.end()) {
      auto m = reg.model(r.model);
      it = classes_of
               .emplace(r.model,
                        m ? std::set<std::string>(m->classes.begin(), m->classes.end()) : std::set<std::string>{})
               .first;
    }
    std::string t = features::org_key(r.label);
    if (eval_unknown.count(t) || !it->second.count(t)) t = "unknown";
    truth.push_back(t);
    pred.push_back(r.predicted);
  });
  return aggregate::score(truth, pred);
}

nlohmann::json scores_json(const aggregate::Scores& s, int min_support) {
  auto row = [](const aggregate::ClassScore& c) {
    return nlohmann::json{{"precision", c.precision}, {"recall", c.recall}, {"f1", c.f1}, {"support", c.support}};
  };
  nlohmann::json classes = nlohmann::json::object();
  for (const auto& c : aggregate::hide_small(s, min_support).classes) classes[c.name] = row(c);
  return {{"classes", classes},
          {"weighted", row(s.weighted)},
          {"macro", row(s.macro)},
          {"accuracy", s.accuracy},
          {"rows", s.rows}};
}

std::string scores_table(const aggregate::Scores& s, int min_support) {
  std::string out =
      fmt::format("  {:<22} {:>9} {:>9} {:>9} {:>8}\n", "organisation", "precision", "recall", "f1", "support");
  auto line = [&](const aggregate::ClassScore& c) {
    out += fmt::format("  {:<22} {:>9.3f} {:>9.3f} {:>9.3f} {:>8}\n", term_safe(c.name), c.precision, c.recall, c.f1,
                       c.support);
  };
  auto shown = aggregate::hide_small(s, min_support);
  for (const auto& c : shown.classes) line(c);
  if (shown.classes.size() < s.classes.size())
    out += fmt::format("  ({} organisations with fewer than {} rows hidden; averages include them)\n",
                       s.classes.size() - shown.classes.size(), min_support);
  line(s.weighted);
  line(s.macro);
  return out;
}

// Per ensemble that scored rows of the range: its classes, training cut and the baseline built on it.
struct Judge {
  std::set<std::string> known;
  std::vector<std::string> classes;
  std::unique_ptr<attribute::ExactBaseline> baseline;
  std::unique_ptr<attribute::Attributor> evidence;
  std::map<std::pair<int64_t, std::string>, int> baseline_ips;
};

std::string class_name(const std::vector<std::string>& classes, int c) {
  return c < 0 ? "unknown" : classes[size_t(c)];
}

// Every parsed probe of `services` in [from, to) whose window an ensemble judges (labelled ones only when
// asked), with the judge of its window.
template <typename Fn>
void for_each_judged_probe(Db& db, const aggregate::Windows& w, int64_t from_us, int64_t to_us,
                           const std::map<int64_t, Judge*>& judge_of_window, const std::vector<Service>& services,
                           bool labelled_only, Fn fn) {
  for (Service s : services) {
    features::ProbeStream stream(db, s, {from_us, to_us}, labelled_only);
    std::vector<features::ProbeRow> page;
    features::ProbeDoc doc;
    while (stream.next(4096, page))
      for (const auto& r : page) {
        auto j = judge_of_window.find(w.start_of(r.ts_us));
        if (j != judge_of_window.end() && doc.parse(r.json)) fn(s, r, doc, *j->second);
      }
  }
}

const std::vector<Service> kVoteServices = voted_services();

// Probe level for the baseline and the payload-evidence method, over the labelled probes of the range,
// each judged by the ensemble that scored its window.
void probe_level(Db& db, const aggregate::Windows& w, int64_t from_us, int64_t to_us,
                 const std::map<int64_t, Judge*>& judge_of_window, const std::set<std::string>& eval_unknown,
                 Evaluation& e) {
  for (Service s : kVoteServices) {
    std::vector<std::string> truth, base, evid;
    attribute::ProbeKeys pk;
    for_each_judged_probe(db, w, from_us, to_us, judge_of_window, {s}, /*labelled_only=*/true,
                          [&](Service, const features::ProbeRow& r, const features::ProbeDoc& doc, Judge& j) {
                            std::string t = features::org_key(r.org);
                            if (eval_unknown.count(t) || !j.known.count(t)) t = "unknown";
                            truth.push_back(t);
                            base.push_back(class_name(j.classes, j.baseline->probe_class(doc, s)));
                            int c = -1;
                            if (j.evidence->keys(doc, s, pk)) c = j.evidence->probe_class(pk).first;
                            evid.push_back(class_name(j.classes, c));
                          });
    if (truth.empty()) continue;
    e.baseline_probes[service_name(s)] = aggregate::score(truth, base);
    e.evidence_probes[service_name(s)] = aggregate::score(truth, evid);
  }
}

// The true organisation of each (window, ip): the majority over its probes found in the truth file.
std::map<std::pair<int64_t, std::string>, std::string> truth_of_rows(Db& db, const aggregate::Windows& w,
                                                                     int64_t from_us, int64_t to_us,
                                                                     const TruthIndex& truth) {
  std::map<std::pair<int64_t, std::string>, std::map<std::string, int>> counts;
  for_each_probe_flow(db, from_us, to_us, [&](const ProbeFlowRow& p) {
    if (const std::string* org = truth.find(p.ts_us, p.src, p.sport, p.dst, p.dport, p.transport))
      ++counts[{w.start_of(p.ts_us), p.src}][features::org_key(*org)];
  });
  std::map<std::pair<int64_t, std::string>, std::string> out;
  for (const auto& [key, orgs] : counts) {
    std::string best;
    int n = 0;
    for (const auto& [org, c] : orgs)
      if (c > n) best = org, n = c;
    out[key] = best;
  }
  return out;
}

// The scenario's ceiling: what a method would get that knew, for every payload of the test range, which
// organisations truly sent it (the simulator's variants and who uses them). Each ip is named by the
// organisation (or "unknown") under which its distinct payloads are jointly most likely: the product over
// its payloads of the share of that payload's true senders (smoothed), every service's payloads counted.
std::map<std::pair<int64_t, std::string>, std::string> ceiling_of_rows(Db& db, const aggregate::Windows& w,
                                                                       int64_t from_us, int64_t to_us,
                                                                       const TruthIndex& truth,
                                                                       const std::map<int64_t, Judge*>& judge_of_window,
                                                                       const std::set<std::string>& eval_unknown) {
  std::map<std::pair<int64_t, std::string>, std::set<attribute::KeyHash>> keys_of;
  std::map<attribute::KeyHash, std::map<std::string, int>> senders;
  attribute::ProbeKeys pk;
  for_each_judged_probe(
      db, w, from_us, to_us, judge_of_window, features::feature_services(), /*labelled_only=*/false,
      [&](Service s, const features::ProbeRow& r, const features::ProbeDoc& doc, Judge& j) {
        if (!j.evidence->keys(doc, s, pk)) return;
        const auto& root = doc.root();
        auto num = [&](const char* k) { return int64_t(features::get_uint(&root, k).value_or(0)); };
        auto str = [&](const char* k) { return std::string(features::get_string(&root, k).value_or("")); };
        const std::string* t = truth.find(r.ts_us, r.src, num("sport"), str("dst"), num("dport"), str("transport"));
        if (!t) return;
        std::string org = features::org_key(*t);
        if (eval_unknown.count(org) || !j.known.count(org)) org = "unknown";
        ++senders[pk.whole][org];
        keys_of[{w.start_of(r.ts_us), r.src}].insert(pk.whole);
      });
  std::map<std::pair<int64_t, std::string>, std::string> out;
  for (const auto& [row, keys] : keys_of) {
    std::map<std::string, double> logp;
    for (auto k : keys)
      for (const auto& [org, n] : senders[k]) logp[org];  // candidates: every org behind one of its payloads
    for (auto& [org, lp] : logp)
      for (auto k : keys) {
        const auto& s = senders[k];
        int total = 0;
        for (const auto& kv : s) total += kv.second;
        auto it = s.find(org);
        lp += std::log(((it == s.end() ? 0 : it->second) + 0.01) / (total + 0.01));
      }
    std::string best = "unknown";
    double best_lp = -1e300;
    for (const auto& [org, lp] : logp)
      if (lp > best_lp) best = org, best_lp = lp;
    out[row] = best;
  }
  return out;
}

std::vector<ReliabilityBin> empty_bins() {
  std::vector<ReliabilityBin> bins;
  for (int i = 0; i < 10; ++i) bins.push_back({i / 10.0, (i + 1) / 10.0});
  return bins;
}

}  // namespace

namespace {
std::string flow_key(std::string_view src, int64_t sport, std::string_view dst, int64_t dport,
                     std::string_view transport) {
  return fmt::format("{}|{}|{}|{}|{}", src, sport, dst, dport, transport);
}
}  // namespace

void TruthIndex::add(int64_t ts_us, std::string_view src, int64_t sport, std::string_view dst, int64_t dport,
                     std::string_view transport, std::string org) {
  if (by_flow_[flow_key(src, sport, dst, dport, transport)].insert_or_assign(ts_us, std::move(org)).second) ++sessions_;
}

const std::string* TruthIndex::find(int64_t ts_us, std::string_view src, int64_t sport, std::string_view dst,
                                    int64_t dport, std::string_view transport) const {
  auto flow = by_flow_.find(flow_key(src, sport, dst, dport, transport));
  if (flow == by_flow_.end()) return nullptr;
  const auto& times = flow->second;
  const std::string* best = nullptr;
  int64_t best_gap = ProbeStore::kSameSessionUs + 1;
  auto after = times.lower_bound(ts_us);
  if (after != times.end() && after->first - ts_us < best_gap) best_gap = after->first - ts_us, best = &after->second;
  if (after != times.begin()) {
    auto before = std::prev(after);
    if (ts_us - before->first < best_gap) best = &before->second;
  }
  return best;
}

Evaluation evaluate(Db& db, const aggregate::Windows& w, int64_t from_us, int64_t to_us,
                    const TruthIndex* truth_index) {
  Evaluation e;
  std::tie(e.from_us, e.to_us) = aggregate::whole_windows(w, from_us, to_us);
  features::ensure_label_table(db);
  PredictionStore ensure_predictions_table(db);
  auto eval_unknown = features::eval_unknown_orgs(db);
  // Each row is judged against the classes of the ensemble that scored it, not the latest one: a week
  // scored before an organisation was learned is right to call it unknown.
  ModelRegistry reg(db);
  auto truth = window_truth(db, w, e.from_us, e.to_us);
  ScannerStore store(db);
  ScannerQuery q;
  q.from_us = e.from_us;
  q.to_us = e.to_us;
  auto rows = store.rows(q);
  // One judge per ensemble that scored rows: the baseline is built on that ensemble's training cut.
  std::map<std::string, Judge> judges;
  std::map<int64_t, Judge*> judge_of_window;
  for (const auto& ens : reg.ensembles()) {
    bool used =
        std::any_of(rows.begin(), rows.end(), [&](const ScannerRow& r) { return r.model_version == ens.version; });
    if (!used) continue;
    Judge& j = judges[ens.version];
    j.classes = ens.classes;
    j.known = {ens.classes.begin(), ens.classes.end()};
    j.baseline =
        std::make_unique<attribute::ExactBaseline>(attribute::ExactBaseline::build(db, ens.classes, ens.data_to_us));
    j.evidence =
        std::make_unique<attribute::Attributor>(attribute::Attributor::build(db, ens.classes, ens.data_to_us, w));
    j.baseline_ips = j.baseline->ip_classes(db, w, e.from_us, e.to_us);
  }
  for (const auto& r : rows)
    if (auto j = judges.find(r.model_version); j != judges.end()) judge_of_window[r.window_start] = &j->second;
  std::map<std::pair<int64_t, std::string>, std::string> all_truth, ceiling_rows;
  if (truth_index) {
    all_truth = truth_of_rows(db, w, e.from_us, e.to_us, *truth_index);
    ceiling_rows = ceiling_of_rows(db, w, e.from_us, e.to_us, *truth_index, judge_of_window, eval_unknown);
  }
  e.has_truth = truth_index != nullptr;
  e.judged_by = truth_index ? "truth" : "labels";
  e.reliability = empty_bins();

  std::vector<std::string> t, p, b, c;
  std::set<std::string> scored_by, methods;
  for (const auto& r : rows) {
    auto jt = judges.find(r.model_version);
    if (jt == judges.end()) continue;  // scored by an ensemble no longer registered
    Judge& j = jt->second;
    methods.insert(r.evidence_kind == "learned" || r.model_version.empty() ? "iomatch" : "evidence");
    auto bi = j.baseline_ips.find({r.window_start, r.ip});
    std::string base = bi == j.baseline_ips.end() ? "unknown" : class_name(j.classes, bi->second);
    auto it = truth.find({r.window_start, r.ip});
    // The row's truth: the simulator's where given, else the label where there is one.
    std::optional<std::string> real;
    if (truth_index) {
      if (auto a = all_truth.find({r.window_start, r.ip}); a != all_truth.end())
        real = j.known.count(a->second) && !eval_unknown.count(a->second) ? a->second : "unknown";
    } else if (it != truth.end()) {
      real = j.known.count(it->second) ? it->second : "unknown";
    }
    if (r.org != "unknown") {
      auto& bin = e.reliability[size_t(std::clamp(int(r.confidence * 10), 0, 9))];
      ++bin.names;
      if (real) ++bin.judged, bin.right += *real == r.org;
    }
    std::string ceil = "unknown";
    if (auto ci = ceiling_rows.find({r.window_start, r.ip}); ci != ceiling_rows.end()) ceil = ci->second;
    if (truth_index && real) {
      for (auto [names, pred] :
           {std::pair{&e.names, r.org}, std::pair{&e.baseline_names, base}, std::pair{&e.ceiling_names, ceil}}) {
        ++names->rows;
        bool named = pred != "unknown";
        names->named += named;
        names->named_right += named && pred == *real;
        if (*real == "unknown") ++names->no_org, names->no_org_named += named;
      }
    }
    if (it == truth.end()) {
      ++e.unlabelled_scanners;
      e.unlabelled_named += r.org != "unknown";
      e.baseline_unlabelled_named += base != "unknown";
      continue;
    }
    scored_by.insert(r.model_version);
    t.push_back(j.known.count(it->second) ? it->second : "unknown");
    p.push_back(r.org);
    b.push_back(base);
    c.push_back(ceil);
  }
  if (truth_index) e.ceiling = aggregate::score(t, c);
  for (const auto& m : methods) e.method += (e.method.empty() ? "" : ",") + m;
  e.baseline = aggregate::score(t, b);
  probe_level(db, w, e.from_us, e.to_us, judge_of_window, eval_unknown, e);
  for (const auto& v : scored_by) e.ensemble += (e.ensemble.empty() ? "" : ",") + v;
  if (e.ensemble.empty()) {
    auto latest = reg.latest_ensemble();
    e.ensemble = latest ? latest->version : "no ensemble";
  }
  e.scanners = aggregate::score(t, p);
  for (Service svc : voted_services()) {
    const std::string s = service_name(svc);
    auto ps = probe_scores(db, s, e.from_us, e.to_us, eval_unknown);
    if (ps.rows) e.probes[s] = ps;
  }
  return e;
}

namespace {

nlohmann::json names_json(const NameCounts& n) {
  return {{"scanners", n.rows},
          {"named", n.named},
          {"precision", n.precision()},
          {"no_org_scanners", n.no_org},
          {"false_attributions", n.no_org_named},
          {"false_attribution_rate", n.false_attribution()}};
}

}  // namespace

std::string evaluation_json(const Evaluation& e, int min_support) {
  nlohmann::json probes = nlohmann::json::object(), base_probes = nlohmann::json::object(),
                 evid_probes = nlohmann::json::object();
  for (const auto& [s, sc] : e.probes) probes[s] = scores_json(sc, min_support);
  for (const auto& [s, sc] : e.baseline_probes) base_probes[s] = scores_json(sc, min_support);
  for (const auto& [s, sc] : e.evidence_probes) evid_probes[s] = scores_json(sc, min_support);
  nlohmann::json bins = nlohmann::json::array();
  for (const auto& b : e.reliability)
    bins.push_back({{"from", b.lo}, {"to", b.hi}, {"names", b.names}, {"judged", b.judged}, {"right", b.right}});
  nlohmann::json j{{"from", format_ts(e.from_us)},
                   {"to", format_ts(e.to_us)},
                   {"ensemble", e.ensemble},
                   {"method", e.method},
                   {"scanners", scores_json(e.scanners, min_support)},
                   {"baseline", scores_json(e.baseline, min_support)},
                   {"margin_weighted_f1", e.scanners.weighted.f1 - e.baseline.weighted.f1},
                   {"unlabelled_scanners", e.unlabelled_scanners},
                   {"unlabelled_named", e.unlabelled_named},
                   {"baseline_unlabelled_named", e.baseline_unlabelled_named},
                   {"probes", probes},
                   {"baseline_probes", base_probes},
                   {"evidence_probes", evid_probes},
                   {"reliability", {{"judged_by", e.judged_by}, {"bins", bins}}}};
  if (e.has_truth) {
    j["truth"] = {{"model", names_json(e.names)},
                  {"baseline", names_json(e.baseline_names)},
                  {"ceiling", names_json(e.ceiling_names)}};
    j["ceiling"] = scores_json(e.ceiling, min_support);
  }
  return j.dump();
}

std::string evaluation_table(const Evaluation& e, int min_support) {
  std::string out = fmt::format("Scanner level, {} .. {} ({} scored, {} without a label not scored), {} method, {}\n",
                                format_ts(e.from_us).substr(0, 10), format_ts(e.to_us).substr(0, 10), e.scanners.rows,
                                e.unlabelled_scanners, e.method.empty() ? "no" : e.method, e.ensemble);
  out += scores_table(e.scanners, min_support);
  out += fmt::format(
      "Exact-match baseline on the same {} rows: weighted F1 {:.3f}, accuracy {:.3f}; the model's "
      "margin {:+.3f}\n",
      e.baseline.rows, e.baseline.weighted.f1, e.baseline.accuracy, e.scanners.weighted.f1 - e.baseline.weighted.f1);
  out += fmt::format("Unlabelled scanners named: model {} of {}, baseline {}\n", e.unlabelled_named,
                     e.unlabelled_scanners, e.baseline_unlabelled_named);
  if (e.has_truth)
    out += fmt::format("Payload ceiling (knowing every test payload's true senders): weighted F1 {:.3f}\n",
                       e.ceiling.weighted.f1);
  if (e.has_truth) {
    out += fmt::format("\nEvery scanner, judged by the truth file ({} scanners, {} of no known organisation)\n",
                       e.names.rows, e.names.no_org);
    out += fmt::format("  {:<10} {:>8} {:>10} {:>18}\n", "", "names", "precision", "false attribution");
    for (auto [who, n] : {std::pair{"model", &e.names}, std::pair{"baseline", &e.baseline_names},
                          std::pair{"ceiling", &e.ceiling_names}})
      out += fmt::format("  {:<10} {:>8} {:>10.3f} {:>11.3f} ({:>4})\n", who, n->named, n->precision(),
                         n->false_attribution(), n->no_org_named);
  }
  out += fmt::format("\nReliability of names (judged by {}): confidence, names, judged, right\n", e.judged_by);
  for (const auto& b : e.reliability)
    if (b.names)
      out += fmt::format("  {:.1f}-{:.1f} {:>8} {:>8} {:>8.3f}\n", b.lo, b.hi, b.names, b.judged,
                         b.judged ? double(b.right) / double(b.judged) : 0.0);
  for (const auto& [s, sc] : e.probes) {
    out += fmt::format("\nProbe level, {} ({} labelled probes): learned model weighted F1 {:.3f}", s, sc.rows,
                       sc.weighted.f1);
    if (auto ev = e.evidence_probes.find(s); ev != e.evidence_probes.end())
      out += fmt::format(", payload evidence {:.3f}", ev->second.weighted.f1);
    if (auto b = e.baseline_probes.find(s); b != e.baseline_probes.end())
      out += fmt::format(", exact-match baseline {:.3f}", b->second.weighted.f1);
    out += "\n";
    out += scores_table(sc, min_support);
  }
  return out;
}

void store_evaluation(Db& db, const Evaluation& e) {
  put_evaluation(db, e.from_us, e.to_us, e.ensemble, evaluation_json(e, 0));
}

bool has_scanner_rows(Db& db, const aggregate::Windows& w, int64_t from_us, int64_t to_us) {
  ScannerQuery q;
  std::tie(q.from_us, q.to_us) = aggregate::whole_windows(w, from_us, to_us);
  return ScannerStore(db).any(q);
}

}  // namespace sg::workflow
