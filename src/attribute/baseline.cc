#include "attribute/baseline.h"

#include "features/labels.h"
#include "features/probe_stream.h"
#include "probe/service.h"

namespace sg::attribute {

namespace {

const std::vector<Service> kVote = voted_services();

}  // namespace

ExactBaseline ExactBaseline::build(Db& db, const std::vector<std::string>& classes, int64_t cut_us) {
  ExactBaseline b;
  b.classes_ = classes;
  const int K = int(classes.size());
  std::unordered_map<std::string, int> class_of;
  for (int i = 0; i < K; ++i) class_of[features::org_key(classes[size_t(i)])] = i;
  auto eval_unknown = features::eval_unknown_orgs(db);
  std::unordered_map<KeyHash, std::vector<int>> counts;
  std::vector<KeyHash> h;
  for (Service s : kVote) {
    KeyMaker km = KeyMaker::selected(db, s);
    if (km.fields().empty()) continue;
    features::ProbeStream stream(db, s, {std::nullopt, cut_us}, /*labelled_only=*/true);
    std::vector<features::ProbeRow> page;
    features::ProbeDoc doc;
    while (stream.next(4096, page))
      for (const auto& r : page) {
        if (!doc.parse(r.json) || !km.field_hashes(doc, h)) continue;
        std::string org = features::org_key(r.org);
        auto c = class_of.find(org);
        int cls = c != class_of.end() && !eval_unknown.count(org) ? c->second : K;
        auto& v = counts[whole_key(s, h)];
        v.resize(size_t(K) + 1);
        ++v[size_t(cls)];
      }
    b.makers_.emplace(s, std::move(km));
  }
  for (const auto& [k, v] : counts) {
    int best = K, n = 0;
    for (int c = 0; c <= K; ++c)
      if (v[size_t(c)] > n) best = c, n = v[size_t(c)];
    b.table_[k] = best;
  }
  return b;
}

int ExactBaseline::probe_class(const features::ProbeDoc& probe, Service s) const {
  auto m = makers_.find(s);
  if (m == makers_.end()) return -1;
  thread_local std::vector<KeyHash> h;
  if (!m->second.field_hashes(probe, h)) return -1;
  auto it = table_.find(whole_key(s, h));
  if (it == table_.end() || it->second == int(classes_.size())) return -1;
  return it->second;
}

std::map<std::pair<int64_t, std::string>, int> ExactBaseline::ip_classes(Db& db, const aggregate::Windows& w,
                                                                         int64_t from_us, int64_t to_us) const {
  const int K = int(classes_.size());
  std::map<std::pair<int64_t, std::string>, std::vector<int>> votes;
  for (Service s : kVote) {
    features::ProbeStream stream(db, s, {from_us, to_us});
    std::vector<features::ProbeRow> page;
    features::ProbeDoc doc;
    while (stream.next(4096, page))
      for (const auto& r : page) {
        if (!doc.parse(r.json)) continue;
        int c = probe_class(doc, s);
        auto& v = votes[{w.start_of(r.ts_us), r.src}];
        v.resize(size_t(K) + 1);
        ++v[size_t(c < 0 ? K : c)];
      }
  }
  std::map<std::pair<int64_t, std::string>, int> out;
  for (const auto& [key, v] : votes) {
    int best = K, n = 0;
    for (int c = 0; c < K; ++c)  // organisations first: a tie with unknown goes to the organisation
      if (v[size_t(c)] > n) best = c, n = v[size_t(c)];
    if (v[size_t(K)] > n) best = K;
    out[key] = best == K ? -1 : best;
  }
  return out;
}

}  // namespace sg::attribute
