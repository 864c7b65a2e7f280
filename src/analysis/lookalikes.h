// The paper's case 1: probes whose label is an evaluation-unknown organisation (README, Labels: those that
// publish all their ips, scored as "unknown") but that the model called a known organisation. Listed per
// (ip, service, label, predicted organisation) with the evidence an analyst checks the call against.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "storage/db.h"

namespace sg::analysis {

struct UnknownAsKnown {
  std::string ip, service, label, predicted;
  std::string scanner_org;  // what the ensemble made of the ip (latest window), "" without a scanner row
  int64_t probes = 0, first_us = 0, last_us = 0;
  double mean_prob = 0, max_prob = 0;
  std::string evidence;  // JSON: user agents, ja3/ja4, SNI, qnames... with counts (aggregate/evidence.h)
};

struct Case1 {
  std::set<std::string> eval_unknown;  // the organisations counted as unknown
  int64_t labelled_probes = 0;         // predicted probes labelled with one of them
  int64_t predicted_known = 0;         // of which the model called a known organisation
  int64_t groups = 0;                  // (ip, service, label, predicted) groups before the limit
  std::vector<UnknownAsKnown> rows;    // most probes first, at most `limit`
};

Case1 unknown_predicted_known(Db& db, int64_t from_us, int64_t to_us, size_t limit = 50);

}  // namespace sg::analysis
