// Feature selection (paper §3.3, docs/METHOD.md): each field label-encoded (its whole value is one
// category), ranked by mutual information with the organisation over labelled probes of the first period.
// Fields whose values are nearly all distinct (TLS random, gmt_unix_time, session ids, DNS ids) are
// flagged: their MI approaches H(org) only because every value is unique, and they carry nothing a later
// probe could match.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "features/mutual_info.h"
#include "features/probe_stream.h"
#include "features/registry.h"

namespace sg::features {

struct FieldRank {
  std::string field;
  double mi = 0;          // nats
  uint64_t distinct = 0;  // distinct values among the probes carrying the field
  uint64_t present = 0;   // probes carrying the field
  double ratio = 0;       // distinct / present, 0 when never present
  bool random = false;
  bool selected = false;
};

struct Ranking {
  Service service = Service::http;
  int64_t until_us = 0;
  uint64_t probes = 0;  // labelled probes ranked (evaluation-unknown orgs left out)
  size_t orgs = 0;
  double h_org = 0;               // H(org) in nats, the ceiling of every MI
  std::vector<FieldRank> fields;  // MI descending, ties by name
  SkipLog skips;
};

struct RankOptions {
  double random_ratio = 0.9;         // flag when distinct/present reaches this...
  uint64_t random_min_present = 20;  // ...over at least this many probes (fewer say nothing)
};

// Accumulates labelled probes of one service; memory: one hash per distinct value and field.
class FieldRanker {
 public:
  explicit FieldRanker(Service s);
  void add(const ProbeDoc& probe, const std::string& org);
  Ranking finish(const RankOptions& opt) const;

 private:
  Service service_;
  const std::vector<FieldSpec>& specs_;
  std::vector<ContingencyTable> tables_;
  std::vector<uint64_t> present_;
  std::vector<bool> absent_seen_;
  std::unordered_map<std::string, uint32_t> org_ids_;
  uint64_t probes_ = 0;
};

// Labelled probes of `service` before `until_us`, evaluation-unknown orgs left out.
Ranking rank_fields(Db& db, Service service, int64_t until_us, const RankOptions& opt = {});

struct SelectionRules {
  int top = 6;  // http, tls, ssh, rdp, syn: the top n fields with MI > 0
  bool keep_random = false;
};

// Marks the chosen fields in the ranking and returns them in alphabetical order. DNS takes every header
// field plus qname, as the paper does; flagged fields are left out unless keep_random.
std::vector<std::string> choose_fields(Ranking& ranking, const SelectionRules& rules);

}  // namespace sg::features
