// Which label an address gets at a time, from the entries that cover it then.
//
// Policies (`--policy`):
//  - lpm (default): the most specific entries valid at that time decide. If they all name one
//    organisation, that is the label, whatever coarser entries say (a /32 named by a list beats the /24 it
//    sits in). If entries of that same, most specific prefix name different organisations, the address is
//    a conflict and gets no label.
//  - agree: as lpm, and the organisation must also be named by at least `min_sources` distinct sources
//    (default 2) among all entries valid at that time.
//  - narrow-or-agree: as lpm, accepted when the deciding prefix is narrow (IPv4 /24 or longer, IPv6 /48 or
//    longer) or when `min_sources` distinct sources agree.
// Conflicts are never resolved silently: they are counted and listed (`labels stats --conflicts`).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "labels/prefix_index.h"

namespace sg::labels {

enum class PolicyKind { lpm, agree, narrow_or_agree };

struct Policy {
  PolicyKind kind = PolicyKind::lpm;
  int min_sources = 2;
};

std::optional<Policy> parse_policy(const std::string& text);  // "lpm", "agree", "agree:3", "narrow-or-agree"
std::string to_string(const Policy& p);

enum class Verdict { none, labelled, conflict, too_weak };
const char* to_string(Verdict v);

struct Decision {
  Verdict verdict = Verdict::none;
  uint32_t org = 0;               // when labelled (or the candidate when too_weak)
  std::vector<uint32_t> sources;  // distinct sources naming org, at any length valid then
  std::vector<uint32_t> rivals;   // organisations named at the deciding length besides org (conflict)
  int bits = -1;                  // the deciding prefix length
};

// `covering` is what PrefixIndex::covering returns: entries valid at the time, most specific first.
Decision decide(const std::vector<const Entry*>& covering, const Policy& policy);

}  // namespace sg::labels
