// `select` as a library call: rank the fields of a service, freeze the top ones and build the first
// schemas (full and incremental) from the probes before the cut-off, all stored in one transaction.
#pragma once

#include <string>
#include <vector>

#include "features/feature_store.h"

namespace sg::features {

struct SelectOptions {
  int64_t until_us = 0;
  SelectionRules rules;
  RankOptions rank;
  LayoutRules layout;
  bool force = false;  // replace a different frozen selection (and its schema versions)
};

// uninformative: no field has MI > 0 (e.g. one organisation only); nothing is stored.
enum class SelectStatus { stored, unchanged, replaced, no_labels, uninformative };
const char* status_name(SelectStatus s);

struct SelectOutcome {
  Ranking ranking;
  std::vector<std::string> selected;
  Schema full, incremental;
  LayoutReport full_report, incremental_report;
  SkipLog vocabulary_skips;
  SelectStatus status = SelectStatus::no_labels;
};

// Reruns with the same inputs change nothing (status unchanged). A different result for a service that
// already has a frozen selection throws std::runtime_error unless options.force.
SelectOutcome select_service(Db& db, Service service, const SelectOptions& options);

}  // namespace sg::features
