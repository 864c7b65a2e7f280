#include "features/ranking.h"

#include <algorithm>
#include <cmath>
#include <set>

#include "features/labels.h"

namespace sg::features {

namespace {
const uint64_t kAbsentHash = value_hash(std::string_view("\0absent", 7));
}

FieldRanker::FieldRanker(Service s)
    : service_(s),
      specs_(service_fields(s)),
      tables_(specs_.size()),
      present_(specs_.size(), 0),
      absent_seen_(specs_.size(), false) {}

void FieldRanker::add(const ProbeDoc& probe, const std::string& org) {
  auto [it, fresh] = org_ids_.emplace(org, uint32_t(org_ids_.size()));
  ++probes_;
  for (size_t f = 0; f < specs_.size(); ++f) {
    FieldValue v = extract_field(specs_[f], probe, service_);
    if (v.present) {
      ++present_[f];
      tables_[f].add(value_hash(v.label), it->second);
    } else {
      absent_seen_[f] = true;
      tables_[f].add(kAbsentHash, it->second);
    }
  }
}

Ranking FieldRanker::finish(const RankOptions& opt) const {
  Ranking r;
  r.service = service_;
  r.probes = probes_;
  r.orgs = org_ids_.size();
  for (size_t f = 0; f < specs_.size(); ++f) {
    FieldRank fr;
    fr.field = specs_[f].name;
    fr.mi = tables_[f].mutual_information();
    fr.present = present_[f];
    fr.distinct = tables_[f].distinct_x() - (absent_seen_[f] ? 1 : 0);
    fr.ratio = fr.present ? double(fr.distinct) / double(fr.present) : 0;
    fr.random = fr.present >= opt.random_min_present && fr.ratio >= opt.random_ratio;
    if (f == 0) r.h_org = tables_[f].entropy_y();
    r.fields.push_back(std::move(fr));
  }
  std::sort(r.fields.begin(), r.fields.end(), [](const FieldRank& a, const FieldRank& b) {
    // MI values equal up to rounding rank by name, so reruns print the same order
    if (std::abs(a.mi - b.mi) > 1e-12) return a.mi > b.mi;
    return a.field < b.field;
  });
  return r;
}

Ranking rank_fields(Db& db, Service service, int64_t until_us, const RankOptions& opt) {
  std::set<std::string> unknown = eval_unknown_orgs(db);
  FieldRanker ranker(service);
  SkipLog skips;
  ProbeStream stream(db, service, Window{std::nullopt, until_us}, true);
  std::vector<ProbeRow> rows;
  ProbeDoc doc;
  while (stream.next(4096, rows))
    for (const ProbeRow& row : rows) {
      std::string org = org_key(row.org);
      if (org.empty() || unknown.count(org)) continue;
      if (!doc.parse(row.json)) {
        skips.add(row.id, "stored JSON is not an object");
        continue;
      }
      ranker.add(doc, org);
    }
  Ranking r = ranker.finish(opt);
  r.until_us = until_us;
  r.skips = std::move(skips);
  return r;
}

std::vector<std::string> choose_fields(Ranking& ranking, const SelectionRules& rules) {
  std::vector<std::string> out;
  int taken = 0;
  for (FieldRank& f : ranking.fields) {
    if (f.random && !rules.keep_random) continue;
    if (ranking.service == Service::dns) {
      const FieldSpec* spec = find_field(Service::dns, f.field);
      f.selected = (spec && spec->dns_header) || f.field == "qname";
    } else {
      f.selected = taken < rules.top && f.mi > 0;
      taken += f.selected;
    }
    if (f.selected) out.push_back(f.field);
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace sg::features
