// Per-probe model output in the probe store (DESIGN §5 inference, §6 aggregation, §7 clustering read it):
// predicted class, the K+1 open-set probabilities and the 128-d projection feature, keyed by the model that
// produced them, so several models (services, weeks, backbones) can score the same probes side by side.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "model/iomatch.h"
#include "storage/sqlite.h"

namespace sg::model {

struct ProbePrediction {
  int64_t probe_id = 0;
  int pred = 0;                // K = unknown
  std::vector<float> probs;    // K+1
  std::vector<float> feature;  // kFeatureDim
};

void create_prediction_table(Db& db);

// One transaction; a rerun with the same model tag replaces that model's rows for these probes (idempotent).
void store_predictions(Db& db, const std::string& model_tag, const std::vector<int64_t>& probe_ids,
                       const Prediction& prediction);

// In probe id order. A row whose blobs do not have the sizes its class count implies is a damaged store:
// StoreError naming the probe.
std::vector<ProbePrediction> load_predictions(Db& db, const std::string& model_tag);

}  // namespace sg::model
