// Per-probe model outputs: the class the service's model chose (an organisation or "unknown"), its
// open-set probability, and the 128-d projection feature the unknown-probe clustering reads. One row per
// probe; predicting a probe again (a newer model) replaces its row.
//
// Beside it, probe_scores keeps the prediction each probe's window was attributed with (identify copies it
// when it writes the window's scanner rows). A weekly update re-predicts its whole training range with the
// new models, which would otherwise turn last week's honest probe-level scores into scores of a model that
// trained on those very probes; evaluation reads probe_scores so it always describes the attribution made.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "storage/db.h"

namespace sg {

struct PredictionRow {
  int64_t probe_id = 0;
  std::string model;  // model version that produced it
  std::string org;    // predicted class name, "unknown" for the open-set class
  double prob = 0;    // probability of the predicted class
  std::vector<float> feature;
};

// A prediction joined with its probe, for voting and analysis.
struct PredictedProbe {
  int64_t probe_id = 0, ts_us = 0;
  std::string ip, service, org, model;
  double prob = 0;
  std::vector<float> feature;  // empty unless asked for
  std::string json;            // the probe's export JSON, empty unless asked for
};

struct PredictionQuery {
  std::optional<std::string> service;
  std::optional<int64_t> from_us, to_us;  // probe time in [from, to)
  bool with_feature = false, with_json = false;
};

class PredictionStore {
 public:
  explicit PredictionStore(Db& db);
  // Writes a batch in one transaction.
  void put(const std::vector<PredictionRow>& rows);
  void for_each(const PredictionQuery& q, const std::function<void(const PredictedProbe&)>& fn);
  // Probes of `service` in [from, to) without a prediction from `model`.
  std::vector<int64_t> missing(const std::string& service, int64_t from_us, int64_t to_us, const std::string& model);
  // probe_scores of the probes in [from, to) become their current predictions (earlier scores replaced,
  // scores of probes no longer predicted removed). The caller holds the transaction that also writes the
  // window's scanner rows, so the two never disagree.
  void keep_scores(int64_t from_us, int64_t to_us);

 private:
  Db& db_;
};

}  // namespace sg
