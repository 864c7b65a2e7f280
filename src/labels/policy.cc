#include "labels/policy.h"

#include <algorithm>
#include <charconv>

namespace sg::labels {

namespace {

void add_unique(std::vector<uint32_t>& v, uint32_t x) {
  if (std::find(v.begin(), v.end(), x) == v.end()) v.push_back(x);
}

bool narrow(const Cidr& c) { return c.bits >= (c.net.v4 ? 24 : 48); }

}  // namespace

std::optional<Policy> parse_policy(const std::string& text) {
  Policy p;
  std::string name = text;
  if (auto colon = text.find(':'); colon != std::string::npos) {
    name = text.substr(0, colon);
    const char* b = text.data() + colon + 1;
    const char* e = text.data() + text.size();
    auto [ptr, ec] = std::from_chars(b, e, p.min_sources);
    if (ec != std::errc() || ptr != e || p.min_sources < 1) return std::nullopt;
  }
  if (name == "lpm")
    p.kind = PolicyKind::lpm;
  else if (name == "agree")
    p.kind = PolicyKind::agree;
  else if (name == "narrow-or-agree")
    p.kind = PolicyKind::narrow_or_agree;
  else
    return std::nullopt;
  return p;
}

std::string to_string(const Policy& p) {
  switch (p.kind) {
    case PolicyKind::lpm:
      return "lpm";
    case PolicyKind::agree:
      return "agree:" + std::to_string(p.min_sources);
    case PolicyKind::narrow_or_agree:
      return "narrow-or-agree:" + std::to_string(p.min_sources);
  }
  return "lpm";
}

const char* to_string(Verdict v) {
  switch (v) {
    case Verdict::none:
      return "none";
    case Verdict::labelled:
      return "labelled";
    case Verdict::conflict:
      return "conflict";
    case Verdict::too_weak:
      return "too_weak";
  }
  return "none";
}

Decision decide(const std::vector<const Entry*>& covering, const Policy& policy) {
  Decision d;
  if (covering.empty()) return d;
  const Entry& best = *covering.front();
  d.bits = best.prefix.bits;
  d.org = best.org;
  for (const Entry* e : covering) {
    if (e->prefix.bits != d.bits) break;  // most specific first: the deciding length is the first run
    if (e->org != d.org) add_unique(d.rivals, e->org);
  }
  if (!d.rivals.empty()) {
    d.verdict = Verdict::conflict;
    return d;
  }
  for (const Entry* e : covering)
    if (e->org == d.org) add_unique(d.sources, e->source);
  bool agreed = static_cast<int>(d.sources.size()) >= policy.min_sources;
  bool ok =
      policy.kind == PolicyKind::lpm || agreed || (policy.kind == PolicyKind::narrow_or_agree && narrow(best.prefix));
  d.verdict = ok ? Verdict::labelled : Verdict::too_weak;
  return d;
}

}  // namespace sg::labels
