// scannergrouper: which organisations are behind the scanners hitting your sensors.
#include <fmt/format.h>

#include <CLI/CLI.hpp>

#include "capture/reader.h"
#include "cli/commands.h"
#include "storage/sqlite.h"

namespace sg::cli {
int g_exit_code = 0;
}

#ifdef SG_HAVE_TORCH
#include <unistd.h>

#include <cstdlib>
#include <string>

// libtorch's OpenMP threads spin while they wait for work unless OMP_WAIT_POLICY=passive. libgomp reads the
// variable once, when it is loaded (before main), so setting it here needs one re-exec of this same binary.
// On 2 shared cores the spinning made a training step 20x slower (bench/RESULTS.md).
// Only the commands that run models pay for the re-exec.
static void ensure_passive_openmp(int argc, char** argv) {
  if (argc < 2 || std::getenv("OMP_WAIT_POLICY")) return;
  const std::string cmd = argv[1];
  if (cmd != "train" && cmd != "update" && cmd != "refit" && cmd != "identify" && cmd != "run") return;
  setenv("OMP_WAIT_POLICY", "passive", 1);
  execv("/proc/self/exe", argv);  // only returns on failure: carry on with the default policy
}
#endif

int main(int argc, char** argv) {
#ifdef SG_HAVE_TORCH
  ensure_passive_openmp(argc, argv);
#endif
  CLI::App app{
      "scannergrouper: attribute Internet scanners to the organisations behind them, from the first probe\n"
      "(HTTP request, TLS ClientHello, DNS query, SSH/RDP hello, TCP SYN) of each session in your captures."};
  app.footer(
      "Typical use (one-time training, then attribution):\n"
      "  scannergrouper ingest --db scanners.db --sensor-net 192.0.2.0/24 captures/  # probes into the database\n"
      "  scannergrouper labels import --db scanners.db lists/      # published scanner ranges: ground truth\n"
      "  scannergrouper select --db scanners.db --until 2025-02-01 # fields by mutual information\n"
      "  scannergrouper train --db scanners.db --until 2025-02-01  # per-service models + ensemble\n"
      "  scannergrouper identify --db scanners.db --from 2025-02-01 --to 2025-02-08\n"
      "  scannergrouper lookup --db scanners.db 198.51.100.7       # who is it, and the evidence\n"
      "Weekly operation: train --incremental, then update --week / identify each week (or `run`).\n"
      "Try it: scannergrouper simulate --scenario demo --out demo/ writes captures and their labels.\n"
      "Run 'scannergrouper COMMAND --help' for the options of each command.");
  app.require_subcommand(1);
  app.set_version_flag("--version", "scannergrouper 0.1.0");
  sg::cli::add_extract(app);
  sg::cli::add_ingest(app);
  sg::cli::add_probes(app);
  sg::cli::add_simulate(app);
  sg::cli::add_lookup(app);
  sg::cli::add_export(app);
  sg::cli::add_select(app);
#ifdef SG_HAVE_TORCH
  sg::cli::add_train(app);
  sg::cli::add_update(app);
  sg::cli::add_refit(app);
  sg::cli::add_identify(app);
  sg::cli::add_evaluate(app);
  sg::cli::add_clusters(app);
  sg::cli::add_report(app);
  sg::cli::add_run(app);
#endif
  sg::cli::add_labels(app);
  sg::cli::add_abuse(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const std::exception& e) {
    // one clear line, non-zero exit (DESIGN.md §9)
    fmt::print(stderr, "error: {}\n", e.what());
    return 1;
  }
  return sg::cli::g_exit_code;
}
