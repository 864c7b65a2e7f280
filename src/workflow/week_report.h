// The per-week report `run` writes after each week is done: DIR/week-YYYY-MM-DD.txt, a plain-text summary
// of the week's scanner rows (per organisation, with the ensemble and service models that made them) and
// of the probes seen. It is built from the database alone, so rewriting it after a crash gives the same
// file, and it is replaced atomically.
#pragma once

#include <cstdint>
#include <string>

#include "aggregate/window.h"
#include "storage/db.h"

namespace sg::workflow {

struct WeekReport {
  std::string path;
  size_t scanners = 0;
};

struct WeekSummary {
  std::string text;  // what the file holds
  size_t scanners = 0;
};
// in_sample: the week was scored by models trained on it (a bootstrap week); the text says so, since its
// names and confidences are then no measure of how the models do on weeks they never saw.
WeekSummary week_summary(Db& db, const aggregate::Windows& w, int64_t window_start, bool in_sample = false);

// Writes DIR/week-YYYY-MM-DD.txt (DIR created if missing).
WeekReport write_week_report(Db& db, const aggregate::Windows& w, int64_t window_start, const std::string& dir,
                             bool in_sample = false);

}  // namespace sg::workflow
