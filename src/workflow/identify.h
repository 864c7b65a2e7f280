// identify: the scanner database for a time range. Every probe of the range gets its service model's
// prediction, every (window, ip) its votes, the ensemble names an organisation or "unknown", and each
// window's rows replace that window's earlier rows in one transaction (history of other windows kept).
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "aggregate/window.h"
#include "storage/sqlite.h"
#include "workflow/predict.h"

namespace sg::workflow {

struct IdentifyReport {
  std::vector<PredictReport> predictions;
  int64_t from_us = 0, to_us = 0;  // the range, widened to whole windows
  size_t windows = 0, scanners = 0;
  std::map<std::string, size_t> per_org;  // scanners per organisation ("unknown" included)
  std::string ensemble;
  double seconds = 0;
};

// Widens [from, to) to whole windows.
std::pair<int64_t, int64_t> whole_windows(const agg::Windows& w, int64_t from_us, int64_t to_us);

IdentifyReport identify(Db& db, const agg::Windows& w, int64_t from_us, int64_t to_us,
                        const std::function<void(const std::string&)>& log);

}  // namespace sg::workflow
