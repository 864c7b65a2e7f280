#include "analysis/cluster_store.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include <algorithm>

#include "probe/service.h"
#include "util/terminal.h"
#include "util/time.h"

namespace sg::analysis {

using nlohmann::json;

namespace {

// Probe values are hostile bytes: invalid UTF-8 is replaced rather than failing the whole analysis.
std::string dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

json tops_json(const std::vector<FieldTop>& tops) {
  json arr = json::array();
  for (const auto& t : tops) {
    json vals = json::array();
    for (const auto& v : t.values) vals.push_back({{"value", v.value}, {"count", v.count}, {"share", v.share}});
    arr.push_back({{"field", t.field}, {"values", vals}});
  }
  return arr;
}

std::vector<FieldTop> tops_from(const json& arr) {
  std::vector<FieldTop> out;
  for (const auto& t : arr) {
    FieldTop f{t.at("field").get<std::string>(), {}};
    for (const auto& v : t.at("values"))
      f.values.push_back({v.at("value").get<std::string>(), v.at("count").get<int64_t>(), v.at("share").get<double>()});
    out.push_back(std::move(f));
  }
  return out;
}

json cluster_json(const Cluster& c) {
  json ips = json::array();
  for (const auto& m : c.ips)
    ips.push_back({{"ip", m.ip},
                   {"probes", m.probes},
                   {"first_seen", format_ts(m.first_us)},
                   {"last_seen", format_ts(m.last_us)},
                   {"first_us", m.first_us},
                   {"last_us", m.last_us}});
  return {{"id", c.id},
          {"size", c.size},
          {"fields", tops_json(c.fields)},
          {"fingerprints", tops_json(c.fingerprints)},
          {"ip_count", c.ip_count},
          {"ips", ips},
          {"radius", c.radius},
          {"nearest_org", c.nearest_org},
          {"nearest_distance", c.nearest_distance},
          {"lookalike_share", c.lookalike_share},
          {"lookalike_org", c.lookalike_org}};
}

Cluster cluster_from(const json& j) {
  Cluster c;
  c.id = j.at("id").get<int>();
  c.size = j.at("size").get<int64_t>();
  c.fields = tops_from(j.at("fields"));
  c.fingerprints = tops_from(j.at("fingerprints"));
  c.ip_count = j.at("ip_count").get<int64_t>();
  for (const auto& m : j.at("ips"))
    c.ips.push_back({m.at("ip").get<std::string>(), m.at("probes").get<int64_t>(), m.at("first_us").get<int64_t>(),
                     m.at("last_us").get<int64_t>()});
  c.radius = j.at("radius").get<double>();
  c.nearest_org = j.at("nearest_org").get<std::string>();
  c.nearest_distance = j.at("nearest_distance").get<double>();
  c.lookalike_share = j.at("lookalike_share").get<double>();
  c.lookalike_org = j.at("lookalike_org").get<std::string>();
  return c;
}

// Everything of a service but its clusters (those have rows of their own).
json service_json(const ServiceClusters& s) {
  json map = json::array();
  for (const auto& p : s.map) map.push_back({p.x, p.y, p.cluster, p.org});
  return {{"service", s.service},
          {"model", s.model},
          {"probes", s.probes},
          {"fitted_on", s.fitted_on},
          {"known_probes", s.known_probes},
          {"other_model", s.other_model},
          {"k", s.k},
          {"candidates", s.candidates},
          {"share", s.share},
          {"mean_silhouette", s.mean_silhouette},
          {"selected_fields", s.selected_fields},
          {"map", map},
          {"skipped", s.skipped},
          {"skip_examples", s.skip_examples},
          {"note", s.note}};
}

ServiceClusters service_from(const json& j) {
  ServiceClusters s;
  s.service = j.at("service").get<std::string>();
  s.model = j.at("model").get<std::string>();
  s.probes = j.at("probes").get<int64_t>();
  s.fitted_on = j.at("fitted_on").get<int64_t>();
  s.known_probes = j.at("known_probes").get<int64_t>();
  s.other_model = j.at("other_model").get<int64_t>();
  s.k = j.at("k").get<int>();
  s.candidates = j.at("candidates").get<std::vector<int>>();
  s.share = j.at("share").get<std::vector<double>>();
  s.mean_silhouette = j.at("mean_silhouette").get<std::vector<double>>();
  s.selected_fields = j.at("selected_fields").get<std::vector<std::string>>();
  for (const auto& p : j.at("map"))
    s.map.push_back({p.at(0).get<float>(), p.at(1).get<float>(), p.at(2).get<int>(), p.at(3).get<std::string>()});
  s.skipped = j.at("skipped").get<uint64_t>();
  s.skip_examples = j.at("skip_examples").get<std::vector<std::string>>();
  s.note = j.at("note").get<std::string>();
  return s;
}

// For a terminal: control bytes from a probe must not move the cursor or change colours (term_safe), and
// a long value is cut on a character boundary, not inside a UTF-8 sequence.
std::string cut(const std::string& s, size_t n) {
  if (s.size() <= n) return term_safe(s);
  size_t end = n - 3;
  while (end > 0 && (static_cast<unsigned char>(s[end]) & 0xc0) == 0x80) --end;
  return term_safe(std::string_view(s).substr(0, end)) + "...";
}

}  // namespace

std::string clusters_json(const ClusterAnalysis& a) {
  json services = json::array();
  for (const auto& s : a.services) {
    json j = service_json(s);
    json cl = json::array();
    for (const auto& c : s.clusters) cl.push_back(cluster_json(c));
    j["clusters"] = cl;
    services.push_back(j);
  }
  return dump({{"from", format_ts(a.from_us)},
               {"to", format_ts(a.to_us)},
               {"from_us", a.from_us},
               {"to_us", a.to_us},
               {"seconds", a.seconds},
               {"services", services}});
}

ClusterAnalysis clusters_from_json(const std::string& text) {
  try {
    json j = json::parse(text);
    ClusterAnalysis a;
    a.from_us = j.at("from_us").get<int64_t>();
    a.to_us = j.at("to_us").get<int64_t>();
    a.seconds = j.value("seconds", 0.0);
    for (const auto& sj : j.at("services")) {
      auto s = service_from(sj);
      for (const auto& c : sj.at("clusters")) s.clusters.push_back(cluster_from(c));
      a.services.push_back(std::move(s));
    }
    return a;
  } catch (const json::exception& e) {
    throw std::runtime_error(fmt::format("cluster analysis: {}", e.what()));
  }
}

void store_clusters(Db& db, const ClusterAnalysis& a) {
  std::vector<StoredClusterRun> runs;
  for (const auto& s : a.services) {
    json sj = service_json(s);
    sj["seconds"] = a.seconds;
    StoredClusterRun r{s.service, int64_t(s.k), s.probes, dump(sj), {}};
    for (const auto& c : s.clusters)
      r.clusters.push_back({int64_t(c.id), c.size, c.nearest_org, c.nearest_distance, dump(cluster_json(c))});
    runs.push_back(std::move(r));
  }
  replace_cluster_runs(db, a.from_us, a.to_us, runs);
}

std::optional<ClusterAnalysis> load_clusters(Db& db, int64_t from_us, int64_t to_us) {
  ClusterAnalysis a;
  a.from_us = from_us;
  a.to_us = to_us;
  try {
    for (const auto& r : cluster_runs(db, from_us, to_us)) {
      json sj = json::parse(r.json);
      a.seconds = sj.value("seconds", 0.0);
      auto s = service_from(sj);
      for (const auto& c : r.clusters) s.clusters.push_back(cluster_from(json::parse(c.json)));
      a.services.push_back(std::move(s));
    }
  } catch (const json::exception& e) {
    throw std::runtime_error(fmt::format("{}: stored cluster analysis unreadable: {}", db.path(), e.what()));
  }
  if (a.services.empty()) return std::nullopt;
  // The service table's order (a name it does not know goes last), whatever order the rows were read in.
  auto rank = [](const std::string& name) {
    auto s = service_from_name(name);
    return s && service_info(*s).has_fields ? static_cast<size_t>(*s) : kServices.size();
  };
  std::stable_sort(a.services.begin(), a.services.end(),
                   [&](const auto& x, const auto& y) { return rank(x.service) < rank(y.service); });
  return a;
}

std::string clusters_table(const ClusterAnalysis& a) {
  std::string out = fmt::format("Unknown-probe clusters, {} .. {} ({:.1f} s)\n", format_ts(a.from_us).substr(0, 10),
                                format_ts(a.to_us).substr(0, 10), a.seconds);
  for (const auto& s : a.services) {
    out += fmt::format("\n{}: {} unknown probes, K = {}", s.service, s.probes, s.k);
    if (!s.model.empty()) out += fmt::format(" (model {})", s.model);
    if (s.fitted_on < s.probes) out += fmt::format(", fitted on a sample of {}", s.fitted_on);
    out += "\n";
    if (!s.note.empty()) out += "  " + term_safe(s.note) + "\n";
    if (!s.candidates.empty()) {
      out += "  K:    ";
      for (int k : s.candidates) out += fmt::format("{:>6}", k);
      out += "\n  share:";
      for (double v : s.share) out += fmt::format("{:>6.2f}", v);
      out += "\n";
    }
    if (s.skipped) out += fmt::format("  {} stored probes skipped (unreadable)\n", s.skipped);
    for (const auto& c : s.clusters) {
      out += fmt::format("  cluster {}: {} probes from {} ips", c.id, c.size, c.ip_count);
      if (!c.nearest_org.empty())  // organisation names come from label files
        out += fmt::format(", nearest known {} at {:.3f} (radius {:.3f})", term_safe(c.nearest_org), c.nearest_distance,
                           c.radius);
      if (c.lookalike_share > 0)
        out += fmt::format(", {:.0f}% predicted {}", 100 * c.lookalike_share, term_safe(c.lookalike_org));
      out += "\n";
      for (const auto* tops : {&c.fields, &c.fingerprints})
        for (const auto& f : *tops) {
          out += fmt::format("    {:<20}", f.field);
          for (const auto& v : f.values) out += fmt::format(" {} ({:.0f}%);", cut(v.value, 40), 100 * v.share);
          out += "\n";
        }
    }
  }
  return out;
}

}  // namespace sg::analysis
