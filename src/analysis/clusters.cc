#include "analysis/clusters.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <limits>
#include <map>
#include <random>
#include <unordered_map>

#include "aggregate/window.h"
#include "analysis/kmeans.h"
#include "analysis/tsne.h"
#include "features/feature_store.h"
#include "features/registry.h"
#include "probe/service.h"
#include "storage/analysis_queries.h"
#include "storage/prediction_store.h"
#include "storage/scanner_store.h"
#include "storage/window_settings.h"

namespace sg::analysis {

namespace {

constexpr uint32_t kAbsent = std::numeric_limits<uint32_t>::max();
constexpr size_t kMaxValueBytes = 160;  // long values (header lists, URIs) are cut for display

// Distinct values of one field, each stored once; probes hold indices.
struct Interner {
  std::unordered_map<std::string, uint32_t> ids;
  std::vector<std::string> values;
  uint32_t id(std::string v) {
    if (v.size() > kMaxValueBytes) v = v.substr(0, kMaxValueBytes) + "...";
    auto [it, added] = ids.emplace(v, uint32_t(values.size()));
    if (added) values.push_back(std::move(v));
    return it->second;
  }
};

// What analysts paste into a search engine, read straight from the export-contract keys.
std::vector<std::pair<std::string, const char*>> fingerprint_keys(const std::string& service) {
  if (service == "tls") return {{"ja3_hash", "ja3_hash"}, {"ja4", "ja4"}, {"sni", "sni"}};
  if (service == "http") return {{"user_agent", "user_agent"}};
  if (service == "ssh") return {{"hassh", "hassh"}, {"banner", "banner"}};
  if (service == "dns") return {{"qname", "qname"}};
  return {};
}

// Fingerprints that are not already among the selected fields.
std::vector<std::pair<std::string, const char*>> fingerprints_for(const ServiceClusters& s) {
  std::vector<std::pair<std::string, const char*>> out;
  for (auto& fp : fingerprint_keys(s.service))
    if (std::find(s.selected_fields.begin(), s.selected_fields.end(), fp.first) == s.selected_fields.end())
      out.push_back(fp);
  return out;
}

struct UnknownRows {
  std::vector<float> features;
  int dim = 0;
  std::vector<uint32_t> ip;  // index into ips
  std::vector<int64_t> ts;
  std::vector<uint32_t> lookalike;  // index into orgs, kAbsent when the probe was predicted unknown
  std::vector<uint32_t> values;     // rows × columns, kAbsent when the field is absent
  size_t rows() const { return ts.size(); }
};

struct KnownSample {
  std::vector<float> feature;
  std::string org;
};

struct Gathered {
  UnknownRows unknown;
  Interner ips, orgs;
  std::vector<Interner> columns;                                                 // selected fields, then fingerprints
  std::map<std::string, std::pair<std::vector<double>, int64_t>> centroid_sums;  // org → (sum, n)
  std::vector<KnownSample> known_sample;
  int64_t known = 0;
};

void gather(Db& db, ServiceClusters& out, int64_t from_us, int64_t to_us, const ClusterOptions& o, Gathered& g) {
  Service svc = *service_from_name(out.service);
  std::vector<const features::FieldSpec*> specs;
  for (const auto& name : out.selected_fields)
    if (auto* f = features::find_field(svc, name)) specs.push_back(f);
  auto fps = fingerprints_for(out);
  g.columns.resize(specs.size() + fps.size());
  std::mt19937_64 rng(o.seed ^ 0x6b6e6f776eULL);
  features::ProbeDoc doc;
  auto& u = g.unknown;
  for_each_scanned_prediction(db, out.service, from_us, to_us, [&](const ScannedPrediction& s) {
    bool unknown_ip = s.scanner_org == "unknown";
    if (s.model != out.model) {
      out.other_model += unknown_ip;
      return;
    }
    int dim = int(s.feature.size() / sizeof(float));
    if (dim == 0 || (u.dim && dim != u.dim)) {
      ++out.skipped;
      if (out.skip_examples.size() < 5)
        out.skip_examples.push_back(fmt::format("probe {}: feature of {} values", s.probe_id, dim));
      return;
    }
    u.dim = dim;
    std::vector<float> f(dim);
    std::memcpy(f.data(), s.feature.data(), size_t(dim) * sizeof(float));
    const std::string& pred = s.org;
    if (!unknown_ip) {
      if (pred == "unknown") return;
      auto& [sum, n] = g.centroid_sums[pred];
      sum.resize(dim, 0.0);
      for (int d = 0; d < dim; ++d) sum[d] += f[d];
      ++n;
      // Reservoir sample for the map: every known probe equally likely, memory bounded.
      ++g.known;
      if (int(g.known_sample.size()) < o.map_points) {
        g.known_sample.push_back({std::move(f), s.scanner_org});
      } else {
        auto j = std::uniform_int_distribution<int64_t>(0, g.known - 1)(rng);
        if (j < o.map_points) g.known_sample[size_t(j)] = {std::move(f), s.scanner_org};
      }
      return;
    }
    if (!doc.parse(s.json)) {
      ++out.skipped;
      if (out.skip_examples.size() < 5)
        out.skip_examples.push_back(fmt::format("probe {}: not a JSON object", s.probe_id));
      return;
    }
    u.features.insert(u.features.end(), f.begin(), f.end());
    u.ip.push_back(g.ips.id(s.ip));
    u.ts.push_back(s.ts_us);
    u.lookalike.push_back(pred == "unknown" ? kAbsent : g.orgs.id(pred));
    for (size_t c = 0; c < specs.size(); ++c) {
      auto v = features::extract_field(*specs[c], doc, svc);
      u.values.push_back(v.present ? g.columns[c].id(v.label) : kAbsent);
    }
    const auto* section = doc.section(out.service.c_str());
    for (size_t c = 0; c < fps.size(); ++c) {
      auto v = features::get_string(section, fps[c].second);
      u.values.push_back(v && !v->empty() ? g.columns[specs.size() + c].id(std::string(*v)) : kAbsent);
    }
  });
  out.known_probes = g.known;
}

Matrix rows_of(const std::vector<float>& flat, int dim, const std::vector<int>& idx) {
  Matrix m(int(idx.size()), dim);
  for (size_t i = 0; i < idx.size(); ++i)
    std::copy(flat.begin() + size_t(idx[i]) * dim, flat.begin() + size_t(idx[i] + 1) * dim, m.row(int(i)));
  return m;
}

int nearest(const float* x, const Matrix& c) {
  int best = 0;
  double bd = std::numeric_limits<double>::max();
  for (int j = 0; j < c.rows; ++j) {
    double d = sq_dist(x, c.row(j), c.cols);
    if (d < bd) bd = d, best = j;
  }
  return best;
}

std::vector<ValueShare> top_values(const std::unordered_map<uint32_t, int64_t>& counts, const Interner& in,
                                   int64_t size, int top) {
  std::vector<std::pair<uint32_t, int64_t>> v(counts.begin(), counts.end());
  std::sort(v.begin(), v.end(), [&](const auto& a, const auto& b) {
    if (a.second != b.second) return a.second > b.second;
    auto name = [&](uint32_t id) { return id == kAbsent ? std::string() : in.values[id]; };
    return name(a.first) < name(b.first);
  });
  if (int(v.size()) > top) v.resize(size_t(top));
  std::vector<ValueShare> out;
  for (const auto& [id, n] : v) out.push_back({id == kAbsent ? "(absent)" : in.values[id], n, double(n) / size});
  return out;
}

void describe(ServiceClusters& out, const Gathered& g, const Matrix& x, const KMeansResult& km,
              const std::vector<int>& assign, const ClusterOptions& o) {
  const auto& u = g.unknown;
  const int k = km.k;
  const size_t cols = g.columns.size();
  std::vector<Cluster> cl(static_cast<size_t>(k));
  std::vector<std::vector<std::unordered_map<uint32_t, int64_t>>> counts(
      static_cast<size_t>(k), std::vector<std::unordered_map<uint32_t, int64_t>>(cols));
  std::vector<std::map<uint32_t, MemberIp>> ips(static_cast<size_t>(k));
  std::vector<std::map<uint32_t, int64_t>> look(static_cast<size_t>(k));
  std::vector<double> sq(size_t(k), 0.0);
  for (size_t i = 0; i < u.rows(); ++i) {
    int c = assign[i];
    ++cl[c].size;
    for (size_t f = 0; f < cols; ++f) ++counts[c][f][u.values[i * cols + f]];
    auto& m = ips[c][u.ip[i]];
    if (m.probes++ == 0) m.first_us = m.last_us = u.ts[i];
    m.first_us = std::min(m.first_us, u.ts[i]);
    m.last_us = std::max(m.last_us, u.ts[i]);
    if (u.lookalike[i] != kAbsent) ++look[c][u.lookalike[i]];
    sq[c] += sq_dist(x.row(int(i)), km.centroids.row(c), x.cols);
  }
  // Known-organisation centroids, for "which known organisation does this cluster resemble".
  std::vector<std::pair<std::string, std::vector<float>>> known;
  for (const auto& [org, sn] : g.centroid_sums) {
    std::vector<float> c(sn.first.size());
    for (size_t d = 0; d < c.size(); ++d) c[d] = float(sn.first[d] / sn.second);
    known.emplace_back(org, std::move(c));
  }
  const size_t nsel = out.selected_fields.size();
  auto fps = fingerprints_for(out);
  for (int c = 0; c < k; ++c) {
    Cluster& cc = cl[c];
    cc.id = c;
    if (cc.size == 0) continue;
    for (size_t f = 0; f < cols; ++f) {
      FieldTop t{f < nsel ? out.selected_fields[f] : fps[f - nsel].first,
                 top_values(counts[c][f], g.columns[f], cc.size, o.top_values)};
      (f < nsel ? cc.fields : cc.fingerprints).push_back(std::move(t));
    }
    cc.ip_count = int64_t(ips[c].size());
    for (auto& [id, m] : ips[c]) {
      m.ip = g.ips.values[id];
      cc.ips.push_back(m);
    }
    std::stable_sort(cc.ips.begin(), cc.ips.end(), [](const auto& a, const auto& b) { return a.probes > b.probes; });
    if (int(cc.ips.size()) > o.top_ips) cc.ips.resize(size_t(o.top_ips));
    cc.radius = std::sqrt(sq[c] / cc.size);
    double best = std::numeric_limits<double>::max();
    for (const auto& [org, cen] : known) {
      double d = std::sqrt(sq_dist(km.centroids.row(c), cen.data(), x.cols));
      if (d < best) best = d, cc.nearest_org = org, cc.nearest_distance = d;
    }
    int64_t looks = 0, top = 0;
    for (const auto& [org, n] : look[c]) {
      looks += n;
      if (n > top) top = n, cc.lookalike_org = g.orgs.values[org];
    }
    cc.lookalike_share = double(looks) / cc.size;
  }
  // Largest first, renumbered, so cluster 0 is the one to read first.
  std::vector<int> order(static_cast<size_t>(k));
  for (int c = 0; c < k; ++c) order[c] = c;
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return cl[a].size > cl[b].size; });
  for (int c : order) {
    if (cl[c].size == 0) continue;
    cl[c].id = int(out.clusters.size());
    out.clusters.push_back(std::move(cl[c]));
  }
  out.k = int(out.clusters.size());
}

