// Long-term operation, the weekly part (docs/METHOD.md): which weeks are complete, and for each the stages
// that turn its probes into scanner rows and better models, resumable after a crash (workflow/run_state.h).
//
// A week (a window of aggregate::Windows, anchored by workflow/windows.h) is complete when the newest
// probe in the database is at or past its end, or when the clock is past its end by clock_grace_us (the
// last week of a folder that no longer grows has no newer probe). This assumes captures arrive in time
// order: probes that arrive later for a week already done are stored but the week is not redone (they are
// counted and logged).
//
// Until a model exists, the first complete weeks (bootstrap_weeks, or those ending by bootstrap_until) are
// used together: `select` with the cut at their end, `train` in incremental mode for http/tls/dns and the
// ensemble fit; then each of them is identified and reported, marked in-sample (scored by models trained
// on that very week) in the log and the week's report. Each later week t is identified with the
// models of weeks before t (the honest order, docs/METHOD.md), then the models are updated on week t and the
// ensemble refitted on every week so far, then the week is reported. If models were trained before `run`
// took over, the weeks they cover are identified and reported and later weeks are updated as usual.
#pragma once

#include <atomic>
#include <functional>
#include <optional>
#include <string>

#include "aggregate/window.h"
#include "features/ranking.h"
#include "storage/db.h"
#include "workflow/ensemble.h"
#include "workflow/identify.h"
#include "workflow/train.h"

namespace sg::workflow {

// `run` trains on a fixed number of threads (one unless told), so that its runs repeat.
inline TrainConfig weekly_train_config() {
  TrainConfig c;
  c.options.threads = 1;
  return c;
}

// The defaults are `run`'s (its --help shows them).
struct WeeklyConfig {
  int bootstrap_weeks = 2;
  std::optional<int64_t> bootstrap_until;     // instead of a count: the complete weeks ending by this time
  TrainConfig train = weekly_train_config();  // bootstrap training (backbone, options, models_dir, ...)
  model::TrainOptions week_options = model::incremental_mode_options();  // each weekly update
  features::SelectionRules select_rules;
  ProbaKind proba = kDefaultProba;
  Method method = kDefaultMethod;           // who names the scanners each week (identify.h)
  std::string report_dir;                   // week-YYYY-MM-DD.txt files go here
  const std::atomic<bool>* stop = nullptr;  // checked between stages
  std::optional<int64_t> now_us;            // the clock; unset: the system clock at each pass (tests set it)
  // How long after its end the clock completes a week without a newer probe: time for the capture of its
  // last hours to be rotated, compressed and renamed into the folder.
  int64_t clock_grace_us = int64_t(6) * 3600 * 1000000;
};

struct WeeklyOutcome {
  size_t transitions = 0;     // stages completed in this call
  size_t complete_weeks = 0;  // complete weeks in the database
  size_t done_weeks = 0;      // weeks reported, after this call
  size_t late_weeks = 0;      // complete weeks before the first week run knows (not processed)
  std::string waiting;        // why no week could start, e.g. "1 of 2 bootstrap weeks complete"
};

using RunLog = std::function<void(const std::string&)>;

// One pass over the weeks: plans new complete weeks, then runs every unfinished stage in order. `log`
// gets one line per week (what was done and how long it took), `detail` the stages' own progress lines.
WeeklyOutcome run_weeks(Db& db, const WeeklyConfig& cfg, const RunLog& log, const RunLog& detail);

}  // namespace sg::workflow
