#include "aggregate/vote.h"

#include <algorithm>
#include <map>
#include <stdexcept>
#include <tuple>

namespace sg::aggregate {

namespace {
// The voted services' names in table order.
const std::vector<Service>& voted() {
  static const std::vector<Service> v = voted_services();
  return v;
}
}  // namespace

int vote_service_index(const std::string& service) {
  for (int i = 0; i < kVoteServices; ++i)
    if (service == service_name(voted()[size_t(i)])) return i;
  return -1;
}

const char* vote_service_name(int index) { return service_name(voted()[size_t(index)]); }

int majority(const std::vector<int>& preds, int unknown) {
  if (preds.empty()) return -1;
  std::map<int, int> counts;
  for (int p : preds) ++counts[p];
  int best = -1, best_n = 0;
  for (const auto& [cls, n] : counts) {  // ascending id: the first of equal counts is the lowest id
    bool better = n > best_n;
    bool tie_known_over_unknown = n == best_n && best == unknown && cls != unknown;
    if (better || tie_known_over_unknown) {
      best = cls;
      best_n = n;
    }
  }
  return best;
}

std::vector<IpVotes> vote(const std::vector<ProbeOutcome>& outcomes, int unknown) {
  std::map<std::pair<int64_t, std::string>, std::vector<int>[kVoteServices]> groups;
  for (const auto& o : outcomes) {
    if (o.service < 0 || o.service >= kVoteServices) throw std::invalid_argument("vote: service index out of range");
    groups[{o.window, o.ip}][o.service].push_back(o.pred);
  }
  std::vector<IpVotes> rows;
  rows.reserve(groups.size());
  for (const auto& [key, preds] : groups) {
    IpVotes v;
    v.window = key.first;
    v.ip = key.second;
    for (int s = 0; s < kVoteServices; ++s) {
      v.vote[s] = majority(preds[s], unknown);
      v.probes[s] = static_cast<int>(preds[s].size());
    }
    rows.push_back(std::move(v));
  }
  return rows;
}

int ip_feature_width(const int outcomes[kVoteServices]) {
  int w = 0;
  for (int s = 0; s < kVoteServices; ++s) w += outcomes[s] + 1;
  return w;
}

std::vector<float> ip_feature_row(const IpVotes& v, const int outcomes[kVoteServices]) {
  std::vector<float> row(ip_feature_width(outcomes), 0.0f);
  int base = 0;
  for (int s = 0; s < kVoteServices; ++s) {
    int cell = v.vote[s] < 0 ? outcomes[s] : v.vote[s];
    if (cell > outcomes[s]) throw std::invalid_argument("ip_feature_row: vote beyond the service's classes");
    row[base + cell] = 1.0f;
    base += outcomes[s] + 1;
  }
  return row;
}

}  // namespace sg::aggregate
