// The reads of the unknown-probe analyses (analysis/clusters, analysis/lookalikes): each prediction joined
// with its probe, its label and the scanner row of its window. None writes.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "storage/db.h"

namespace sg {

// Services with a predicted probe in [from, to), each once.
std::vector<std::string> predicted_services(Db& db, int64_t from_us, int64_t to_us);

// The model version that predicted most of the service's probes in [from, to) (the newer name on ties);
// empty when none did.
std::string dominant_model(Db& db, const std::string& service, int64_t from_us, int64_t to_us);

// A predicted probe of a scanner row's window. The views are valid during the callback only.
struct ScannedPrediction {
  int64_t probe_id = 0, ts_us = 0;
  std::string ip;
  std::string_view json;     // the probe's export JSON
  std::string org, model;    // what the probe model predicted, and which version
  std::string_view feature;  // the prediction's feature (floats)
  std::string scanner_org;   // the organisation of the ip's scanner row for that window
};
// The service's predicted probes in [from, to) that have a scanner row, by time then id.
void for_each_scanned_prediction(Db& db, const std::string& service, int64_t from_us, int64_t to_us,
                                 const std::function<void(const ScannedPrediction&)>& fn);

// A predicted probe that carries a label. The view is valid during the callback only.
struct LabelledPrediction {
  std::string ip, service;
  std::string label;      // probe_labels.org as stored
  std::string predicted;  // the probe model's class
  double prob = 0;
  int64_t ts_us = 0;
  std::string_view json;
  std::optional<std::string> scanner_org;  // the ip's scanner row for the probe's window, if any
};
// Every labelled, predicted probe in [from, to), by time then id.
void for_each_labelled_prediction(Db& db, int64_t from_us, int64_t to_us,
                                  const std::function<void(const LabelledPrediction&)>& fn);

}  // namespace sg
