#include "labels/explain.h"

#include <fmt/format.h>

#include <algorithm>

#include "labels/period.h"

namespace sg::labels {

EntryText entry_text(const PrefixIndex& index, const Entry& e, int64_t t_us) {
  return {fmt::format("{}/{}", to_string(e.prefix.net), e.prefix.bits), index.org(e.org), index.source(e.source),
          format_period(e.period), e.period.holds_at(t_us)};
}

LabelAnswer explain(const PrefixIndex& index, const IpAddr& ip, int64_t t_us, const Policy& policy, bool with_entries) {
  LabelAnswer a;
  a.at = format_period(Period{t_us, t_us + 1}).substr(0, 10);
  std::vector<const Entry*> cover;
  index.covering(ip, t_us, cover);
  const Decision d = decide(cover, policy);
  a.verdict = d.verdict;
  if (d.verdict == Verdict::labelled) a.org = index.org(d.org);
  if (d.verdict == Verdict::conflict) {
    a.sources = index.org(d.org);
    for (uint32_t r : d.rivals) a.sources += " vs " + index.org(r);
  } else {
    std::vector<std::string> names;
    for (uint32_t s : d.sources) names.push_back(index.source(s));
    std::sort(names.begin(), names.end());
    for (const auto& n : names) a.sources += (a.sources.empty() ? "" : "+") + n;
  }
  if (with_entries) {
    index.covering_any_time(ip, cover);
    for (const Entry* e : cover) a.entries.push_back(entry_text(index, *e, t_us));
  }
  return a;
}

}  // namespace sg::labels
