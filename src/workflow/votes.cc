#include "workflow/votes.h"

#include "features/labels.h"
#include "storage/prediction_store.h"
#include "storage/workflow_queries.h"

namespace sg::workflow {

VoteClasses VoteClasses::latest(ModelRegistry& reg) {
  VoteClasses vc;
  for (int s = 0; s < aggregate::kVoteServices; ++s)
    if (auto m = reg.latest_model(aggregate::vote_service_name(s))) {
      vc.classes[s] = m->classes;
      vc.versions[s] = m->version;
    }
  return vc;
}

std::map<std::pair<int64_t, std::string>, std::string> window_truth(Db& db, const aggregate::Windows& w,
                                                                    int64_t from_us, int64_t to_us) {
  features::ensure_label_table(db);
  auto eval_unknown = features::eval_unknown_orgs(db);
  std::map<std::pair<int64_t, std::string>, std::map<std::string, int>> counts;
  for_each_labelled_probe(db, from_us, to_us, [&](const LabelledProbeRow& p) {
    ++counts[{w.start_of(p.ts_us), p.src}][features::org_key(p.org)];
  });
  std::map<std::pair<int64_t, std::string>, std::string> truth;
  for (const auto& [key, orgs] : counts) {
    std::string best;
    int n = 0;
    for (const auto& [org, c] : orgs)
      if (c > n) best = org, n = c;
    truth[key] = eval_unknown.count(best) ? "unknown" : best;
  }
  return truth;
}

std::vector<IpWindow> collect_votes(Db& db, const aggregate::Windows& w, int64_t from_us, int64_t to_us,
                                    const VoteClasses& vc) {
  std::map<std::string, int> ids[aggregate::kVoteServices];
  for (int s = 0; s < aggregate::kVoteServices; ++s)
    for (size_t i = 0; i < vc.classes[s].size(); ++i) ids[s][vc.classes[s][i]] = int(i);
  std::vector<aggregate::ProbeOutcome> outcomes;
  PredictionStore preds(db);
  PredictionQuery q;
  q.from_us = from_us;
  q.to_us = to_us;
  preds.for_each(q, [&](const PredictedProbe& p) {
    int s = aggregate::vote_service_index(p.service);
    if (s < 0 || vc.classes[s].empty()) return;
    auto it = ids[s].find(p.org);
    int cls = it == ids[s].end() ? int(vc.classes[s].size()) : it->second;  // "unknown" or an unseen name
    outcomes.push_back({p.ip, s, w.start_of(p.ts_us), cls});
  });
  // Each service has its own "unknown" id; vote() needs one, so vote service by service.
  std::map<std::pair<int64_t, std::string>, aggregate::IpVotes> merged;
  for (int s = 0; s < aggregate::kVoteServices; ++s) {
    std::vector<aggregate::ProbeOutcome> mine;
    for (const auto& o : outcomes)
      if (o.service == s) mine.push_back(o);
    for (const auto& v : aggregate::vote(mine, int(vc.classes[s].size()))) {
      auto& m = merged[{v.window, v.ip}];
      m.window = v.window;
      m.ip = v.ip;
      m.vote[s] = v.vote[s];
      m.probes[s] = v.probes[s];
    }
  }
  auto truth = window_truth(db, w, from_us, to_us);
  std::vector<IpWindow> rows;
  rows.reserve(merged.size());
  for (auto& [key, v] : merged) {
    auto t = truth.find(key);
    rows.push_back({v, t == truth.end() ? "" : t->second});
  }
  return rows;
}

std::string vote_name(const VoteClasses& vc, int service, int vote) {
  if (vote < 0) return "";
  if (vote >= int(vc.classes[service].size())) return "unknown";
  return vc.classes[service][vote];
}

}  // namespace sg::workflow
