#include "storage/probe_stream.h"

#include "storage/label_store.h"
#include "storage/sqlite.h"

namespace sg {

ProbeStream::ProbeStream(Db& db, Service service, ProbeWindow window, bool labelled_only)
    : db_(db), service_(service), window_(window), labelled_only_(labelled_only) {
  ensure_probe_label_tables(db_);
}

bool ProbeStream::next(size_t n, std::vector<ProbeRow>& rows) {
  rows.clear();
  if (done_) return false;
  // The probes_service_ts index returns rows in (ts_us, id) order for one service; CROSS JOIN keeps
  // SQLite from driving the labelled query from probe_labels (a full scan per page).
  // PostgreSQL has no join-order hint (CROSS JOIN ... ON is SQLite's): a plain JOIN, its planner decides.
  Stmt s(db_,
         labelled_only_
             ? (db_.postgres()
                    ? "SELECT p.id, p.ts_us, p.src, p.json, l.org FROM probes p JOIN probe_labels l ON l.probe_id=p.id "
                      "WHERE p.service=?1 AND (?2 IS NULL OR p.ts_us>=?2) AND (?3 IS NULL OR p.ts_us<?3) "
                      "AND p.ts_us>=?4 AND (p.ts_us>?4 OR p.id>?5) ORDER BY p.ts_us, p.id LIMIT ?6"
                    : "SELECT p.id, p.ts_us, p.src, p.json, l.org FROM probes p CROSS JOIN probe_labels l ON "
                      "l.probe_id=p.id WHERE p.service=?1 AND (?2 IS NULL OR p.ts_us>=?2) AND (?3 IS NULL OR "
                      "p.ts_us<?3) AND p.ts_us>=?4 AND (p.ts_us>?4 OR p.id>?5) ORDER BY p.ts_us, p.id LIMIT ?6")
             : "SELECT p.id, p.ts_us, p.src, p.json, coalesce(l.org,'') FROM probes p "
               "LEFT JOIN probe_labels l ON l.probe_id=p.id "
               "WHERE p.service=?1 AND (?2 IS NULL OR p.ts_us>=?2) AND (?3 IS NULL OR p.ts_us<?3) "
               "AND p.ts_us>=?4 AND (p.ts_us>?4 OR p.id>?5) ORDER BY p.ts_us, p.id LIMIT ?6");
  s.bind(1, service_name(service_));
  if (window_.from_us)
    s.bind(2, *window_.from_us);
  else
    s.bind_null_int(2);
  if (window_.to_us)
    s.bind(3, *window_.to_us);
  else
    s.bind_null_int(3);
  s.bind(4, last_ts_).bind(5, last_id_).bind(6, int64_t(n));
  while (s.step()) rows.push_back({s.col_int(0), s.col_int(1), s.col_text(2), s.col_text(3), s.col_text(4)});
  if (rows.size() < n) done_ = true;
  if (rows.empty()) return false;
  last_ts_ = rows.back().ts_us;
  last_id_ = rows.back().id;
  return true;
}

}  // namespace sg
