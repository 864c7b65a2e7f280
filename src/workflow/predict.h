// Inference: every probe of a service in a time range gets the prediction of the service's current model
// (class, probability, 128-d feature) stored beside it. Probes already predicted by that model are left
// alone, so identify can be rerun over overlapping ranges at no cost.
#pragma once

#include <cstdint>
#include <string>

#include "probe/probe.h"
#include "storage/db.h"
#include "storage/model_registry.h"

namespace sg::workflow {

struct PredictReport {
  std::string service, model;
  size_t predicted = 0, already = 0;
  double seconds = 0;
};

// Uses `model` (default: the service's latest) for probes in [from, to).
PredictReport predict_service(Db& db, Service service, int64_t from_us, int64_t to_us,
                              const std::optional<ModelRun>& model = std::nullopt);

}  // namespace sg::workflow
