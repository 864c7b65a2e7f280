// identify: the scanner database for a time range. Every probe of the range gets its service model's
// prediction, every (window, ip) its votes, the ensemble names an organisation or "unknown", and each
// window's rows replace that window's earlier rows in one transaction (history of other windows kept).
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "aggregate/window.h"
#include "storage/db.h"
#include "workflow/predict.h"

namespace sg::workflow {

// Who names the scanners. evidence (the default): payload and network evidence with calibrated confidence
// (attribute/evidence.h); payload: the same on payloads alone. iomatch: the paper's per-service IOMatch
// votes and logistic-regression ensemble with its threshold θ, kept for comparison with the paper. All need
// `train` (the evidence methods read the training cut and the known organisations of the current ensemble).
enum class Method { evidence, payload, iomatch };
inline constexpr Method kDefaultMethod = Method::evidence;
const char* method_name(Method m);
std::optional<Method> method_from_name(const std::string& name);

struct IdentifyReport {
  std::vector<PredictReport> predictions;
  int64_t from_us = 0, to_us = 0;  // the range, widened to whole windows
  size_t windows = 0, scanners = 0;
  std::map<std::string, size_t> per_org;  // scanners per organisation ("unknown" included)
  std::string ensemble;
  Method method = kDefaultMethod;
  double theta = 0;          // the evidence method's confidence threshold (measured on training windows)
  size_t training_rows = 0;  // the training (window, ip) rows it was calibrated on
  double seconds = 0;
};

IdentifyReport identify(Db& db, const aggregate::Windows& w, int64_t from_us, int64_t to_us,
                        const std::function<void(const std::string&)>& log, Method method = kDefaultMethod);

}  // namespace sg::workflow
