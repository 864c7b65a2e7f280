#include "storage/run_weeks.h"

#include "storage/schema.h"
#include "storage/sqlite.h"

namespace sg {

namespace {}  // namespace

RunWeeks::RunWeeks(Db& db) : db_(db) { schema::ensure(db_, schema::Tables::run_weeks); }

std::vector<RunWeekRow> RunWeeks::rows() {
  Stmt s(db_, "SELECT window_start, role, stage, updated, seconds, log FROM run_weeks ORDER BY window_start");
  std::vector<RunWeekRow> out;
  while (s.step()) {
    RunWeekRow r;
    r.window_start = s.col_int(0);
    r.role = s.col_text(1);
    r.stage = s.col_text(2);
    r.updated = s.col_text(3);
    r.seconds = s.col_double(4);
    r.log = s.col_text(5);
    out.push_back(std::move(r));
  }
  return out;
}

void RunWeeks::add(const std::vector<int64_t>& starts, const std::string& role, const std::string& stage,
                   const std::string& now) {
  Transaction tx(db_);
  Stmt s(db_, "INSERT INTO run_weeks(window_start, role, stage, updated) VALUES(?,?,?,?) ON CONFLICT DO NOTHING");
  for (int64_t w : starts) {
    s.bind(1, w).bind(2, role).bind(3, stage).bind(4, now);
    s.step();
    s.reset();
  }
  tx.commit();
}

void RunWeeks::advance(const std::vector<int64_t>& starts, const std::string& stage, const std::string& now,
                       double seconds, const std::string& log) {
  Transaction tx(db_);
  Stmt s(db_,
         "UPDATE run_weeks SET stage=?, updated=?, seconds=seconds+?, "
         "log=CASE WHEN log='' THEN ? ELSE log || '; ' || ? END WHERE window_start=?");
  for (int64_t w : starts) {
    s.bind(1, stage).bind(2, now).bind_double(3, seconds).bind(4, log).bind(5, log).bind(6, w);
    s.step();
    s.reset();
  }
  tx.commit();
}

}  // namespace sg