// Maps old cluster numbers to the renumbered ones (largest first) for the map's colours.
std::vector<int> renumbering(const std::vector<int>& assign, int k) {
  std::vector<int64_t> size(static_cast<size_t>(k), 0);
  for (int a : assign) ++size[a];
  std::vector<int> order(static_cast<size_t>(k));
  for (int c = 0; c < k; ++c) order[c] = c;
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return size[a] > size[b]; });
  std::vector<int> to(static_cast<size_t>(k), -1);
  int next = 0;
  for (int c : order)
    if (size[c]) to[c] = next++;
  return to;
}

void build_map(ServiceClusters& out, const Gathered& g, const std::vector<int>& assign, int k,
               const ClusterOptions& o) {
  const auto& u = g.unknown;
  if (o.map_points < 2) return;
  int n_unknown = int(u.rows()), n_known = int(g.known_sample.size());
  int want_known = std::min(n_known, std::max(o.map_points / 2, o.map_points - n_unknown));
  int want_unknown = std::min(n_unknown, o.map_points - want_known);
  auto ui = sample_rows(n_unknown, want_unknown, o.seed + 11);
  auto ki = sample_rows(n_known, want_known, o.seed + 13);
  if (ui.size() + ki.size() < 2) return;
  Matrix x(int(ui.size() + ki.size()), u.dim);
  for (size_t i = 0; i < ui.size(); ++i)
    std::copy(u.features.begin() + size_t(ui[i]) * u.dim, u.features.begin() + size_t(ui[i] + 1) * u.dim,
              x.row(int(i)));
  for (size_t i = 0; i < ki.size(); ++i)
    std::copy(g.known_sample[ki[i]].feature.begin(), g.known_sample[ki[i]].feature.end(), x.row(int(ui.size() + i)));
  TsneOptions to;
  to.seed = o.seed;
  to.iterations = o.map_iterations;
  auto y = tsne(x, to);
  auto renum = renumbering(assign, k);
  for (int i = 0; i < y.rows; ++i) {
    MapPoint p{y.row(i)[0], y.row(i)[1], -1, "unknown"};
    if (size_t(i) < ui.size())
      p.cluster = renum[assign[ui[i]]];
    else
      p.org = g.known_sample[ki[i - ui.size()]].org;
    out.map.push_back(std::move(p));
  }
}

