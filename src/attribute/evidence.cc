#include "attribute/evidence.h"

#include <fmt/format.h>

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <climits>
#include <cmath>
#include <tuple>
#include <unordered_set>

#include "aggregate/metrics.h"
#include "features/labels.h"
#include "features/probe_stream.h"
#include "probe/service.h"

namespace sg::attribute {

Nets network_keys(std::string_view ip) {
  std::string text(ip.substr(0, 64));
  unsigned char b[16];
  int narrow = 0, wide = 0;
  uint64_t family = 0;
  if (inet_pton(AF_INET, text.c_str(), b) == 1) {
    narrow = 3, wide = 2, family = 4;
  } else if (inet_pton(AF_INET6, text.c_str(), b) == 1) {
    narrow = 6, wide = 4, family = 6;
  } else {
    return {};
  }
  auto hash = [&](int bytes) {
    uint64_t h = 0x4e4554ULL ^ (family << 32) ^ (uint64_t(bytes) << 40);  // "NET", a family apart from payloads
    for (int i = 0; i < bytes; ++i) h = (h ^ b[i]) * 1099511628211ULL;
    h += 0x9e3779b97f4a7c15ULL;  // splitmix64 finaliser
    h = (h ^ (h >> 30)) * 0xbf58476d1ce4e5b9ULL;
    h = (h ^ (h >> 27)) * 0x94d049bb133111ebULL;
    return (h ^ (h >> 31)) | 1;
  };
  return {hash(narrow), hash(wide)};
}

const char* evidence_kind_name(EvidenceKind k) {
  switch (k) {
    case EvidenceKind::exact_payload:
      return "exact-payload";
    case EvidenceKind::near_payload:
      return "near-payload";
    case EvidenceKind::network:
      return "network";
    case EvidenceKind::learned:
      return "learned";
    case EvidenceKind::public_tool:
      return "public-tool";
    case EvidenceKind::weak:
      return "weak";
    case EvidenceKind::no_match:
      return "no-match";
  }
  return "?";
}

void Senders::add(int cls, int K, int32_t n) {
  if (cls == K) {
    other_labelled += n;
    return;
  }
  if (cls == K + 1) {
    unlabelled += n;
    return;
  }
  for (auto& [c, m] : known)
    if (c == cls) {
      m += n;
      return;
    }
  known.emplace_back(cls, n);
}

void Senders::add(const Senders& o, int32_t factor) {
  for (const auto& [c, m] : o.known) {
    bool found = false;
    for (auto& [d, n] : known)
      if (d == c) {
        n = std::max(0, n + factor * m);
        found = true;
        break;
      }
    if (!found && factor > 0) known.emplace_back(c, factor * m);
  }
  other_labelled = std::max(0, other_labelled + factor * o.other_labelled);
  unlabelled = std::max(0, unlabelled + factor * o.unlabelled);
}

int32_t Senders::of(int cls) const {
  for (const auto& [c, m] : known)
    if (c == cls) return m;
  return 0;
}

int32_t Senders::known_total() const {
  int32_t t = 0;
  for (const auto& kv : known) t += kv.second;
  return t;
}

int32_t Senders::total() const { return known_total() + other_labelled + unlabelled; }

namespace {

// The probe services whose payloads are matched: every service with a field registry.
constexpr size_t kMinCalibrationRows = 30;
// A payload's foreign senders are copies only when the organisation's own new addresses (a Poisson count
// with the mean its training rate predicts) would give that many less than once in a hundred weeks.
constexpr double kCopyLevel = 0.01;

// P(N >= k) for N ~ Poisson(mean).
double poisson_tail(double mean, size_t k) {
  double term = std::exp(-mean), below = 0;
  for (size_t i = 0; i < k; ++i) {
    below += term;
    term *= mean / double(i + 1);
  }
  return std::max(0.0, 1.0 - below);
}

// Whether any field value holds the organisation's name (letters and digits compared, case ignored).
bool names_org(const std::vector<std::string>& labels, const std::string& word) {
  if (word.size() < 4) return false;  // short names match by chance
  for (const auto& l : labels) {
    std::string flat;
    for (char ch : l)
      if (std::isalnum(static_cast<unsigned char>(ch))) flat += char(std::tolower(static_cast<unsigned char>(ch)));
    if (flat.find(word) != std::string::npos) return true;
  }
  return false;
}  // foreign senders of a payload beyond its organisation's own new addresses

bool vote_service(Service s) { return service_info(s).voted; }

struct Contribution {
  KeyHash key;
  int32_t ip;
  int cls;
  bool operator<(const Contribution& o) const { return std::tie(key, ip, cls) < std::tie(o.key, o.ip, o.cls); }
  bool operator==(const Contribution& o) const { return key == o.key && ip == o.ip && cls == o.cls; }
};

// Isotonic regression (pool adjacent violators) of correct ∈ {0,1} on raw; each block's rate is smoothed
// with one right and one wrong pseudo-row, so a block of three right names says 0.8, not 1.0.
std::vector<std::pair<double, double>> isotonic(std::vector<std::pair<double, int>> xy) {
  std::sort(xy.begin(), xy.end());
  struct Block {
    double hi;
    double sum;
    double n;
  };
  std::vector<Block> b;
  for (const auto& [x, y] : xy) {
    b.push_back({x, double(y), 1});
    while (b.size() > 1 && b[b.size() - 2].sum / b[b.size() - 2].n >= b.back().sum / b.back().n) {
      Block top = b.back();
      b.pop_back();
      b.back() = {top.hi, b.back().sum + top.sum, b.back().n + top.n};
    }
  }
  std::vector<std::pair<double, double>> steps;
  for (const auto& k : b) steps.emplace_back(k.hi, (k.sum + 1) / (k.n + 2));
  // Smoothing can break monotonicity between small blocks; keep the steps non-decreasing.
  for (size_t i = 1; i < steps.size(); ++i) steps[i].second = std::max(steps[i].second, steps[i - 1].second);
  return steps;
}

}  // namespace

bool Attributor::keys(const features::ProbeDoc& probe, Service service, ProbeKeys& out) const {
  auto m = makers_.find(service);
  if (m == makers_.end()) return false;
  thread_local std::vector<KeyHash> h, c;
  if (!m->second.field_hashes(probe, h, &c)) return false;
  out.service = service;
  out.whole = whole_key(service, h);
  out.coarse = coarse_key(service, c);
  out.near.resize(h.size());
  // One field apart on the coarse values: a drifted field next to reordered or re-versioned ones still matches.
  for (size_t i = 0; i < c.size(); ++i) out.near[i] = key_without(service, c, i);
  return true;
}

Attributor Attributor::build(Db& db, const std::vector<std::string>& classes, int64_t cut_us,
                             const aggregate::Windows& w, const AttributorOptions& opt) {
  Attributor a;
  a.classes_ = classes;
  a.opt_ = opt;
  a.cut_us_ = cut_us;
  const int K = int(classes.size());
  std::unordered_map<std::string, int> class_of;
  for (int i = 0; i < K; ++i) class_of[features::org_key(classes[size_t(i)])] = i;
  auto eval_unknown = features::eval_unknown_orgs(db);

  std::vector<std::string> class_words;  // each class name as letters and digits only, lower case
  for (const auto& c : classes) {
    std::string word;
    for (char ch : features::org_key(c))
      if (std::isalnum(static_cast<unsigned char>(ch))) word += ch;
    class_words.push_back(word);
  }
  auto& ip_ids = a.ip_ids_;
  std::vector<Contribution> seen;
  struct RowAcc {
    std::unordered_set<KeyHash> have;
    std::vector<ProbeKeys> keys;
    std::map<int, int> labels;  // class → labelled probes in the window
    bool vote = false;
  };
  std::map<std::pair<int64_t, int32_t>, RowAcc> rows;

  for (Service s : features::feature_services()) {
    KeyMaker km = KeyMaker::payload(db, s);
    if (km.fields().empty()) continue;
    a.makers_.emplace(s, std::move(km));
    features::ProbeStream stream(db, s, {std::nullopt, cut_us});
    std::vector<features::ProbeRow> page;
    features::ProbeDoc doc;
    ProbeKeys pk;
    while (stream.next(4096, page)) {
      for (const auto& r : page) {
        if (!doc.parse(r.json) || !a.keys(doc, s, pk)) continue;  // a bad stored record is no evidence
        int cls = K + 1;
        if (!r.org.empty()) {
          std::string org = features::org_key(r.org);
          auto c = class_of.find(org);
          cls = c != class_of.end() && !eval_unknown.count(org) ? c->second : K;
        }
        int32_t ip = ip_ids.emplace(r.src, int32_t(ip_ids.size())).first->second;
        seen.push_back({pk.whole, ip, cls});
        seen.push_back({pk.coarse, ip, cls});
        Nets nets = network_keys(r.src);
        if (nets.narrow) seen.push_back({nets.narrow, ip, cls}), seen.push_back({nets.wide, ip, cls});
        for (KeyHash n : pk.near) seen.push_back({n, ip, cls});
        auto& row = rows[{w.start_of(r.ts_us), ip}];
        if (row.have.insert(pk.whole).second) row.keys.push_back(pk);
        if (cls <= K) ++row.labels[cls];
        // A payload that names its sender's organisation (user agent, URI, DNS name...) claims an identity;
        // copying it would be claiming someone else's, which is what copies of a tool's default do not do.
        if (cls < K && !a.self_naming_.count(pk.whole) &&
            names_org(a.makers_.at(s).field_labels(doc), class_words[size_t(cls)]))
          a.self_naming_.insert(pk.whole), a.self_naming_.insert(pk.coarse);
        row.vote = row.vote || vote_service(s);
      }
    }
  }
  std::sort(seen.begin(), seen.end());
  seen.erase(std::unique(seen.begin(), seen.end()), seen.end());
  // Whole keys and "without field i" keys hash in different families, so one table holds both kinds;
  // exact_ and near_ are the same counts read through different keys.
  for (const auto& c : seen) {
    a.exact_[c.key].add(c.cls, K, 1);
    a.contributions_[c.ip].emplace_back(c.key, c.cls);
  }
  for (auto& [ip, v] : a.contributions_) std::sort(v.begin(), v.end());

  std::vector<std::string> ip_text(ip_ids.size());
  for (const auto& [text, id] : ip_ids) ip_text[size_t(id)] = text;
  std::vector<TrainRow> train;
  for (auto& [key, row] : rows) {
    if (!row.vote) continue;
    int truth = K + 1, n = 0;  // unlabelled unless a label says otherwise
    for (const auto& [c, m] : row.labels)
      if (m > n) truth = c, n = m;
    train.push_back({std::move(row.keys), network_keys(ip_text[size_t(key.second)]), key.second, truth});
  }
  a.fit(train);
  return a;
}

Senders Attributor::exact(KeyHash k, int32_t loo_ip) const {
  Senders s;
  auto it = exact_.find(k);
  if (it == exact_.end()) return s;
  s = it->second;
  if (loo_ip >= 0) {
    auto c = contributions_.find(loo_ip);
    if (c != contributions_.end()) {
      const int K = int(classes_.size());
      auto lo = std::lower_bound(c->second.begin(), c->second.end(), std::make_pair(k, INT32_MIN));
      for (; lo != c->second.end() && lo->first == k; ++lo) s.add(lo->second, K, -1);
    }
  }
  return s;
}

Senders Attributor::near(const ProbeKeys& k, int32_t loo_ip) const {
  Senders s;
  for (KeyHash n : k.near) s.add(exact(n, loo_ip));
  return s;
}

struct Attributor::Candidates {
  // The payload candidate: the best class of the noisy-OR over the ip's keys.
  int cls = -1;
  int level = 3;
  double raw = 0;
  Senders ev;  // the senders of its strongest key
  const ProbeKeys* key = nullptr;
  // The network candidate: a class some payload of the ip supports, by its share of the /24's ips.
  // The network candidates, narrow and wide: a class some payload of the ip supports, by its share of
  // the network's ips in training.
  int net_cls[2] = {-1, -1};
  double net_raw[2] = {0, 0};
  Senders net_ev[2];
  // For unknown rows: why.
  bool any_known = false;
  const ProbeKeys* tool_key = nullptr;
  Senders tool_ev;
  std::vector<int> service_best;
};

Attributor::Candidates Attributor::candidates(const std::vector<ProbeKeys>& keys, const Nets& nets, int32_t loo_ip,
                                              bool unseen, int32_t net_loo) const {
  if (net_loo == -2) net_loo = loo_ip;
  const int K = int(classes_.size());
  const double beta = opt_.smoothing;
  Candidates c;
  c.service_best.assign(size_t(Service::other) + 1, -1);
  std::vector<double> miss(size_t(K), 1.0);  // Π (1 - p) per class
  std::vector<int> level(size_t(K), 3);      // the most specific level that supported the class
  std::vector<double> best_p(size_t(K), 0.0);
  std::vector<Senders> best_ev(static_cast<size_t>(K));
  std::vector<const ProbeKeys*> best_key(size_t(K), nullptr);
  for (const auto& pk : keys) {
    // The most specific level with senders. Unseen: as if no one had sent this exact payload before,
    // which every sender of it would be missing from the coarse and near counts too.
    int lv = 0;
    Senders own = exact(pk.whole, loo_ip);
    Senders e = own;
    if (unseen || e.total() <= 0) {
      lv = 1;
      e = exact(pk.coarse, loo_ip);
      if (unseen) e.add(own, -1);
      if (e.total() <= 0) {
        lv = 2;
        e = near(pk, loo_ip);
        if (unseen) e.add(own, -int32_t(pk.near.size()));
      }
    }
    if (e.total() <= 0) continue;
    double denom = e.total() + beta;
    int sbest = -1;
    int32_t sn = 0;
    for (const auto& [k, n] : e.known) {
      if (n <= 0) continue;
      double p = n / denom;
      miss[size_t(k)] *= 1 - p;
      level[size_t(k)] = std::min(level[size_t(k)], lv);
      if (p > best_p[size_t(k)]) best_p[size_t(k)] = p, best_ev[size_t(k)] = e, best_key[size_t(k)] = &pk;
      if (n > sn) sbest = k, sn = n;
      c.any_known = true;
    }
    if (sbest >= 0) {
      auto& sb = c.service_best[size_t(pk.service)];
      if (sb < 0) sb = sbest;
    }
    // Known organisations among its senders, but as many ips outside them: a shared default.
    if (e.known_total() > 0 && e.unlabelled + e.other_labelled >= e.known_total() &&
        (!c.tool_key || e.total() > c.tool_ev.total()))
      c.tool_key = &pk, c.tool_ev = e;
  }
  for (int k = 0; k < K; ++k)
    if (1 - miss[size_t(k)] > c.raw) c.cls = k, c.raw = 1 - miss[size_t(k)];
  if (c.cls >= 0) {
    c.level = level[size_t(c.cls)];
    c.ev = best_ev[size_t(c.cls)];
    c.key = best_key[size_t(c.cls)];
  }
  for (int g = 0; g < 2 && opt_.network && nets.narrow; ++g) {
    Senders ne = exact(g == 0 ? nets.narrow : nets.wide, net_loo);
    double denom = ne.total() + beta;
    for (const auto& [k, n] : ne.known)
      if (n > 0 && miss[size_t(k)] < 1 && n / denom > c.net_raw[g])
        c.net_cls[g] = k, c.net_raw[g] = n / denom, c.net_ev[g] = ne;
  }
  return c;
}

IpDecision Attributor::decide(const Candidates& c, const Nets* nets, const WindowSenders* window,
                              int64_t window_start) const {
  IpDecision d;
  d.service_best = c.service_best;
  d.raw = c.raw;
  static const char* kWhat[] = {"its", "a version or order variant of its", "a one-field variant of its"};
  double payload_conf = c.cls >= 0 ? calibrate(c.level, c.raw) : 0;
  double net_conf[2] = {c.net_cls[0] >= 0 ? calibrate(3, c.net_raw[0]) : 0,
                        c.net_cls[1] >= 0 ? calibrate(4, c.net_raw[1]) : 0};
  // Outside every network of the organisation, while the payload's senders from outside its networks
  // outnumber what its own new addresses explain: a copy.
  double copied = 1;
  size_t outside = 0;
  if (c.cls >= 0 && payload_conf >= theta_ && window && nets && nets->wide && exact(nets->wide, -1).of(c.cls) == 0 &&
      !self_naming_.count(c.key->whole) && !self_naming_.count(c.key->coarse))
    copied = explained_outside(c.cls, c.key->whole, *window, window_start, &outside);
  if (c.cls >= 0 && payload_conf * copied < theta_ && payload_conf >= theta_) {
    d.confidence = 1 - payload_conf * copied;
    d.kind = EvidenceKind::public_tool;
    d.reason = fmt::format(
        "{} {} payload is {}'s, but {} ip(s) outside its networks sent it in this window, more "
        "than its own new addresses explain: copied",
        kWhat[c.level], service_name(c.key->service), classes_[size_t(c.cls)], outside);
    return d;
  }
  if (c.cls >= 0 && payload_conf >= theta_) {
    payload_conf *= copied;
    d.cls = c.cls;
    d.level = c.level;
    d.confidence = payload_conf;
    d.kind = c.level == 0 ? EvidenceKind::exact_payload : EvidenceKind::near_payload;
    d.reason = fmt::format("{} {} payload seen before from {} listed {} ip(s), {} other listed and {} unlisted",
                           kWhat[c.level], service_name(c.key->service), c.ev.of(c.cls), classes_[size_t(c.cls)],
                           c.ev.known_total() - c.ev.of(c.cls) + c.ev.other_labelled, c.ev.unlabelled);
    return d;
  }
  for (int g = 0; g < 2; ++g) {
    if (c.net_cls[g] < 0 || net_conf[g] < theta_) continue;
    const Senders& ne = c.net_ev[g];
    d.cls = c.net_cls[g];
    d.level = 3 + g;
    d.raw = c.net_raw[g];
    d.confidence = net_conf[g];
    d.kind = EvidenceKind::network;
    d.reason = fmt::format(
        "it sends payloads {} sends, from a {} where {} listed {} ip(s) scanned before ({} other "
        "listed, {} unlisted)",
        classes_[size_t(d.cls)], g == 0 ? "/24 (/48)" : "/16 (/32)", ne.of(d.cls), classes_[size_t(d.cls)],
        ne.known_total() - ne.of(d.cls) + ne.other_labelled, ne.unlabelled);
    return d;
  }
  // Unknown: the confidence is that of "no known organisation".
  d.confidence = 1.0 - std::max({payload_conf, net_conf[0], net_conf[1]});
  if (c.tool_key) {
    d.kind = EvidenceKind::public_tool;
    d.reason = fmt::format(
        "its {} payload is also sent by {} unlisted and {} other listed ip(s) besides {} of "
        "known organisations: a public tool's default",
        service_name(c.tool_key->service), c.tool_ev.unlabelled, c.tool_ev.other_labelled, c.tool_ev.known_total());
  } else if (c.any_known) {
    d.kind = EvidenceKind::weak;
    d.reason = c.cls >= 0 ? fmt::format(
                                "{} {} payload is also sent by {} listed {} ip(s), too few for a name "
                                "(confidence {:.2f}, below {:.2f})",
                                kWhat[c.level], service_name(c.key->service), c.ev.of(c.cls), classes_[size_t(c.cls)],
                                payload_conf, theta_)
                          : "too little evidence";
  } else {
    d.kind = EvidenceKind::no_match;
    d.reason = "no payload like its own was seen from a known organisation";
  }
  return d;
}

double Attributor::calibrate(int level, double raw) const {
  const auto& steps = calib_[std::clamp(level, 0, kLevels - 1)];
  if (steps.empty()) return level > 0 ? raw * 0.5 : raw;  // no training rows at all: be modest
  for (const auto& [hi, y] : steps)
    if (raw <= hi) return y;
  return steps.back().second;
}

void Attributor::fit(const std::vector<TrainRow>& rows) {
  const int K = int(classes_.size());
  // Calibration rows: every training (window, ip), each ip scored without its own probes in the counts
  // (its own network membership too). A name for an unlabelled ip counts as wrong: on the evaluation's
  // terms it is (the ip belongs to no known organisation, or to one no list names), and in real data it
  // makes the confidence a lower bound. The variant levels are measured by pretending each payload of the
  // row had never been seen (leave-one-key-out); the network level on the rows the payload levels leave
  // without a name at the floor.
  std::vector<std::pair<double, int>> xy[kLevels];
  std::vector<Candidates> cs;
  cs.reserve(rows.size());
  for (const auto& r : rows) {
    cs.push_back(candidates(r.keys, r.nets, r.ip, false));
    const auto& c = cs.back();
    if (c.cls >= 0) xy[c.level].emplace_back(c.raw, c.cls == r.truth);
    auto u = candidates(r.keys, r.nets, r.ip, true);
    if (u.cls >= 0) xy[u.level].emplace_back(u.raw, u.cls == r.truth);
  }
  // A level with too few rows to measure borrows the curve of the more specific level above it: a
  // version or order variant of a payload is taken to be about as telling as the payload itself.
  for (int l = 0; l < 3; ++l) calib_[l] = l > 0 && xy[l].size() < kMinCalibrationRows ? calib_[l - 1] : isotonic(xy[l]);
  for (size_t i = 0; i < rows.size(); ++i) {
    const auto& c = cs[i];
    if (c.cls >= 0 && calibrate(c.level, c.raw) >= opt_.min_threshold) continue;
    if (c.net_cls[0] >= 0) xy[3].emplace_back(c.net_raw[0], c.net_cls[0] == rows[i].truth);
  }
  calib_[3] = isotonic(xy[3]);  // no borrowing: a network is not a payload
  for (size_t i = 0; i < rows.size(); ++i) {
    const auto& c = cs[i];
    if (c.cls >= 0 && calibrate(c.level, c.raw) >= opt_.min_threshold) continue;
    if (c.net_cls[0] >= 0 && calibrate(3, c.net_raw[0]) >= opt_.min_threshold) continue;
    if (c.net_cls[1] >= 0) xy[4].emplace_back(c.net_raw[1], c.net_cls[1] == rows[i].truth);
  }
  calib_[4] = isotonic(xy[4]);
  // How often a listed ip of each organisation scanned from a /16 (/32) where no other listed ip of it had.
  std::vector<double> novel(size_t(K), 0), seen_rows(size_t(K), 0);
  for (const auto& r : rows)
    if (r.truth < K && r.nets.wide) {
      seen_rows[size_t(r.truth)] += 1;
      novel[size_t(r.truth)] += exact(r.nets.wide, r.ip).of(r.truth) == 0;
    }
  new_network_rate_.assign(size_t(K), 0);
  for (int k = 0; k < K; ++k) new_network_rate_[size_t(k)] = (novel[size_t(k)] + 1) / (seen_rows[size_t(k)] + 2);
  // θ on the labelled rows, as the paper searches it (truth K = unknown); never under the floor.
  std::vector<int> truth, pred;
  std::vector<size_t> labelled;
  for (size_t i = 0; i < rows.size(); ++i)
    if (rows[i].truth <= K) labelled.push_back(i), truth.push_back(rows[i].truth);
  auto predict = [&](double t) {
    theta_ = t;
    pred.clear();
    for (size_t i : labelled) {
      int c = decide(cs[i]).cls;
      pred.push_back(c < 0 ? K : c);
    }
    return truth.empty() ? 0.0 : aggregate::weighted_f1(truth, pred, K + 1);
  };
  double best_f1 = -1, best_t = 0;
  for (int t = 0; t <= 100; ++t) {
    double f1 = predict(t / 100.0);
    if (f1 >= best_f1) best_f1 = f1, best_t = t / 100.0;  // ties: the higher θ names fewer
  }
  train_f1_ = predict(std::max(opt_.min_threshold, best_t));
  train_rows_ = rows.size();
}

void WindowSenders::add(int64_t window, KeyHash whole, KeyHash wide_net) {
  nets_[whole ^ (uint64_t(window) * 0x9e3779b97f4a7c15ULL)].push_back(wide_net);
}

const std::vector<KeyHash>* WindowSenders::of(int64_t window, KeyHash whole) const {
  auto it = nets_.find(whole ^ (uint64_t(window) * 0x9e3779b97f4a7c15ULL));
  return it == nets_.end() ? nullptr : &it->second;
}

std::vector<WindowIp> window_keys(Db& db, const Attributor& a, const aggregate::Windows& w, int64_t from_us,
                                  int64_t to_us, WindowSenders* senders) {
  std::map<std::pair<int64_t, std::string>, std::pair<std::unordered_set<KeyHash>, WindowIp>> acc;
  for (Service s : features::feature_services()) {
    features::ProbeStream stream(db, s, {from_us, to_us});
    std::vector<features::ProbeRow> page;
    features::ProbeDoc doc;
    ProbeKeys pk;
    while (stream.next(4096, page))
      for (const auto& r : page) {
        if (!doc.parse(r.json) || !a.keys(doc, s, pk)) continue;
        auto& [have, row] = acc[{w.start_of(r.ts_us), r.src}];
        if (!row.nets.narrow) row.nets = network_keys(r.src);
        if (have.insert(pk.whole).second) row.keys.push_back(pk);
        row.vote = row.vote || vote_service(s);
      }
  }
  std::vector<WindowIp> out;
  for (auto& [key, v] : acc) {
    if (senders)
      for (const auto& pk : v.second.keys) senders->add(key.first, pk.whole, v.second.nets.wide);
    if (!v.second.vote) continue;
    v.second.window = key.first;
    v.second.ip = key.second;
    out.push_back(std::move(v.second));
  }
  return out;
}

IpDecision Attributor::decide(const std::vector<ProbeKeys>& keys, const Nets& nets, const WindowSenders* window,
                              int64_t window_start) const {
  return decide(candidates(keys, nets, -1, false), &nets, window, window_start);
}

IpDecision Attributor::decide(const WindowIp& row, const WindowSenders* window) const {
  auto id = ip_ids_.find(row.ip);
  int32_t self = id == ip_ids_.end() ? -1 : id->second;
  return decide(candidates(row.keys, row.nets, -1, false, self), &row.nets, window, row.window);
}

double Attributor::explained_outside(int cls, KeyHash whole, const WindowSenders& window, int64_t window_start,
                                     size_t* outside) const {
  const auto* nets = window.of(window_start, whole);
  size_t in = 0, out = 0;
  if (nets)
    for (KeyHash n : *nets) (exact(n, -1).of(cls) > 0 ? in : out) += 1;
  *outside = out;
  double r = cls < int(new_network_rate_.size()) ? new_network_rate_[size_t(cls)] : 0.5;
  // Its own senders this window ≈ in / (1 - r), of whom r come from new networks. A few senders beyond
  // that prove nothing (a payload seen once, from this very ip, is no copy).
  double own_outside = r * double(in) / std::max(1e-9, 1 - r);
  if (out < 2 || poisson_tail(own_outside, out) >= kCopyLevel) return 1.0;
  return std::min(1.0, (own_outside + 1) / (double(out) + 1));
}

std::pair<int, double> Attributor::probe_class(const ProbeKeys& k) const {
  auto d = decide(candidates({k}, Nets{}, -1, false));
  return {d.cls, d.cls < 0 ? 0.0 : d.confidence};
}

}  // namespace sg::attribute
