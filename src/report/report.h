// The analyst's report (`scannergrouper report`): one self-contained HTML page built from the database —
// attribution per organisation with its weekly trend, the evaluation tables where labels allow, the
// unknown-probe clusters and their t-SNE maps, the paper's case 1, the abuse view, the MI ranking and the
// model/training facts. Every part that has no data says why instead of failing. Reads SQLite only (no
// model code), so the report builds anywhere the database can be opened.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "analysis/clusters.h"
#include "storage/db.h"

namespace sg::report {

struct ReportOptions {
  std::optional<int64_t> from_us, to_us;  // default: every window in the scanner table
  bool compute_clusters = true;           // analyse (and keep) the unknowns when nothing is stored for the range
  analysis::ClusterOptions clusters;
  int min_support = 0;  // evaluation tables hide organisations with fewer scanners
  int top_orgs = 10;    // organisations drawn in the trend and abuse charts
  int top_names = 25;   // least confident names listed for checking
  int org_ips = 500;    // named ips listed per organisation (in folded pages of 100)
  std::string title = "scannergrouper report";
};

struct ReportResult {
  std::string html;
  int64_t from_us = 0, to_us = 0;
  std::vector<std::string> sections;  // ids, in page order
  int figures = 0;
  std::vector<std::string> notes;  // parts left out, and why
  bool clusters_computed = false;
  bool clusters_kept = false;  // computed clusters were stored (not on a read-only database)
};

ReportResult build_report(Db& db, const ReportOptions& o);

}  // namespace sg::report
