// Each subcommand registers its options and its action on the CLI11 app. Actions return the exit code.
#pragma once

#include <CLI/CLI.hpp>

namespace sg::cli {

// Set by a subcommand's callback; main returns it.
extern int g_exit_code;

void add_extract(CLI::App& app);
void add_ingest(CLI::App& app);
void add_probes(CLI::App& app);
void add_simulate(CLI::App& app);
void add_lookup(CLI::App& app);
void add_export(CLI::App& app);
void add_select(CLI::App& app);
#ifdef SG_HAVE_TORCH
void add_train(CLI::App& app);
void add_update(CLI::App& app);
void add_refit(CLI::App& app);
void add_identify(CLI::App& app);
void add_evaluate(CLI::App& app);
void add_clusters(CLI::App& app);
void add_report(CLI::App& app);
void add_run(CLI::App& app);
#endif
void add_labels(CLI::App& app);
void add_abuse(CLI::App& app);

}  // namespace sg::cli
