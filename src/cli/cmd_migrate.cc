// `migrate`: an existing SQLite scanner database into PostgreSQL (storage/migrate_store.h), resumable.
#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/common.h"
#include "storage/migrate_store.h"
#include "util/terminal.h"
#include "util/verbosity.h"

namespace sg::cli {

namespace {

struct MigrateArgs {
  std::string from, to;
};

void run_migrate(const MigrateArgs& a) {
  MigrateOutcome r = migrate_store(a.from, a.to, [](const std::string& table, int64_t rows) {
    if (chatty() && table == "probes") fmt::print(stderr, "\rprobes: {} copied", rows);
  });
  if (!chatty()) return;
  fmt::print(stderr, "\n");
  int64_t total = 0;
  for (const MigratedTable& t : r.tables) {
    total += t.rows;
    fmt::print(stderr, "  {:<18} {}\n", t.table, t.skipped ? "done by an earlier run" : fmt::format("{} rows", t.rows));
  }
  fmt::print(stderr, "migrated {} rows from {} to {}; {} model checkpoint(s) copied\n", total, term_safe(a.from),
             term_safe(a.to), r.checkpoints);
}

}  // namespace

void add_migrate(CLI::App& app) {
  auto args = std::make_shared<MigrateArgs>();
  auto* cmd = app.add_subcommand("migrate", "Copy a SQLite scanner database into PostgreSQL (resumable)");
  cmd->footer(
      "Every table is copied with its ids; the target's schema is created first. Each table (the probes in\n"
      "batches) commits with a mark in the target, so an interrupted run is completed by running it again,\n"
      "and a rerun adds nothing. The target must be empty or an earlier migration of the same file.\n"
      "Model checkpoints (DB.models/) are copied to pg-DBNAME.models/ in the working directory.\n"
      "Example:\n  PGPASSWORD=... scannergrouper migrate --from scanners.db --to postgresql://sg@db.example/scanners");
  cmd->add_option("--from", args->from, "the SQLite database file")->required()->check(CLI::ExistingFile);
  cmd->add_option("--to", args->to, fmt::format("the target database {}", kDbHelp))->required();
  cmd->callback([args] { run_migrate(*args); });
}

}  // namespace sg::cli
