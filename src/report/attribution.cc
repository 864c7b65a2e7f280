// Attribution per organisation (scanners, probes, services, weekly trend) and the abuse view.
#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

#include "intel/abuse.h"
#include "intel/org_names.h"
#include "probe/service.h"
#include "report/plot.h"
#include "report/sections.h"
#include "storage/report_queries.h"
#include "storage/scanner_store.h"

namespace sg::report {

namespace {

struct OrgFacts {
  std::set<std::string> ips, services;
  int64_t rows = 0, probes = 0;
  std::map<int64_t, int64_t> per_week;   // window start → scanner ips
  double confidence = 0;                 // summed over rows (mean = confidence / rows)
  std::map<std::string, int64_t> kinds;  // evidence kind → rows
};

// org → facts over the range; every ip also keyed to the org of its latest window.
std::map<std::string, OrgFacts> org_facts(Context& c, std::map<std::string, std::string>* latest_org) {
  std::map<std::string, OrgFacts> out;
  if (!c.db.has_table("scanners")) return out;
  ScannerStore ensure_columns(c.db);  // a database from before confidences gets them (learned rows)
  for_each_scanner_fact(c.db, c.from_us, c.to_us, [&](const ScannerFact& row) {
    auto& f = out[row.org];
    f.ips.insert(row.ip);
    ++f.rows;
    f.probes += row.probes;
    ++f.per_week[row.window_start];
    f.confidence += row.confidence;
    ++f.kinds[row.evidence_kind];
    const std::string& services = row.services;
    for (size_t p = 0; p < services.size();) {
      size_t q = services.find(',', p);
      if (q == std::string::npos) q = services.size();
      if (q > p) f.services.insert(services.substr(p, q - p));
      p = q + 1;
    }
    if (latest_org) (*latest_org)[row.ip] = row.org;
  });
  return out;
}

std::vector<std::string> by_ips(const std::map<std::string, OrgFacts>& facts) {
  std::vector<std::string> orgs;
  for (const auto& [org, f] : facts) orgs.push_back(org);
  std::stable_sort(orgs.begin(), orgs.end(),
                   [&](const auto& a, const auto& b) { return facts.at(a).ips.size() > facts.at(b).ips.size(); });
  return orgs;
}

std::string kinds_text(const std::map<std::string, int64_t>& kinds) {
  std::string out;
  for (const auto& [k, n] : kinds) out += fmt::format("{}{} {}", out.empty() ? "" : ", ", n, k);
  return out;
}

std::string joined(const std::set<std::string>& s) {
  return join_service_names(",", [&](const ServiceInfo& svc) { return s.count(svc.name) > 0; });
}

// Where an organisation's section, and an ip's row in it, are on the page.
std::string org_anchor(const std::string& org) { return "org-" + intel::file_safe(org); }
std::string ip_anchor(const std::string& org, const std::string& ip) {
  return Html::anchor("ip-" + intel::file_safe(org) + "-", ip);
}

// The least certain names first: what an analyst should check before acting on them.
void names_table(Context& c) {
  std::vector<std::vector<Html::Cell>> rows;
  for (const auto& n : least_confident_names(c.db, c.from_us, c.to_us, int64_t(c.options.top_names))) {
    rows.push_back({{n.ip, "#" + ip_anchor(n.org, n.ip), ""},
                    {n.org, "#" + org_anchor(n.org), ""},
                    {fixed(n.confidence)},
                    {n.evidence_kind},
                    {date_of(n.window_start)},
                    {n.reason}});
  }
  if (rows.empty()) return;
  c.html.linked_table(
      {"ip", "organisation", "confidence", "evidence", "week", "why"}, rows,
      fmt::format("The {} least confident names of the range (all names: scannergrouper export).", rows.size()));
}

}  // namespace

void attribution_section(Context& c) {
  c.section("attribution", "Attribution per organisation");
  auto facts = org_facts(c, nullptr);
  if (facts.empty()) {
    c.note("No scanner rows in this range: run 'scannergrouper identify' for it first.");
    return;
  }
  size_t all_ips = 0;
  for (const auto& [org, f] : facts) all_ips += f.ips.size();
  auto orgs = by_ips(facts);
  std::vector<std::vector<Html::Cell>> rows;
  std::vector<std::pair<std::string, double>> bars;
  for (const auto& org : orgs) {
    const auto& f = facts.at(org);
    rows.push_back({{org, org == "unknown" ? "" : "#" + org_anchor(org), ""},
                    {std::to_string(f.ips.size())},
                    {percent(double(f.ips.size()) / all_ips)},
                    {std::to_string(f.rows)},
                    {std::to_string(f.probes)},
                    {joined(f.services)},
                    {fixed(f.confidence / double(f.rows))},
                    {kinds_text(f.kinds)}});
    bars.emplace_back(plot_label(org), double(f.ips.size()));
  }
  c.html.linked_table(
      {"organisation", "scanner ips", "share", "ip-weeks", "probes", "services", "mean confidence", "evidence"}, rows,
      "An ip attributed to different organisations in different weeks counts under each. A name's "
      "confidence is how often such names were right on the training weeks; for \"unknown\" it is the "
      "confidence that no known organisation sent the probes. Evidence kinds: exact-payload (a payload "
      "seen from that organisation's listed ips), near-payload (a variant of one), network (a payload it "
      "shares with others, from a network its listed ips scanned from), learned (the paper's models); "
      "for unknown: public-tool (payloads unlisted ips send too), weak, no-match.");
  names_table(c);
  c.figure(bar_chart("Scanner ips per organisation", bars, "scanner ips"),
           "Scanner ips per organisation over the range.");
  std::vector<Series> trend;
  for (size_t i = 0; i < orgs.size() && int(i) < c.options.top_orgs; ++i) {
    Series s{plot_label(orgs[i]), {}, {}};
    for (const auto& [week, n] : facts.at(orgs[i]).per_week) s.points.emplace_back(double(week) / 1e6, double(n));
    trend.push_back(std::move(s));
  }
  c.figure(time_lines("Scanner ips per week", trend, "scanner ips"),
           fmt::format("Weekly trend of the {} largest organisations (weeks by their first day).", trend.size()));
}

void organisations_section(Context& c) {
  c.section("organisations", "Named ips per organisation");
  if (!c.db.has_table("scanners")) {
    c.note("No scanner rows: run 'scannergrouper identify' first.");
    return;
  }
  // Each (organisation, ip) once, with how many weeks named it and its latest week's evidence.
  std::map<std::string, std::vector<NamedIp>> by_org;
  for (auto& n : named_ips(c.db, c.from_us, c.to_us)) by_org[n.org].push_back(std::move(n));
  if (by_org.empty()) {
    c.note("No ip in this range was named after an organisation.");
    return;
  }
  std::vector<std::string> orgs;
  for (const auto& [org, list] : by_org) orgs.push_back(org);
  std::stable_sort(orgs.begin(), orgs.end(),
                   [&](const auto& a, const auto& b) { return by_org[a].size() > by_org[b].size(); });
  c.html.paragraph(
      "Every ip the range named after each organisation, most confident first, with the evidence of "
      "its latest week. Names in the tables above link here.");
  constexpr size_t kPage = 100;
  for (const auto& org : orgs) {
    auto& list = by_org[org];
    std::stable_sort(list.begin(), list.end(), [](const NamedIp& a, const NamedIp& b) {
      return a.confidence != b.confidence ? a.confidence > b.confidence : a.ip < b.ip;
    });
    const std::string name = intel::display_name(org);
    c.html.subheading(fmt::format("{}{}: {} named ip(s)", name, name == org ? "" : " (" + org + ")", list.size()),
                      org_anchor(org));
    const size_t shown = std::min(list.size(), size_t(std::max(c.options.org_ips, 0)));
    for (size_t from = 0; from < shown; from += kPage) {
      const size_t to = std::min(shown, from + kPage);
      c.html.begin_details(fmt::format("ips {}–{} of {}", from + 1, to, list.size()), from == 0);
      std::vector<std::vector<Html::Cell>> rows;
      for (size_t i = from; i < to; ++i) {
        const NamedIp& n = list[i];
        rows.push_back({{n.ip, "", ip_anchor(org, n.ip)},
                        {fixed(n.confidence)},
                        {n.evidence_kind},
                        {std::to_string(n.weeks)},
                        {date_of(n.latest)},
                        {n.services},
                        {std::to_string(n.probes)},
                        {n.reason}});
      }
      c.html.linked_table(
          {"ip", "confidence", "evidence", "weeks", "latest week", "services", "probes", "why (latest week)"}, rows);
      c.html.end_details();
    }
    if (shown < list.size())
      c.html.paragraph(
          fmt::format("{} more: scannergrouper export --org {} lists every one.", list.size() - shown, org));
  }
}

void abuse_section(Context& c) {
  c.section("abuse", "Abuse reports (AbuseIPDB)");
  auto scores = intel::abuse_scores(c.db);
  if (scores.empty()) {
    c.note("No AbuseIPDB checks imported: 'scannergrouper abuse import --db DB FILE...' reads /check responses.");
    return;
  }
  std::map<std::string, std::string> latest;
  auto facts = org_facts(c, &latest);
  struct Tally {
    int64_t ips = 0, checked = 0, abusive = 0, score_sum = 0;
  };
  std::map<std::string, Tally> t;
  for (const auto& [ip, org] : latest) {
    auto& x = t[org];
    ++x.ips;
    auto it = scores.find(ip);
    if (it == scores.end()) continue;
    ++x.checked;
    x.abusive += it->second >= intel::kAbusiveScore;
    x.score_sum += it->second;
  }
  std::vector<std::string> orgs;
  for (const auto& [org, x] : t) orgs.push_back(org);
  std::stable_sort(orgs.begin(), orgs.end(), [&](const auto& a, const auto& b) { return t[a].checked > t[b].checked; });
  std::vector<std::vector<std::string>> rows;
  std::vector<std::pair<std::string, double>> bars;
  for (const auto& org : orgs) {
    const auto& x = t[org];
    double share = x.checked ? double(x.abusive) / x.checked : 0;
    rows.push_back({org, std::to_string(x.ips), std::to_string(x.checked), std::to_string(x.abusive),
                    x.checked ? percent(share) : "", x.checked ? fixed(double(x.score_sum) / x.checked, 1) : ""});
    if (x.checked && int(bars.size()) < c.options.top_orgs) bars.emplace_back(plot_label(org), 100 * share);
  }
  c.html.table({"organisation", "scanner ips", "checked", "abusive", "abusive share", "mean score"}, rows,
               fmt::format("Each ip under the organisation of its latest week in the range; abusive = "
                           "abuseConfidenceScore ≥ {}; {} checks stored in all.",
                           intel::kAbusiveScore, scores.size()));
  if (!bars.empty())
    c.figure(bar_chart("Share of checked scanner ips reported abusive", bars, "% abusive"),
             "Share of each organisation's checked scanner ips with abuseConfidenceScore ≥ 25.");
}

}  // namespace sg::report
