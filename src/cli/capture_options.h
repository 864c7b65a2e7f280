// Options common to the commands that read captures (extract, ingest), and what those commands print while
// the pipeline's loop over the sources (pipeline/sources.h) runs.
#pragma once

#include <CLI/CLI.hpp>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "cli/common.h"
#include "pipeline/sources.h"

namespace sg::cli {

struct CaptureOptions : pipeline::SourceOptions {
  bool quiet = false;  // set by `run`, whose own log says what ingest did; users give -q (util/verbosity.h)

  void add_to(CLI::App& cmd);
  // No progress, no informational lines: quiet, or -q.
  bool silent() const;
};

// The pipeline's events on stderr: progress (a bar on a terminal, else a line every progress interval),
// skipped and unreadable files, damage, interruption. Errors and damage print at every verbosity.
class StderrEvents : public pipeline::SourceEvents {
 public:
  explicit StderrEvents(const CaptureOptions& opt);
  ~StderrEvents() override;

  bool wants_progress() const override;
  void live_started(const std::string& iface) override;
  void live_finished(const LiveCounters& counters) override;
  void files_found(const std::vector<std::string>& files) override;
  void file_started(size_t index, size_t count) override;
  void progress(const Progress& p, size_t index, size_t count) override;
  void file_finished(const std::string& name, const IngestStats& file_stats, double seconds,
                     uint64_t file_size) override;
  void file_passed(uint64_t file_size) override;
  void unreadable(const std::string& file, const std::string& error) override;
  void damaged(const std::string& error) override;
  void bad_record(const std::string& message) override;
  void interrupted() override;
  void already_ingested(const std::string& path, const std::string& status, const std::string& same_as) override;

 private:
  class Lines;
  bool silent_, quiet_;
  std::unique_ptr<Lines> lines_;  // without a terminal: plain progress lines
  std::optional<ProgressBar> bar_;
};

// Runs `f`, reporting the pipeline's option errors as usage errors (CLI11's, exit 2), as the command line's
// own checks are.
template <class F>
auto with_usage_errors(F&& f) -> decltype(f()) {
  try {
    return std::forward<F>(f)();
  } catch (const pipeline::OptionError& e) {
    throw CLI::ValidationError(e.option, e.message);
  }
}

}  // namespace sg::cli
