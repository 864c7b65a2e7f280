// The unknown-probe sections: clusters with their statistics, the t-SNE maps, and the paper's case 1.
#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>

#include "analysis/cluster_store.h"
#include "analysis/lookalikes.h"
#include "report/plot.h"
#include "report/sections.h"
#include "util/time.h"

namespace sg::report {

namespace {

std::string when(int64_t us) { return format_ts(us).substr(0, 19) + "Z"; }

void k_choice_table(Context& c, const analysis::ServiceClusters& s) {
  std::vector<std::vector<std::string>> rows;
  for (size_t i = 0; i < s.candidates.size(); ++i)
    rows.push_back({std::to_string(s.candidates[i]), fixed(s.share[i], 2), fixed(s.mean_silhouette[i], 3),
                    s.candidates[i] == s.k ? "chosen" : ""});
  if (!rows.empty())
    c.html.table({"K", "share of clusters above the mean silhouette", "mean silhouette", ""}, rows,
                 "K in 3..10: the largest share wins, the smallest K on ties.");
}

void cluster_summary(Context& c, const analysis::ServiceClusters& s) {
  std::vector<std::vector<std::string>> rows;
  for (const auto& k : s.clusters)
    rows.push_back({std::to_string(k.id), std::to_string(k.size), std::to_string(k.ip_count),
                    k.nearest_org.empty() ? "(no known centroid)" : k.nearest_org,
                    k.nearest_org.empty() ? "" : fixed(k.nearest_distance), fixed(k.radius), percent(k.lookalike_share),
                    k.lookalike_org});
  c.html.table(
      {"cluster", "probes", "ips", "nearest known organisation", "distance", "radius", "predicted known", "as"}, rows,
      "Distance: from the cluster centroid to the nearest centroid of probes the model attributed to a known "
      "organisation (radius: the cluster's RMS spread, for scale). Predicted known: members the probe model "
      "called a known organisation although their ip stayed unknown.");
}

// Folded: a reader opens the clusters the summary table points to (the page stays short).
void cluster_detail(Context& c, const analysis::ServiceClusters& s, const analysis::Cluster& k) {
  c.html.begin_details(fmt::format("{} cluster {}: {} probes, {} ips", s.service, k.id, k.size, k.ip_count));
  std::vector<std::vector<std::string>> rows;
  for (const auto* tops : {&k.fields, &k.fingerprints})
    for (const auto& f : *tops) {
      std::vector<std::string> row{f.field + (tops == &k.fingerprints ? " (fingerprint)" : "")};
      for (const auto& v : f.values) {
        row.push_back(v.value);
        row.push_back(percent(v.share));
      }
      while (row.size() < 7) row.push_back("");
      rows.push_back(std::move(row));
    }
  c.html.table({"field", "top value", "share", "2nd", "share", "3rd", "share"}, rows,
               "Top values of the service's selected fields and fingerprints among the cluster's probes.");
  std::vector<std::vector<std::string>> ips;
  for (const auto& m : k.ips) ips.push_back({m.ip, std::to_string(m.probes), when(m.first_us), when(m.last_us)});
  c.html.table({"ip", "probes", "first seen", "last seen"}, ips,
               fmt::format("Member ips with the most probes ({} of {}).", k.ips.size(), k.ip_count));
  c.html.end_details();
}

void maps(Context& c, const analysis::ClusterAnalysis& a) {
  c.section("maps", "Maps of the probe features (t-SNE)");
  bool any = false;
  for (const auto& s : a.services) {
    if (s.map.empty()) continue;
    any = true;
    std::map<int, Series> by_cluster;
    std::map<std::string, Series> by_org;
    std::map<std::string, int> org_count;
    for (const auto& p : s.map) ++org_count[p.org];
    std::vector<std::pair<std::string, int>> orgs(org_count.begin(), org_count.end());
    std::stable_sort(orgs.begin(), orgs.end(), [](auto& x, auto& y) { return x.second > y.second; });
    std::map<std::string, std::string> shown;
    for (size_t i = 0; i < orgs.size(); ++i)
      shown[orgs[i].first] = int(i) < c.options.top_orgs ? plot_label(orgs[i].first) : "other";
    for (const auto& p : s.map) {
      auto& sc = by_cluster[p.cluster];
      sc.name = p.cluster < 0 ? "known organisations" : fmt::format("cluster {}", p.cluster);
      if (p.cluster < 0) sc.color = "#bbbbbb";  // the background the clusters stand out from
      sc.points.emplace_back(p.x, p.y);
      auto& so = by_org[shown[p.org]];
      so.name = shown[p.org];
      if (p.org == "unknown") so.color = "#222222";
      so.points.emplace_back(p.x, p.y);
    }
    std::vector<Series> clusters, organisations;
    for (auto& [id, ser] : by_cluster) clusters.push_back(std::move(ser));
    for (auto& [name, ser] : by_org) organisations.push_back(std::move(ser));
    PlotSize size{720, 480};
    c.figure(scatter(s.service + ": probes by cluster", clusters, size),
             fmt::format("{}: t-SNE of {} probe features, unknown probes coloured by cluster, probes of attributed "
                         "ips as one colour (seeded; sampled).",
                         s.service, s.map.size()));
    c.figure(scatter(s.service + ": probes by organisation", organisations, size),
             fmt::format("{}: the same map coloured by the ip's attributed organisation.", s.service));
  }
  if (!any) c.note("No map: no service had probes of unknown ips in this range.");
}

std::string evidence_text(const std::string& json_text) {
  auto j = nlohmann::json::parse(json_text, nullptr, false);
  if (!j.is_object()) return "";
  std::string out;
  for (const auto& [kind, values] : j.items()) {
    out += (out.empty() ? "" : "; ") + kind + ":";
    if (!values.is_array()) continue;
    for (const auto& v : values)
      if (v.is_array() && v.size() == 2 && v[0].is_string())
        out += fmt::format(" {} ({})", v[0].get<std::string>(), v[1].dump());
  }
  return out;
}

void case1(Context& c) {
  c.section("case1", "Unknown-class probes predicted as known (case 1)");
  auto r = analysis::unknown_predicted_known(c.db, c.from_us, c.to_us, 50);
  std::string orgs;
  for (const auto& o : r.eval_unknown) orgs += (orgs.empty() ? "" : ", ") + o;
  if (r.labelled_probes == 0) {
    c.note(
        fmt::format("No predicted probe in this range is labelled with an evaluation-unknown organisation ({}), so "
                    "this case cannot be checked.",
                    orgs));
    return;
  }
  c.html.paragraph(fmt::format(
      "{} predicted probes are labelled with an evaluation-unknown organisation ({}); the model called {} of them "
      "({}) a known organisation, in {} (ip, service, label, prediction) groups.",
      r.labelled_probes, orgs, r.predicted_known, percent(double(r.predicted_known) / r.labelled_probes), r.groups));
  std::vector<std::vector<std::string>> rows;
  for (const auto& x : r.rows)
    rows.push_back({x.ip, x.service, x.label, x.predicted, std::to_string(x.probes), fixed(x.mean_prob),
                    fixed(x.max_prob), x.scanner_org, fmt::format("{} .. {}", when(x.first_us), when(x.last_us)),
                    evidence_text(x.evidence)});
  if (!rows.empty())
    c.html.table(
        {"ip", "service", "label", "predicted", "probes", "mean p", "max p", "ensemble", "seen", "evidence"}, rows,
        fmt::format("The {} largest groups; 'ensemble' is the ip's scanner-level call, evidence the values the "
                    "probes sent.",
                    rows.size()));
}

}  // namespace

void cluster_sections(Context& c) {
  c.section("clusters", "Clusters of unknown probes");
  std::optional<analysis::ClusterAnalysis> a = analysis::load_clusters(c.db, c.from_us, c.to_us);
  if (!a && c.options.compute_clusters) {
    a = analysis::analyse_unknowns(c.db, c.from_us, c.to_us, c.options.clusters);
    c.result.clusters_computed = true;
    // Kept for the next report, unless the database is read-only (an archive): then computed each time.
    c.result.clusters_kept = !a->services.empty() && !c.db.read_only();
    if (c.result.clusters_kept) analysis::store_clusters(c.db, *a);
  }
  if (!a || a->services.empty()) {
    c.note(a ? "No clusters: no probe in this range has a model prediction (run 'scannergrouper identify')."
             : "No clusters stored for this range: run 'scannergrouper clusters' for it.");
    c.section("maps", "Maps of the probe features (t-SNE)");
    c.note("No map without clusters.");
    case1(c);
    return;
  }
  c.html.paragraph(
      fmt::format("k-means++ on the 128-d model features of probes whose ip the ensemble left unknown, "
                  "per service; {} (analysis took {:.1f} s).",
                  !c.result.clusters_computed ? "as stored by 'scannergrouper clusters'"
                  : c.result.clusters_kept    ? "computed for this report and kept in the database"
                                              : "computed for this report (the database is read-only)",
                  a->seconds));
  for (const auto& s : a->services) {
    c.html.subheading(fmt::format("{}: K = {}", s.service, s.k));
    c.html.paragraph(
        fmt::format("{} unknown probes{} (model {}); {} probes of attributed ips give the known "
                    "centroids{}{}.",
                    s.probes, s.fitted_on < s.probes ? fmt::format(", K fitted on a sample of {}", s.fitted_on) : "",
                    s.model.empty() ? "none" : s.model, s.known_probes,
                    s.other_model ? fmt::format("; {} probes predicted by another model left out", s.other_model) : "",
                    s.skipped ? fmt::format("; {} unreadable stored probes skipped", s.skipped) : ""));
    if (!s.note.empty()) c.note(s.service + ": " + s.note);
    if (s.clusters.empty()) continue;
    k_choice_table(c, s);
    cluster_summary(c, s);
    for (const auto& k : s.clusters) cluster_detail(c, s, k);
  }
  maps(c, *a);
  case1(c);
}

}  // namespace sg::report
