// `clusters`: the unknown-probe clusters of a range (README, From probes to organisations), kept in the database for
// the report.
#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "analysis/cluster_store.h"
#include "analysis/lookalikes.h"
#include "cli/commands.h"
#include "cli/common.h"
#include "storage/probe_store.h"
#include "util/time.h"

namespace sg::cli {

namespace {

struct ClustersArgs {
  std::string db, from, to, format = "table";
  analysis::ClusterOptions opt;
};

nlohmann::json case1_json(const analysis::Case1& c) {
  nlohmann::json rows = nlohmann::json::array();
  for (const auto& r : c.rows)
    rows.push_back({{"ip", r.ip},
                    {"service", r.service},
                    {"label", r.label},
                    {"predicted", r.predicted},
                    {"probes", r.probes},
                    {"mean_prob", r.mean_prob},
                    {"max_prob", r.max_prob},
                    {"scanner_org", r.scanner_org},
                    {"first_seen", format_ts(r.first_us)},
                    {"last_seen", format_ts(r.last_us)},
                    {"evidence", nlohmann::json::parse(r.evidence, nullptr, false)}});
  return {{"eval_unknown", c.eval_unknown},
          {"labelled_probes", c.labelled_probes},
          {"predicted_known", c.predicted_known},
          {"groups", c.groups},
          {"rows", rows}};
}

void run_clusters(const ClustersArgs& a) {
  int64_t from = parse_date_us(a.from), to = parse_date_us(a.to);
  if (to <= from) throw std::invalid_argument("--to must be after --from");
  ProbeStore store(a.db);
  auto& db = store.db();
  auto r = analysis::analyse_unknowns(db, from, to, a.opt);
  // Before identify there is nothing to cluster: say so and fail rather than store and print an empty run.
  if (r.services.empty())
    throw std::runtime_error(
        fmt::format("no probe in {} .. {} has a model prediction: run identify for the range first",
                    format_ts(r.from_us).substr(0, 10), format_ts(r.to_us).substr(0, 10)));
  analysis::store_clusters(db, r);
  auto c1 = analysis::unknown_predicted_known(db, r.from_us, r.to_us, 20);
  if (a.format == "json") {
    auto j = nlohmann::json::parse(analysis::clusters_json(r));
    j["case1"] = case1_json(c1);
    print_json(j);
    return;
  }
  fmt::print("{}", analysis::clusters_table(r));
  if (c1.labelled_probes)
    fmt::print(
        "\nCase 1: {} of {} probes labelled evaluation-unknown were predicted as a known organisation "
        "({} groups; 'clusters --format json' or the report lists them)\n",
        c1.predicted_known, c1.labelled_probes, c1.groups);
}

}  // namespace

void add_clusters(CLI::App& app) {
  auto a = std::make_shared<ClustersArgs>();
  auto* cmd = app.add_subcommand("clusters", "Group the still-unknown probes of a range into clusters");
  cmd->footer(
      "Per service, the probes whose ip the ensemble left \"unknown\" are clustered by k-means++ (seeded restarts)\n"
      "on their 128-d model features; K in 3..10 is the one with the largest share of clusters whose best\n"
      "silhouette beats the mean (smallest K on ties). Each cluster gets its size, the top-3 values of the\n"
      "selected fields and fingerprints, its ips with first/last seen, and the known organisation whose centroid\n"
      "is nearest. Results replace the range's earlier analysis in the database (tables cluster_runs, clusters)\n"
      "and the report shows them. Needs 'identify' for the range first.\n"
      "Example: scannergrouper clusters --db scanners.db --from 2025-01-20 --to 2025-01-27 --format json");
  cmd->add_option("--db", a->db, fmt::format("the scannergrouper database {}", kDbHelp))
      ->required()
      ->check(kExistingDb);
  cmd->add_option("--from", a->from, "start (YYYY-MM-DD or RFC 3339, UTC); widened to the start of its week")
      ->required();
  cmd->add_option("--to", a->to, "end, exclusive; widened to the end of its week")->required();
  add_format_option(cmd, a->format, {"table", "json"},
                    "table (for people) or json (everything, with the map and case 1)");
  cmd->add_option("--seed", a->opt.seed, "seed of k-means++, the samples and t-SNE (same seed, same result)")
      ->capture_default_str();
  cmd->add_option("--max-rows", a->opt.max_fit_rows, "above this many probes K is chosen on a seeded sample")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_option("--map-points", a->opt.map_points,
                  "t-SNE points per service (exact t-SNE: cost grows with the square)")
      ->check(CLI::Range(0, 5000))
      ->capture_default_str();
  cmd->callback([a] { run_clusters(*a); });
}

}  // namespace sg::cli
