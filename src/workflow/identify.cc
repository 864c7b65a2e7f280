#include "workflow/identify.h"

#include <fmt/format.h>

#include <chrono>
#include <nlohmann/json.hpp>

#include "aggregate/evidence.h"
#include "aggregate/threshold.h"
#include "attribute/evidence.h"
#include "model/logreg.h"
#include "probe/service.h"
#include "storage/prediction_store.h"
#include "storage/scanner_store.h"
#include "storage/workflow_queries.h"
#include "util/time.h"
#include "workflow/ensemble.h"
#include "workflow/train.h"
#include "workflow/votes.h"

namespace sg::workflow {

namespace {

// What the scanner table keeps about an ip in a window besides the decision.
struct IpFacts {
  int64_t first = INT64_MAX, last = INT64_MIN, probes = 0;
  std::set<std::string> services;
  aggregate::Evidence evidence;
};

std::map<std::pair<int64_t, std::string>, IpFacts> gather_facts(Db& db, const aggregate::Windows& w, int64_t from_us,
                                                                int64_t to_us) {
  std::map<std::pair<int64_t, std::string>, IpFacts> facts;
  for_each_probe_fact(db, from_us, to_us, [&](const ProbeFactRow& p) {
    auto& f = facts[{w.start_of(p.ts_us), p.src}];
    f.first = std::min(f.first, p.ts_us);
    f.last = std::max(f.last, p.ts_us);
    ++f.probes;
    f.services.insert(p.service);
    auto j = nlohmann::json::parse(p.json, nullptr, false);
    if (j.is_object()) f.evidence.add_probe(j);
  });
  return facts;
}

std::string services_text(const std::set<std::string>& used);

// What every row says besides its decision: when and how the ip probed, and the evidence in its probes.
void fill_facts(ScannerRow& r, const aggregate::Windows& w, int64_t window, const std::string& ip,
                std::map<std::pair<int64_t, std::string>, IpFacts>& facts, const std::string& model) {
  r.window_start = window;
  r.window_end = window + w.length_us;
  r.ip = ip;
  const auto& f = facts[{window, ip}];
  r.first_seen_us = f.probes ? f.first : window;
  r.last_seen_us = f.probes ? f.last : window;
  r.services = services_text(f.services);
  r.probes = f.probes;
  r.evidence = f.evidence.to_json();
  r.model_version = model;
}

std::string services_text(const std::set<std::string>& used) {
  return join_service_names(",", [&](const ServiceInfo& s) { return used.count(s.name) > 0; });
}

}  // namespace

const char* method_name(Method m) {
  return m == Method::evidence ? "evidence" : m == Method::payload ? "payload" : "iomatch";
}

std::optional<Method> method_from_name(const std::string& name) {
  if (name == "evidence") return Method::evidence;
  if (name == "payload") return Method::payload;
  if (name == "iomatch") return Method::iomatch;
  return std::nullopt;
}

IdentifyReport identify(Db& db, const aggregate::Windows& w, int64_t from_us, int64_t to_us,
                        const std::function<void(const std::string&)>& log, Method method) {
  auto start = std::chrono::steady_clock::now();
  IdentifyReport rep;
  std::tie(rep.from_us, rep.to_us) = aggregate::whole_windows(w, from_us, to_us);
  ModelRegistry reg(db);
  auto ens = reg.latest_ensemble();
  if (!ens) throw std::runtime_error("no ensemble yet: train (or update) first");
  rep.ensemble = ens->version;
  rep.method = method;
  for (Service s : model_services()) {
    auto p = predict_service(db, s, rep.from_us, rep.to_us);
    if (!p.model.empty())
      log(fmt::format("{}: {} probes predicted by {} in {:.1f} s ({} already were)", p.service, p.predicted, p.model,
                      p.seconds, p.already));
    rep.predictions.push_back(p);
  }
  auto vc = VoteClasses::latest(reg);
  for (int s = 0; s < aggregate::kVoteServices; ++s)
    if (vc.versions[s] != ens->service_models[s])
      log(fmt::format("warning: {} was fitted with {} but the current {} model is {}", ens->version,
                      ens->service_models[s].empty() ? "none" : ens->service_models[s], aggregate::vote_service_name(s),
                      vc.versions[s].empty() ? "none" : vc.versions[s]));
  // The ensemble's votes and probabilities are the iomatch method's; the evidence methods need neither.
  const int K = int(ens->classes.size());
  std::vector<IpWindow> rows;
  std::vector<float> proba;
  std::vector<int> pred;
  if (method == Method::iomatch) {
    rows = collect_votes(db, w, rep.from_us, rep.to_us, vc);
    proba = ensemble_proba(model::LogReg::load(ens->path), *ens, vc, rows);
    pred = aggregate::apply_threshold(proba, K, ens->theta);
  }
  auto facts = gather_facts(db, w, rep.from_us, rep.to_us);

  std::map<int64_t, std::vector<ScannerRow>> by_window;
  if (method != Method::iomatch) {
    attribute::AttributorOptions opt;
    opt.network = method == Method::evidence;
    auto att = attribute::Attributor::build(db, ens->classes, ens->data_to_us, w, opt);
    rep.theta = att.theta();
    rep.training_rows = att.training_rows();
    log(fmt::format("evidence: payloads before {} from {} training rows, confidence threshold {:.2f}",
                    format_ts(att.cut_us()).substr(0, 10), att.training_rows(), att.theta()));
    attribute::WindowSenders senders;
    for (auto& wk : attribute::window_keys(db, att, w, rep.from_us, rep.to_us, &senders)) {
      auto d = att.decide(wk, &senders);
      ScannerRow r;
      fill_facts(r, w, wk.window, wk.ip, facts, ens->version);
      r.org = d.cls < 0 ? "unknown" : att.classes()[size_t(d.cls)];
      r.probability = d.raw;
      r.confidence = d.confidence;
      r.evidence_kind = attribute::evidence_kind_name(d.kind);
      r.reason = d.reason;
      nlohmann::json votes = nlohmann::json::object();
      for (Service s : {Service::http, Service::tls, Service::dns}) {
        int c = d.service_best[size_t(s)];
        votes[service_name(s)] = c < 0 ? nlohmann::json(nullptr) : nlohmann::json(att.classes()[size_t(c)]);
      }
      r.votes = votes.dump();
      ++rep.per_org[r.org];
      by_window[wk.window].push_back(std::move(r));
    }
  }
  for (size_t i = 0; i < rows.size(); ++i) {
    const auto& v = rows[i].votes;
    ScannerRow r;
    fill_facts(r, w, v.window, v.ip, facts, ens->version);
    r.org = pred[i] == K ? "unknown" : ens->classes[pred[i]];
    float best = 0;
    for (int k = 0; k < K; ++k) best = std::max(best, proba[i * K + k]);
    r.probability = best;
    r.confidence = pred[i] == K ? 1.0 - best : best;
    r.evidence_kind = "learned";
    nlohmann::json votes = nlohmann::json::object();
    for (int s = 0; s < aggregate::kVoteServices; ++s) {
      auto name = vote_name(vc, s, v.vote[s]);
      votes[aggregate::vote_service_name(s)] = name.empty() ? nlohmann::json(nullptr) : nlohmann::json(name);
    }
    r.votes = votes.dump();
    ++rep.per_org[r.org];
    by_window[v.window].push_back(std::move(r));
  }
  ScannerStore store(db);
  PredictionStore preds(db);
  // Every window of the range is rewritten, an emptied one included, so a rerun leaves no stale rows; its
  // probes' scores are frozen with it, in the same transaction.
  for (int64_t win = rep.from_us; win < rep.to_us; win += w.length_us) {
    auto& rs = by_window[win];
    Transaction tx(db);
    store.replace_window(win, win + w.length_us, rs);
    preds.keep_scores(win, win + w.length_us);
    tx.commit();
    rep.scanners += rs.size();
    rep.windows += !rs.empty();
  }
  rep.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return rep;
}

}  // namespace sg::workflow
