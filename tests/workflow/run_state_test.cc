// What the front ends ask of the run's state and the scores without model work: the end of the reported
// weeks (with the stored window length, not an assumed week), whether a range has scanner rows, and the
// windows' settings a command line chooses.
#include <gtest/gtest.h>

#include "storage/model_registry.h"
#include "storage/scanner_store.h"
#include "support/temp_dir.h"
#include "workflow/evaluate.h"
#include "workflow/run_state.h"
#include "workflow/windows.h"

namespace sg::workflow {
namespace {

TEST(RunState, ReportedUntilEndsAtTheLastReportedWindowOfTheStoredLength) {
  Db db(sgtest::fresh_db_path("run_state_reported_until.db"));
  EXPECT_FALSE(reported_until(db));
  ModelRegistry(db).set_window_length_us(1000);
  RunState state(db);
  state.add_weeks({0, 1000, 2000}, WeekRole::incremental);
  EXPECT_FALSE(reported_until(db));  // all pending
  state.advance({0, 1000}, Stage::reported, 1.0, "done");
  EXPECT_EQ(reported_until(db), 2000);  // 1000 + the stored length, not + a week
  state.advance({2000}, Stage::identified, 1.0, "scored");
  EXPECT_EQ(reported_until(db), 2000);
}

TEST(Evaluate, HasScannerRowsLooksAtTheWholeWindowsOfTheRange) {
  Db db(sgtest::fresh_db_path("evaluate_has_rows.db"));
  ModelRegistry(db).set_window_length_us(1000);
  const aggregate::Windows w = stored_windows(db);
  EXPECT_FALSE(has_scanner_rows(db, w, 0, 3000));
  ScannerRow r;
  r.window_start = 1000;
  r.window_end = 2000;
  r.ip = "192.0.2.1";
  r.org = "acme";
  r.votes = r.evidence = "{}";
  r.services = "http";
  r.model_version = "m";
  ScannerStore(db).replace_window(1000, 2000, {r});
  EXPECT_TRUE(has_scanner_rows(db, w, 1000, 2000));
  EXPECT_TRUE(has_scanner_rows(db, w, 1500, 1600));  // widened to the window holding it
  EXPECT_FALSE(has_scanner_rows(db, w, 0, 1000));
  EXPECT_FALSE(has_scanner_rows(db, w, 2000, 5000));
  ScannerQuery q;
  q.ip = "192.0.2.1";
  EXPECT_TRUE(ScannerStore(db).any(q));
  q.org = "beta";
  EXPECT_FALSE(ScannerStore(db).any(q));
}

TEST(Windows, SetWindowsKeepsTheAnchorTheRunsWeeksWereCutWith) {
  Db db(sgtest::fresh_db_path("windows_set.db"));
  set_windows(db, 1000, std::nullopt);
  EXPECT_EQ(stored_windows(db).anchor_us, 1000);
  EXPECT_EQ(stored_windows(db).length_us, aggregate::kWeekUs);  // unset: left as it was
  set_windows(db, 2000, 500);                                   // no weeks run yet: free to change
  EXPECT_EQ(stored_windows(db).anchor_us, 2000);
  EXPECT_EQ(stored_windows(db).length_us, 500);
  RunState(db).add_weeks({2000}, WeekRole::bootstrap);
  EXPECT_THROW(set_windows(db, 3000, std::nullopt), std::runtime_error);
  EXPECT_EQ(stored_windows(db).anchor_us, 2000);
  EXPECT_NO_THROW(set_windows(db, 2000, std::nullopt));  // the same anchor again is fine
}

}  // namespace
}  // namespace sg::workflow
