#include "workflow/week_report.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>

#include "storage/model_registry.h"
#include "storage/scanner_store.h"
#include "storage/workflow_queries.h"
#include "util/atomic_file.h"
#include "util/terminal.h"
#include "util/time.h"

namespace sg::workflow {

namespace {

std::string day(int64_t us) { return format_ts(us).substr(0, 10); }

std::string models_of(ModelRegistry& reg, const std::string& ensemble_version) {
  for (const auto& e : reg.ensembles()) {
    if (e.version != ensemble_version) continue;
    std::string out;
    for (const auto& m : e.service_models)
      if (!m.empty()) out += (out.empty() ? "" : ", ") + m;
    return fmt::format("{} (θ = {:.2f}; service models: {})", e.version, e.theta, out.empty() ? "none" : out);
  }
  return ensemble_version + " (no longer registered)";
}

}  // namespace

WeekSummary week_summary(Db& db, const aggregate::Windows& w, int64_t window_start, bool in_sample) {
  const int64_t end = window_start + w.length_us;
  ScannerStore store(db);
  ScannerQuery q;
  q.from_us = window_start;
  q.to_us = window_start + 1;
  struct OrgWeek {
    size_t n = 0;
    double confidence = 0;
    std::map<std::string, size_t> kinds;
  };
  std::map<std::string, OrgWeek> per_org;
  std::map<std::string, size_t> per_ensemble;
  size_t scanners = 0;
  store.for_each(q, [&](const ScannerRow& r) {
    auto& o = per_org[r.org];
    ++o.n;
    o.confidence += r.confidence;
    ++o.kinds[r.evidence_kind];
    ++per_ensemble[r.model_version];
    ++scanners;
  });
  std::string out = fmt::format("scannergrouper week {} .. {} (UTC, end exclusive)\n\n", day(window_start), day(end));
  out += "probes:";
  for (const auto& [svc, n] : probes_per_service(db, window_start, end)) out += fmt::format(" {} {}", svc, n);
  out += "\n";
  ModelRegistry reg(db);
  for (const auto& [version, n] : per_ensemble) out += fmt::format("attributed by: {}\n", models_of(reg, version));
  if (in_sample) out += "in-sample: scored by models trained on this week (a bootstrap week)\n";
  out += fmt::format("scanners: {}\n\n", scanners);
  std::vector<std::pair<std::string, OrgWeek>> orgs(per_org.begin(), per_org.end());
  std::stable_sort(orgs.begin(), orgs.end(), [](auto& a, auto& b) { return a.second.n > b.second.n; });
  out += fmt::format("  {:<24} {:>8} {:>11}  {}\n", "organisation", "scanners", "confidence", "evidence");
  for (const auto& [org, o] : orgs) {
    std::string kinds;
    for (const auto& [k, n] : o.kinds) kinds += fmt::format("{}{} {}", kinds.empty() ? "" : ", ", n, k);
    out += fmt::format("  {:<24} {:>8} {:>11.2f}  {}\n", term_safe(org), o.n, o.confidence / double(o.n), kinds);
  }
  return {out, scanners};
}

WeekReport write_week_report(Db& db, const aggregate::Windows& w, int64_t window_start, const std::string& dir,
                             bool in_sample) {
  WeekReport rep;
  WeekSummary sum = week_summary(db, w, window_start, in_sample);
  rep.scanners = sum.scanners;
  std::filesystem::create_directories(dir);
  rep.path = (std::filesystem::path(dir) / fmt::format("week-{}.txt", day(window_start))).string();
  write_file_atomically(rep.path, [&](const std::string& tmp) {
    std::ofstream f(tmp, std::ios::binary);
    f << sum.text;
    if (!f.flush()) throw std::runtime_error(tmp + ": cannot write the week report");
  });
  return rep;
}

}  // namespace sg::workflow
