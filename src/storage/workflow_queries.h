// The reads of probes, labels and frozen scores that the workflow's stages (identify, evaluate, the ensemble's
// votes, `run` and its week reports) make over a time range, as plain rows. Ranges are [from, to) on ts_us.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <utility>

#include "storage/db.h"

namespace sg {

// A probe's time, sender, service and export JSON (identify's per-ip facts), in time order.
struct ProbeFactRow {
  int64_t ts_us = 0;
  std::string src, service, json;
};
void for_each_probe_fact(Db& db, int64_t from_us, int64_t to_us, const std::function<void(const ProbeFactRow&)>& fn);

// A probe's five-tuple, the key of a simulator truth file.
struct ProbeFlowRow {
  int64_t ts_us = 0;
  std::string src;
  int64_t sport = 0;
  std::string dst;
  int64_t dport = 0;
  std::string transport;
};
void for_each_probe_flow(Db& db, int64_t from_us, int64_t to_us, const std::function<void(const ProbeFlowRow&)>& fn);

// A labelled probe: its time, sender and the label's organisation as stored.
struct LabelledProbeRow {
  int64_t ts_us = 0;
  std::string src, org;
};
void for_each_labelled_probe(Db& db, int64_t from_us, int64_t to_us,
                             const std::function<void(const LabelledProbeRow&)>& fn);

// A labelled probe of `service` with the score its window was attributed with (probe_scores).
struct LabelledScoreRow {
  std::string label, predicted, model;
};
void for_each_labelled_score(Db& db, const std::string& service, int64_t from_us, int64_t to_us,
                             const std::function<void(const LabelledScoreRow&)>& fn);

// Stored probes per service name.
std::map<std::string, int64_t> probes_per_service(Db& db, int64_t from_us, int64_t to_us);

}  // namespace sg
