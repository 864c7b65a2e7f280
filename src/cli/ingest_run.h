// The ingest loop both `ingest` and `run` use: every capture of the inputs that is not in the store yet
// (by SHA-256 of its content) goes through the session pipeline into the probe store, then the new probes
// get their labels. One implementation, so the two commands can never disagree on what "already ingested"
// means.
#pragma once

#include <cstdint>

#include "cli/capture_options.h"
#include "labels/label_store.h"
#include "storage/probe_store.h"

namespace sg::cli {

struct IngestOutcome {
  int exit_code = 0;          // 1 when an input could not be read as a capture
  uint64_t files_ingested = 0;
  uint64_t files_skipped = 0;  // same content as a capture already complete
  uint64_t new_probes = 0;
  labels::RelabelStats labelled;  // labelling of the new probes
  int64_t first_new_probe_id = 0;  // new probes have ids above this one
  IngestStats total;
  double seconds = 0;
};

IngestOutcome ingest_captures(ProbeStore& store, const CaptureOptions& opt);

}  // namespace sg::cli
