#include "workflow/run_state.h"

#include <chrono>
#include <stdexcept>

#include "export/json.h"

namespace sg::workflow {

namespace {

const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS run_weeks(
  window_start INTEGER PRIMARY KEY,
  role TEXT NOT NULL,
  stage TEXT NOT NULL,
  updated TEXT NOT NULL,
  seconds REAL NOT NULL DEFAULT 0,
  log TEXT NOT NULL DEFAULT '');
)sql";

std::string now_text() {
  return format_ts(std::chrono::duration_cast<std::chrono::microseconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count());
}

WeekRole role_from(const std::string& s) {
  if (s == "bootstrap") return WeekRole::bootstrap;
  if (s == "incremental") return WeekRole::incremental;
  throw std::runtime_error("run_weeks: unknown role '" + s + "'");
}

Stage stage_from(const std::string& s) {
  for (Stage st : {Stage::pending, Stage::trained, Stage::identified, Stage::updated, Stage::reported})
    if (s == stage_name(st)) return st;
  throw std::runtime_error("run_weeks: unknown stage '" + s + "'");
}

}  // namespace

const char* role_name(WeekRole r) { return r == WeekRole::bootstrap ? "bootstrap" : "incremental"; }

const char* stage_name(Stage s) {
  switch (s) {
    case Stage::pending: return "pending";
    case Stage::trained: return "trained";
    case Stage::identified: return "identified";
    case Stage::updated: return "updated";
    case Stage::reported: return "reported";
  }
  return "?";
}

Stage next_stage(WeekRole role, Stage s) {
  if (role == WeekRole::bootstrap) {
    switch (s) {
      case Stage::pending: return Stage::trained;
      case Stage::trained: return Stage::identified;
      default: return Stage::reported;
    }
  }
  switch (s) {
    case Stage::pending: return Stage::identified;
    case Stage::identified: return Stage::updated;
    default: return Stage::reported;
  }
}

RunState::RunState(Db& db) : db_(db) { db_.ensure_schema(kSchema); }

std::vector<WeekState> RunState::weeks() {
  Stmt s(db_, "SELECT window_start, role, stage, updated, seconds, log FROM run_weeks ORDER BY window_start");
  std::vector<WeekState> out;
  while (s.step()) {
    WeekState w;
    w.window_start = s.col_int(0);
    w.role = role_from(s.col_text(1));
    w.stage = stage_from(s.col_text(2));
    w.updated = s.col_text(3);
    w.seconds = s.col_double(4);
    w.log = s.col_text(5);
    out.push_back(std::move(w));
  }
  return out;
}

void RunState::add_weeks(const std::vector<int64_t>& starts, WeekRole role, Stage stage) {
  Transaction tx(db_);
  Stmt s(db_, "INSERT OR IGNORE INTO run_weeks(window_start, role, stage, updated) VALUES(?,?,?,?)");
  const std::string now = now_text();
  for (int64_t w : starts) {
    s.bind(1, w).bind(2, role_name(role)).bind(3, stage_name(stage)).bind(4, now);
    s.step();
    s.reset();
  }
  tx.commit();
}

void RunState::advance(const std::vector<int64_t>& starts, Stage to, double seconds, const std::string& log) {
  Transaction tx(db_);
  Stmt s(db_,
         "UPDATE run_weeks SET stage=?, updated=?, seconds=seconds+?, "
         "log=CASE WHEN log='' THEN ? ELSE log || '; ' || ? END WHERE window_start=?");
  const std::string now = now_text();
  for (int64_t w : starts) {
    s.bind(1, stage_name(to)).bind(2, now).bind_double(3, seconds).bind(4, log).bind(5, log).bind(6, w);
    s.step();
    s.reset();
  }
  tx.commit();
}

}  // namespace sg::workflow
