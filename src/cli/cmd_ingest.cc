// `ingest`: captures into the probe store, each file once, in transactional batches.
#include <fmt/format.h>

#include <filesystem>
#include <system_error>

#include "cli/commands.h"
#include "cli/ingest_run.h"

namespace sg::cli {

namespace {

struct IngestArgs {
  CaptureOptions capture;
  std::string db;
};

// A mistyped path must not leave a new, empty database behind: the inputs are checked before it is opened.
void check_inputs_exist(const CaptureOptions& c) {
  for (const auto& in : c.inputs) {
    std::error_code ec;
    if (in != "-" && !std::filesystem::exists(in, ec))  // "-" is standard input
      throw std::runtime_error(fmt::format("{}: no such file or directory", in));
  }
}

void run_ingest(const IngestArgs& a) {
  check_inputs_exist(a.capture);
  ProbeStore store(a.db);
  IngestOutcome r = ingest_captures(store, a.capture);
  g_exit_code = r.exit_code;
  if (!a.capture.quiet) {
    fmt::print(stderr, "labelled {} of the {} new probes\n", r.labelled.labelled, r.labelled.probes);
    fmt::print(stderr, "{}", r.total.summary());
    fmt::print(stderr, "stored {} new probes in {} ({} files already ingested); {:.2f} s, {:.0f} packets/s\n",
               r.new_probes, a.db, r.files_skipped, r.seconds, r.seconds > 0 ? double(r.total.packets) / r.seconds : 0.0);
  }
}

}  // namespace

void add_ingest(CLI::App& app) {
  auto args = std::make_shared<IngestArgs>();
  auto* cmd = app.add_subcommand("ingest", "Store the probes of captures (or a live interface) in a database");
  cmd->footer(
      "A capture already ingested (same content) is skipped, and a probe is never stored twice, so reruns\n"
      "over a growing folder only add what is new. An interrupted run is completed by running it again.\n"
      "Example:\n  scannergrouper ingest --db scanners.db --sensor-net 192.0.2.0/24 /var/log/honeypot/");
  cmd->add_option("--db", args->db, "SQLite database file (created if missing)")->required();
  args->capture.add_to(*cmd);
  cmd->callback([args] { run_ingest(*args); });
}

}  // namespace sg::cli
