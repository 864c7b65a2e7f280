// The passes of long-term operation (`run`) that are not model work: ingest the captures of a folder that
// are not stored yet, counting the new probes that fall in weeks already reported, and re-import the label
// lists. The model stages of a pass are workflow::run_weeks; the front end prints what each pass returns.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "labels/label_store.h"
#include "pipeline/ingest.h"
#include "storage/probe_store.h"

namespace sg::pipeline {

struct IngestPassOptions {
  std::string captures;  // the folder searched for captures
  std::vector<std::string> sensor_nets;
  bool no_syn = false;
};

struct IngestPassResult {
  bool no_captures = false;  // the folder holds no capture yet: nothing was done
  IngestOutcome outcome;
  int64_t late_probes = 0;  // new probes in weeks already reported: stored, but those weeks are not redone
};

// reported_until: the end of the last week already reported, if any (the weeks' state belongs to the model
// stages); asked only when the pass stored new probes.
IngestPassResult ingest_pass(ProbeStore& store, const IngestPassOptions& opt, SourceEvents& events,
                             const std::function<std::optional<int64_t>(Db&)>& reported_until);

struct LabelsPassResult {
  size_t imported_files = 0;   // lists imported or replaced
  size_t unchanged_files = 0;  // the rest: unchanged, duplicates, not lists
  labels::RelabelStats relabel;
  double seconds = 0;
};

// Re-imports the label lists at `paths` (files or folders) and relabels the stored probes.
LabelsPassResult labels_pass(Db& db, const std::vector<std::string>& paths);

}  // namespace sg::pipeline
