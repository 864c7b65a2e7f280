#include "storage/scanner_store.h"

#include <string>

#include "storage/schema.h"
#include "storage/sqlite.h"

namespace sg {

namespace {

const char* kColumns =
    "window_start, window_end, ip, org, probability, votes, first_seen, last_seen, services, probes, evidence, "
    "model_version, confidence, evidence_kind, reason";

ScannerRow read_row(Stmt& s) {
  ScannerRow r;
  r.window_start = s.col_int(0);
  r.window_end = s.col_int(1);
  r.ip = s.col_text(2);
  r.org = s.col_text(3);
  r.probability = s.col_double(4);
  r.votes = s.col_text(5);
  r.first_seen_us = s.col_int(6);
  r.last_seen_us = s.col_int(7);
  r.services = s.col_text(8);
  r.probes = s.col_int(9);
  r.evidence = s.col_text(10);
  r.model_version = s.col_text(11);
  r.confidence = s.col_double(12);
  r.evidence_kind = s.col_text(13);
  r.reason = s.col_text(14);
  return r;
}

// A database from before the trust columns, opened read-only, reads its rows as the learned model's.
const char* kOldColumns =
    "window_start, window_end, ip, org, probability, votes, first_seen, last_seen, services, probes, evidence, "
    "model_version, probability, 'learned', ''";

}  // namespace

ScannerStore::ScannerStore(Db& db) : db_(db) {
  schema::ensure(db_, schema::Tables::scanners);  // a writer also adds the trust columns an older file lacks
  columns_ = schema::has_column(db_, "scanners", "confidence") ? kColumns : kOldColumns;
}

size_t ScannerStore::replace_window(int64_t start, int64_t end, const std::vector<ScannerRow>& rows) {
  Transaction tx(db_);
  Stmt del(db_, "DELETE FROM scanners WHERE window_start=?");
  del.bind(1, start);
  del.step();
  Stmt ins(db_, (std::string("INSERT INTO scanners(") + kColumns + ") VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)").c_str());
  for (const auto& r : rows) {
    ins.reset();
    ins.bind(1, start).bind(2, end).bind(3, r.ip).bind(4, r.org).bind_double(5, r.probability).bind(6, r.votes);
    ins.bind(7, r.first_seen_us).bind(8, r.last_seen_us).bind(9, r.services).bind(10, r.probes);
    ins.bind(11, r.evidence).bind(12, r.model_version).bind_double(13, r.confidence).bind(14, r.evidence_kind);
    ins.bind(15, r.reason);
    ins.step();
  }
  tx.commit();
  return rows.size();
}

namespace {

// The filter of a query: its WHERE clause, bound by bind_query.
std::string where_of(const ScannerQuery& q) {
  std::string sql = " WHERE TRUE";
  if (q.from_us) sql += " AND window_start >= ?1";
  if (q.to_us) sql += " AND window_start < ?2";
  if (q.org) sql += " AND org = ?3";
  if (q.ip) sql += " AND ip = ?4";
  return sql;
}

void bind_query(Stmt& s, const ScannerQuery& q) {
  if (q.from_us) s.bind(1, *q.from_us);
  if (q.to_us) s.bind(2, *q.to_us);
  if (q.org) s.bind(3, *q.org);
  if (q.ip) s.bind(4, *q.ip);
}

}  // namespace

void ScannerStore::for_each(const ScannerQuery& q, const std::function<void(const ScannerRow&)>& fn) {
  const std::string sql =
      std::string("SELECT ") + columns_ + " FROM scanners" + where_of(q) + " ORDER BY window_start, ip";
  Stmt s(db_, sql.c_str(), Stmt::reuse);  // one of 16 texts
  bind_query(s, q);
  while (s.step()) fn(read_row(s));
}

bool ScannerStore::any(const ScannerQuery& q) {
  const std::string sql = "SELECT EXISTS (SELECT 1 FROM scanners" + where_of(q) + ")";
  Stmt s(db_, sql.c_str());
  bind_query(s, q);
  return s.step() && s.col_int(0) != 0;
}

std::vector<ScannerRow> ScannerStore::rows(const ScannerQuery& q) {
  std::vector<ScannerRow> out;
  for_each(q, [&](const ScannerRow& r) { out.push_back(r); });
  return out;
}

std::vector<int64_t> ScannerStore::windows() {
  std::vector<int64_t> out;
  Stmt s(db_, "SELECT DISTINCT window_start FROM scanners ORDER BY window_start");
  while (s.step()) out.push_back(s.col_int(0));
  return out;
}

}  // namespace sg
