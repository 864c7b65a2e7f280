// Disagreements between label entries: two entries whose prefixes nest (or are equal), whose periods
// overlap and whose organisations differ. Equal prefixes leave the address unlabelled under every policy;
// nested ones are decided by the narrower entry. Both kinds are listed so nothing is resolved silently.
#pragma once

#include <cstddef>
#include <vector>

#include "labels/prefix_index.h"

namespace sg::labels {

struct Conflict {
  const Entry* wide;    // the shorter (or equal) prefix
  const Entry* narrow;  // the longer (or equal) prefix
  bool same_prefix() const { return wide->prefix.bits == narrow->prefix.bits; }
};

struct ConflictReport {
  size_t same_prefix = 0, nested = 0;
  std::vector<Conflict> listed;  // the first `limit`, same-prefix ones first
};

ConflictReport find_conflicts(const PrefixIndex& index, size_t limit);

}  // namespace sg::labels