ServiceClusters analyse_service(Db& db, const std::string& service, int64_t from_us, int64_t to_us,
                                const ClusterOptions& o) {
  ServiceClusters out;
  out.service = service;
  out.model = dominant_model(db, service, from_us, to_us);
  if (auto sel = features::load_selection(db, *service_from_name(service))) out.selected_fields = sel->selected;
  Gathered g;
  gather(db, out, from_us, to_us, o, g);
  const auto& u = g.unknown;
  out.probes = int64_t(u.rows());
  if (u.rows() == 0) {
    out.note = "no probe of an unknown ip in this range";
    return out;
  }
  std::vector<int> all(u.rows());
  for (size_t i = 0; i < all.size(); ++i) all[i] = int(i);
  Matrix x = rows_of(u.features, u.dim, all);
  // Above max_fit_rows, K is chosen and the centroids fitted on a seeded sample; every row is then
  // assigned to its nearest centroid, which keeps the cost flat however many probes stayed unknown.
  auto fit_idx = sample_rows(x.rows, o.max_fit_rows, o.seed);
  Matrix fit = int(fit_idx.size()) == x.rows ? x : rows_of(u.features, u.dim, fit_idx);
  out.fitted_on = fit.rows;
  KChoice choice = choose_k(fit, o.seed, o.kmin, o.kmax, o.silhouette_sample, o.restarts);
  out.candidates = choice.candidates;
  out.share = choice.share;
  out.mean_silhouette = choice.mean_silhouette;
  std::vector<int> assign(size_t(x.rows));
  for (int i = 0; i < x.rows; ++i) assign[i] = nearest(x.row(i), choice.result.centroids);
  if (x.rows <= o.kmin) out.note = fmt::format("only {} probes: too few to choose K, one cluster", x.rows);
  describe(out, g, x, choice.result, assign, o);
  build_map(out, g, assign, choice.result.k, o);
  return out;
}

}  // namespace

