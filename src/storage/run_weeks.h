// The table run_weeks: where long-term operation (`run`) stands, one row per week. The stages and roles are
// the workflow's (workflow/run_state.h); here they are the names it stores.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "storage/db.h"

namespace sg {

struct RunWeekRow {
  int64_t window_start = 0;
  std::string role, stage;
  std::string updated;  // when the last transition was committed
  double seconds = 0;   // work committed on this week so far
  std::string log;      // what was done, "; "-separated
};

class RunWeeks {
 public:
  explicit RunWeeks(Db& db);  // creates the table if needed

  std::vector<RunWeekRow> rows();  // ascending
  // New weeks (weeks already known are left as they are), in one transaction.
  void add(const std::vector<int64_t>& starts, const std::string& role, const std::string& stage,
           const std::string& now);
  // Moves weeks to `stage`, adding the seconds and appending the log text, in one transaction.
  void advance(const std::vector<int64_t>& starts, const std::string& stage, const std::string& now, double seconds,
               const std::string& log);

 private:
  Db& db_;
};

}  // namespace sg
