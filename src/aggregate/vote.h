// Per (ip, service, window) majority vote over probe predictions (docs/METHOD.md), and the per-ip feature
// row the logistic-regression ensemble reads: one block per service, one-hot over the K+1 outcomes of that
// service's model plus an explicit "service absent" cell.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "probe/service.h"

namespace sg::aggregate {

// The services the paper's ensemble combines, in block order: the voted rows of the service table.
inline constexpr int kVoteServices = [] {
  int n = 0;
  for (const auto& s : kServices) n += s.voted;
  return n;
}();
static_assert(kVoteServices == 3, "IpVotes below initialises one cell per voted service: extend its initialisers");
int vote_service_index(const std::string& service);  // -1 for services outside the ensemble
const char* vote_service_name(int index);

// One probe's prediction: `pred` is a class id of that service's model, `unknown` (= K) meaning unknown.
struct ProbeOutcome {
  std::string ip;
  int service = 0;  // vote_service_index
  int64_t window = 0;
  int pred = 0;
};

// What one ip did in one window: the voted class per service (-1 = absent) and how many probes voted.
struct IpVotes {
  std::string ip;
  int64_t window = 0;
  int vote[kVoteServices] = {-1, -1, -1};
  int probes[kVoteServices] = {0, 0, 0};
};

// Majority of `preds` (classes 0..unknown). Ties go to a known class over unknown, then to the lowest id, so
// one stray unknown probe never outvotes an equal number of confident ones.
int majority(const std::vector<int>& preds, int unknown);

// Groups outcomes by (window, ip) and votes per service. Rows are ordered by window, then ip.
std::vector<IpVotes> vote(const std::vector<ProbeOutcome>& outcomes, int unknown);

// The ensemble's input row: kVoteServices blocks of (outcomes[s] + 1) cells each, where outcomes[s] = K_s + 1
// for a service whose model knows K_s classes; the last cell of a block means "service absent".
std::vector<float> ip_feature_row(const IpVotes& v, const int outcomes[kVoteServices]);
int ip_feature_width(const int outcomes[kVoteServices]);

}  // namespace sg::aggregate
