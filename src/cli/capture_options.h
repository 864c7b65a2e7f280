// Options common to the commands that read captures (extract, ingest), and the loop over their inputs.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <string>
#include <vector>

#include "session/tracker.h"

namespace sg::cli {

struct CaptureOptions {
  std::vector<std::string> inputs;
  std::vector<std::string> sensor_nets;
  std::string live_iface;
  std::string bpf;
  size_t byte_cap = 16 * 1024;
  bool no_syn = false;
  bool quiet = false;  // set by `run`, whose own log says what ingest did; users give -q (util/verbosity.h)

  void add_to(CLI::App& cmd);
  // No progress, no informational lines: quiet, or -q.
  bool silent() const;
  SessionConfig session_config() const;
};

// What happens around one source: `begin` may refuse it (already ingested), `end` sees its stats.
struct SourceHooks {
  std::function<bool(const std::string& path)> begin;
  std::function<void(const Probe&)> probe;
  std::function<void(const std::string& path, const IngestStats& file_stats)> end;
};

// Runs every file (or the live interface) through the pipeline. Returns the exit code: 1 when an input
// could not be read as a capture, else 0. Damaged captures are reported and keep their probes.
int run_sources(const CaptureOptions& opt, const SourceHooks& hooks, IngestStats& total);

}  // namespace sg::cli
