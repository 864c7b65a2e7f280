// The ingest loop every front end uses (`ingest`, `run`): every capture of the inputs that is not in the
// store yet (by SHA-256 of its content) goes through the session pipeline into the probe store, then the new
// probes get their labels. One implementation, so the commands can never disagree on what "already
// ingested" means.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "labels/label_store.h"
#include "pipeline/sources.h"
#include "storage/probe_store.h"

namespace sg::pipeline {

// A capture left out because one with the same content is already stored.
struct SkippedCapture {
  std::string path;
  std::string status;   // of the stored one
  std::string same_as;  // the stored one's path
};

struct IngestOutcome {
  int exit_code = 0;  // 1 when an input could not be read as a capture
  uint64_t files_ingested = 0;
  uint64_t files_skipped = 0;  // same content as a capture already complete
  std::vector<SkippedCapture> skipped;
  uint64_t new_probes = 0;
  // The same session from another source (ProbeStore): log rows the capture's probes replaced, and probes
  // left out because another source's probe of the session was stored.
  uint64_t replaced_probes = 0, duplicate_probes = 0;
  labels::RelabelStats labelled;   // labelling of the new probes
  int64_t first_new_probe_id = 0;  // new probes have ids above this one
  IngestStats total;               // file_errors: unreadable and damaged captures, with what and where
  bool interrupted = false;        // a stop request ended it; a rerun completes it
  double seconds = 0;
};

IngestOutcome ingest_captures(ProbeStore& store, const SourceOptions& opt, SourceEvents& events);

}  // namespace sg::pipeline
