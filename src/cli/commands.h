// Each subcommand registers its options and its action on the CLI11 app. Actions return the exit code.
#pragma once

#include <CLI/CLI.hpp>

#include <string_view>

namespace sg::cli {

// The commands that run models. They live in a second binary, scannergrouper-ml, the only one that links
// libtorch; scannergrouper hands them over to it, so that ingest, lookup, export and the rest never load
// libtorch (0.4 s warm, some 20 s from a cold disk cache). One table, so both binaries describe them alike.
struct ModelCommand {
  const char* name;
  const char* help;
};
inline constexpr ModelCommand kModelCommands[] = {
    {"train", "Train the per-service models and the ensemble on probes before a date"},
    {"update", "One incremental week: grow the schema, resume the models, refit the ensemble"},
    {"refit", "Fit a new ensemble and θ on the current per-service models"},
    {"identify", "Attribute the scanners of a time range (the scanner database)"},
    {"evaluate", "Score the scanner database against the labels"},
    {"run", "Long-term operation: ingest new captures, then update, identify and report each completed week"},
};
inline constexpr const char* kModelBinary = "scannergrouper-ml";
// The help line of a model command ("" for any other name).
const char* model_command_help(std::string_view name);

// Set by a subcommand's callback; main returns it.
extern int g_exit_code;

void add_extract(CLI::App& app);
void add_ingest(CLI::App& app);
void add_probes(CLI::App& app);
void add_simulate(CLI::App& app);
void add_lookup(CLI::App& app);
void add_export(CLI::App& app);
void add_select(CLI::App& app);
void add_clusters(CLI::App& app);
void add_report(CLI::App& app);
void add_serve(CLI::App& app);
void add_sense(CLI::App& app);
#ifdef SG_HAVE_TORCH  // scannergrouper-ml only
void add_train(CLI::App& app);
void add_update(CLI::App& app);
void add_refit(CLI::App& app);
void add_identify(CLI::App& app);
void add_evaluate(CLI::App& app);
void add_run(CLI::App& app);
#endif
void add_labels(CLI::App& app);
void add_abuse(CLI::App& app);
void add_migrate(CLI::App& app);  // SQLite -> PostgreSQL

}  // namespace sg::cli