bool has_probes_table(Db& db) { return db.has_table("probes"); }

std::pair<int64_t, int64_t> whole_windows(Db& db, int64_t from_us, int64_t to_us) {
  WindowSettings stored = window_settings(db);
  aggregate::Windows w;
  w.anchor_us = stored.anchor_us.value_or(aggregate::kDefaultAnchorUs);
  w.length_us = stored.length_us.value_or(aggregate::kWeekUs);
  return aggregate::whole_windows(w, from_us, to_us);
}

ClusterAnalysis analyse_unknowns(Db& db, int64_t from_us, int64_t to_us, const ClusterOptions& o) {
  auto start = std::chrono::steady_clock::now();
  ClusterAnalysis a;
  std::tie(a.from_us, a.to_us) = whole_windows(db, from_us, to_us);
  if (!has_probes_table(db)) return a;
  PredictionStore ensure_predictions(db);
  ScannerStore ensure_scanners(db);
  features::ensure_feature_tables(db);
  std::vector<std::string> present = predicted_services(db, a.from_us, a.to_us);
  for (const auto& svc : kServices)
    if (svc.has_fields && std::find(present.begin(), present.end(), svc.name) != present.end())
      a.services.push_back(analyse_service(db, svc.name, a.from_us, a.to_us, o));
  a.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return a;
}

}  // namespace sg::analysis
