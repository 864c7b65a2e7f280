// The exact-match baseline every evaluation prints beside the model (docs/METHOD.md: "an exact-match baseline on
// the same rows"): a lookup table from each probe's frozen selected fields (the fields `select` chose) to
// the majority class of the labelled training probes with exactly those values, evaluation-unknown and
// unlearned organisations counting as "unknown"; a probe whose values were never seen labelled is unknown.
// Per (window, ip) the majority of its http/tls/dns probes' classes (ties: an organisation over unknown,
// then the lowest class), the same vote the model's rows get. It is cheap on purpose: a method that
// cannot beat it has learned nothing a hash map could not.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <unordered_map>
#include <vector>

#include "aggregate/window.h"
#include "attribute/match_key.h"
#include "storage/db.h"

namespace sg::attribute {

class ExactBaseline {
 public:
  // Labelled probes with ts < cut_us; `classes` are the known organisations.
  static ExactBaseline build(Db& db, const std::vector<std::string>& classes, int64_t cut_us);

  // Class of one probe (-1: unknown); the probe must be of a service this baseline has fields for.
  int probe_class(const features::ProbeDoc& probe, Service s) const;
  // Every (window, ip) with an http/tls/dns probe in [from, to) → its voted class (-1 unknown).
  std::map<std::pair<int64_t, std::string>, int> ip_classes(Db& db, const aggregate::Windows& w, int64_t from_us,
                                                            int64_t to_us) const;
  const std::vector<std::string>& classes() const { return classes_; }
  size_t keys() const { return table_.size(); }

 private:
  std::vector<std::string> classes_;
  std::map<Service, KeyMaker> makers_;
  std::unordered_map<KeyHash, int> table_;  // key → majority class, K = unknown
};

}  // namespace sg::attribute
