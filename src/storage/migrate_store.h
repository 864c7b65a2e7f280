// `migrate`: a whole SQLite scanner database into a PostgreSQL one (or another SQLite file), resumable.
// Every table is copied with its ids (labels, predictions and scores name probes by id); each table but the
// probes goes over in one transaction together with a mark in the target's meta (`migrate.<source>.<table>`),
// the probes in batches by id, each with the last id copied as its mark. A rerun, after an interruption or
// when all is done, continues after the marks and so adds nothing twice. Into a target that already holds
// probes of its own (not from this source) nothing is copied: two sets of ids would collide.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace sg {

struct MigratedTable {
  std::string table;
  int64_t rows = 0;      // copied by this run
  bool skipped = false;  // done by an earlier run (its mark is set)
};

struct MigrateOutcome {
  std::vector<MigratedTable> tables;
  int64_t checkpoints = 0;  // model checkpoint files copied to the target's models folder
};

// `on_batch(table, rows copied so far)` after each committed batch (progress).
MigrateOutcome migrate_store(const std::string& from, const std::string& to,
                             const std::function<void(const std::string&, int64_t)>& on_batch = {});

}  // namespace sg
