// What the label lists say of one address at one time, and why: the verdict of the policy, the sources
// behind it, and on request every entry covering the address at any time. `labels lookup` prints it; a
// lookup service can answer with it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "capture/cidr.h"
#include "labels/policy.h"
#include "labels/prefix_index.h"

namespace sg::labels {

// One list entry as people read it.
struct EntryText {
  std::string prefix;  // "192.0.2.0/24"
  std::string org, source;
  std::string period;      // format_period
  bool valid_then = true;  // valid at the time asked about
};

struct LabelAnswer {
  std::string at;  // the day asked about, YYYY-MM-DD
  Verdict verdict = Verdict::none;
  std::optional<std::string> org;  // when labelled
  // The sources naming the organisation, sorted and joined with '+'; for a conflict the organisations
  // instead, "a vs b vs c".
  std::string sources;
  std::vector<EntryText> entries;  // with_entries only: every entry covering the address, at any time
};

EntryText entry_text(const PrefixIndex& index, const Entry& e, int64_t t_us);

LabelAnswer explain(const PrefixIndex& index, const IpAddr& ip, int64_t t_us, const Policy& policy, bool with_entries);

}  // namespace sg::labels
