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
void add_labels(CLI::App& app);

}  // namespace sg::cli
