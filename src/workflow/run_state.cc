#include "workflow/run_state.h"

#include <chrono>
#include <stdexcept>

#include "util/time.h"
#include "workflow/windows.h"

namespace sg::workflow {

namespace {

std::string now_text() {
  return format_ts(
      std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
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
    case Stage::pending:
      return "pending";
    case Stage::trained:
      return "trained";
    case Stage::identified:
      return "identified";
    case Stage::updated:
      return "updated";
    case Stage::reported:
      return "reported";
  }
  return "?";
}

Stage next_stage(WeekRole role, Stage s) {
  if (role == WeekRole::bootstrap) {
    switch (s) {
      case Stage::pending:
        return Stage::trained;
      case Stage::trained:
        return Stage::identified;
      default:
        return Stage::reported;
    }
  }
  switch (s) {
    case Stage::pending:
      return Stage::identified;
    case Stage::identified:
      return Stage::updated;
    default:
      return Stage::reported;
  }
}

RunState::RunState(Db& db) : table_(db) {}

std::vector<WeekState> RunState::weeks() {
  std::vector<WeekState> out;
  for (auto& r : table_.rows()) {
    WeekState w;
    w.window_start = r.window_start;
    w.role = role_from(r.role);
    w.stage = stage_from(r.stage);
    w.updated = std::move(r.updated);
    w.seconds = r.seconds;
    w.log = std::move(r.log);
    out.push_back(std::move(w));
  }
  return out;
}

void RunState::add_weeks(const std::vector<int64_t>& starts, WeekRole role, Stage stage) {
  table_.add(starts, role_name(role), stage_name(stage), now_text());
}

void RunState::advance(const std::vector<int64_t>& starts, Stage to, double seconds, const std::string& log) {
  table_.advance(starts, stage_name(to), now_text(), seconds, log);
}

std::optional<int64_t> reported_until(Db& db) {
  const int64_t length = stored_windows(db).length_us;
  std::optional<int64_t> until;
  for (const auto& wk : RunState(db).weeks())
    if (wk.stage == Stage::reported) until = wk.window_start + length;
  return until;
}

}  // namespace sg::workflow
