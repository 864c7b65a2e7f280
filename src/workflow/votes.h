// From per-probe predictions to per-(window, ip) rows: the service votes (docs/METHOD.md) and, where labels
// exist, the ip's true organisation in that window. Both the ensemble's training and the evaluation read
// these rows, so they agree on what a scanner is.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "aggregate/vote.h"
#include "aggregate/window.h"
#include "storage/db.h"
#include "storage/model_registry.h"

namespace sg::workflow {

struct IpWindow {
  aggregate::IpVotes votes;
  std::string truth;  // the labelled org, "unknown" for evaluation-unknown orgs, "" when unlabelled
};

// Class lists of the vote services' models (index = aggregate::vote_service_index; empty = no model).
struct VoteClasses {
  std::vector<std::string> classes[aggregate::kVoteServices];
  std::string versions[aggregate::kVoteServices];
  int outcomes(int s) const { return classes[s].empty() ? 0 : int(classes[s].size()) + 1; }
  static VoteClasses latest(ModelRegistry& reg);
};

// Majority label of each ip's probes per window in [from, to); evaluation-unknown orgs become "unknown".
std::map<std::pair<int64_t, std::string>, std::string> window_truth(Db& db, const aggregate::Windows& w,
                                                                    int64_t from_us, int64_t to_us);

// Vote rows for every (window, ip) with a prediction on a vote service in [from, to).
std::vector<IpWindow> collect_votes(Db& db, const aggregate::Windows& w, int64_t from_us, int64_t to_us,
                                    const VoteClasses& vc);

// The class name of a vote (a service's class id) for reports: "unknown", or "" when absent.
std::string vote_name(const VoteClasses& vc, int service, int vote);

}  // namespace sg::workflow
