#include "report/report.h"

#include <fmt/format.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <stdexcept>

#include "report/sections.h"
#include "storage/probe_store.h"
#include "storage/report_queries.h"
#include "util/time.h"

namespace sg::report {

std::string plot_label(const std::string& s, size_t max) {
  std::string out;
  for (char c : s) out += static_cast<unsigned char>(c) < 0x20 || c == 0x7f ? '?' : c;
  if (out.size() > max) out = out.substr(0, max - 3) + "...";
  return out;
}

std::string percent(double share) { return fmt::format("{:.1f}%", 100 * share); }
std::string fixed(double v, int digits) { return fmt::format("{:.{}f}", v, digits); }
std::string date_of(int64_t us) { return format_ts(us).substr(0, 10); }

namespace {

// Default range: every window the scanner table holds, else the probes' time span.
std::pair<int64_t, int64_t> default_range(Db& db) {
  if (auto span = scanner_window_span(db)) return *span;
  if (auto span = probe_time_span(db)) return analysis::whole_windows(db, span->first, span->second + 1);
  return {0, 0};
}

}  // namespace

void overview_section(Context& c) {
  c.section("overview", "Overview");
  auto now = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
                 .count();
  c.html.paragraph(
      fmt::format("Database {}; range {} .. {} (weeks start at the window anchor, end exclusive); generated {}.",
                  c.db.path(), date_of(c.from_us), date_of(c.to_us), format_ts(now).substr(0, 19) + "Z"));
  if (!c.db.has_table("probes")) {
    c.note("The database holds no probes yet: run 'scannergrouper ingest' first.");
    return;
  }
  std::vector<std::vector<std::string>> rows;
  int64_t total = 0;
  for (const auto& n : probe_counts_by_service(c.db, c.from_us, c.to_us)) {
    rows.push_back({n.service, std::to_string(n.probes), std::to_string(n.ips)});
    total += n.probes;
  }
  rows.push_back({"all", std::to_string(total), ""});
  c.html.table({"service", "probes", "source ips"}, rows, "Probes stored for the range, per service.");
}

ReportResult build_report(Db& db, const ReportOptions& o) {
  ReportResult r;
  std::tie(r.from_us, r.to_us) = default_range(db);
  if (o.from_us || o.to_us) {
    int64_t from = o.from_us.value_or(r.from_us), to = o.to_us.value_or(r.to_us);
    if (to <= from) throw std::invalid_argument("the report range is empty: --to must be after --from");
    std::tie(r.from_us, r.to_us) = analysis::whole_windows(db, from, to);
  }
  Html html(o.title);
  Context c{db, o, r.from_us, r.to_us, html, r};
  overview_section(c);
  attribution_section(c);
  evaluation_section(c);
  organisations_section(c);
  cluster_sections(c);
  abuse_section(c);
  ranking_section(c);
  models_section(c);
  r.html = html.page();
  return r;
}

}  // namespace sg::report
