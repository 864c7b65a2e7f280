#include "labels/conflicts.h"

#include <algorithm>

namespace sg::labels {

ConflictReport find_conflicts(const PrefixIndex& index, size_t limit) {
  ConflictReport r;
  std::vector<Conflict> same, nested;
  std::vector<const Entry*> cover;
  for (const Entry& e : index.entries()) {
    index.covering_any_time(e.prefix.net, cover);
    for (const Entry* c : cover) {
      if (c->prefix.bits > e.prefix.bits || c->org == e.org || !c->period.overlaps(e.period)) continue;
      if (c->prefix.bits == e.prefix.bits) {
        if (c >= &e) continue;  // each equal pair once
        ++r.same_prefix;
        if (same.size() < limit) same.push_back({c, &e});
      } else {
        ++r.nested;
        if (nested.size() < limit) nested.push_back({c, &e});
      }
    }
  }
  r.listed = std::move(same);
  for (const auto& c : nested) {
    if (r.listed.size() >= limit) break;
    r.listed.push_back(c);
  }
  return r;
}

}  // namespace sg::labels
