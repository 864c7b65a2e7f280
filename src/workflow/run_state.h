// Where long-term operation (`run`) stands, week by week, in the table run_weeks. Each week walks a fixed
// sequence of stages and each transition is committed only after the stage's work was, so after a crash
// the run resumes at the first unfinished stage of the first unfinished week. The work of every stage is
// itself idempotent, which covers a crash between the work and the transition.
//
//   bootstrap weeks (the first complete weeks, trained on together): pending → trained → identified → reported
//   later weeks (scored first, with models of earlier weeks only):   pending → identified → updated → reported
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "storage/db.h"
#include "storage/run_weeks.h"

namespace sg::workflow {

enum class WeekRole { bootstrap, incremental };
enum class Stage { pending, trained, identified, updated, reported };

const char* role_name(WeekRole r);
const char* stage_name(Stage s);
// The stage after `s` for a week of this role (reported is last and maps to itself).
Stage next_stage(WeekRole role, Stage s);

struct WeekState {
  int64_t window_start = 0;
  WeekRole role = WeekRole::incremental;
  Stage stage = Stage::pending;
  std::string updated;  // when the last transition was committed
  double seconds = 0;   // work committed on this week so far
  std::string log;      // what was done, "; "-separated
};

class RunState {
 public:
  explicit RunState(Db& db);  // creates the table if needed (storage/run_weeks.h)

  std::vector<WeekState> weeks();  // ascending
  // New weeks in state pending (weeks already known are left as they are), in one transaction.
  void add_weeks(const std::vector<int64_t>& starts, WeekRole role, Stage stage = Stage::pending);
  // Moves weeks to `to`, adding the seconds and the log text, in one transaction.
  void advance(const std::vector<int64_t>& starts, Stage to, double seconds, const std::string& log);

 private:
  RunWeeks table_;
};

// The end of the last week already reported (with the stored window length), if any: probes before it
// arrive too late to be redone.
std::optional<int64_t> reported_until(Db& db);

}  // namespace sg::workflow
