// The packet loop: capture reader -> decoder -> session tracker -> probes. Shared by `extract`, `ingest`
// and live capture so that every source takes the same path.
#pragma once

#include <atomic>
#include <functional>

#include "capture/reader.h"
#include "session/stats.h"
#include "session/tracker.h"

namespace sg {

struct Progress {
  const std::string* file = nullptr;
  uint64_t done_bytes = 0;   // of the file on disk (compressed bytes for .gz/.zst)
  uint64_t total_bytes = 0;  // 0 when unknown (live)
  uint64_t packets = 0;
  uint64_t probes = 0;
};

struct LoopOptions {
  std::function<void(const Progress&)> progress;  // called about every 64k packets
  const std::atomic<bool>* stop = nullptr;        // set by a signal handler to end a live capture
  // Whether the sessions still open when `stop` ends the loop emit what they have. A file that will be read
  // again (ingest completes it on the next run) must not: a session cut by the stop would be stored as if
  // it had ended there, beside the whole one the next run finds.
  bool finish_on_stop = true;
};

// Reads every packet of `reader` into `tracker`, then flushes the tracker. Damage in the file ends the
// loop early and is recorded in stats.file_errors; the probes before it are kept.
void run_capture(CaptureReader& reader, SessionTracker& tracker, IngestStats& stats, const LoopOptions& opt);

}  // namespace sg
