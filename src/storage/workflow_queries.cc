#include "storage/workflow_queries.h"

#include "storage/sqlite.h"

namespace sg {

void for_each_probe_fact(Db& db, int64_t from_us, int64_t to_us, const std::function<void(const ProbeFactRow&)>& fn) {
  Stmt s(db, "SELECT ts_us, src, service, json FROM probes WHERE ts_us >= ? AND ts_us < ? ORDER BY ts_us, id");
  s.bind(1, from_us).bind(2, to_us);
  ProbeFactRow r;
  while (s.step()) {
    r.ts_us = s.col_int(0);
    r.src = s.col_text(1);
    r.service = s.col_text(2);
    r.json = s.col_text(3);
    fn(r);
  }
}

void for_each_probe_flow(Db& db, int64_t from_us, int64_t to_us, const std::function<void(const ProbeFlowRow&)>& fn) {
  Stmt s(db, "SELECT ts_us, src, sport, dst, dport, transport FROM probes WHERE ts_us >= ? AND ts_us < ?");
  s.bind(1, from_us).bind(2, to_us);
  ProbeFlowRow r;
  while (s.step()) {
    r.ts_us = s.col_int(0);
    r.src = s.col_text(1);
    r.sport = s.col_int(2);
    r.dst = s.col_text(3);
    r.dport = s.col_int(4);
    r.transport = s.col_text(5);
    fn(r);
  }
}

void for_each_labelled_probe(Db& db, int64_t from_us, int64_t to_us,
                             const std::function<void(const LabelledProbeRow&)>& fn) {
  Stmt s(db,
         "SELECT p.ts_us, p.src, l.org FROM probes p JOIN probe_labels l ON l.probe_id = p.id "
         "WHERE p.ts_us >= ? AND p.ts_us < ?");
  s.bind(1, from_us).bind(2, to_us);
  LabelledProbeRow r;
  while (s.step()) {
    r.ts_us = s.col_int(0);
    r.src = s.col_text(1);
    r.org = s.col_text(2);
    fn(r);
  }
}

void for_each_labelled_score(Db& db, const std::string& service, int64_t from_us, int64_t to_us,
                             const std::function<void(const LabelledScoreRow&)>& fn) {
  Stmt s(db,
         "SELECT l.org, r.org, r.model FROM probe_scores r JOIN probes p ON p.id = r.probe_id "
         "JOIN probe_labels l ON l.probe_id = p.id WHERE p.service = ? AND p.ts_us >= ? AND p.ts_us < ?");
  s.bind(1, service).bind(2, from_us).bind(3, to_us);
  LabelledScoreRow r;
  while (s.step()) {
    r.label = s.col_text(0);
    r.predicted = s.col_text(1);
    r.model = s.col_text(2);
    fn(r);
  }
}

std::map<std::string, int64_t> probes_per_service(Db& db, int64_t from_us, int64_t to_us) {
  std::map<std::string, int64_t> out;
  Stmt s(db, "SELECT service, count(*) FROM probes WHERE ts_us >= ? AND ts_us < ? GROUP BY service");
  s.bind(1, from_us).bind(2, to_us);
  while (s.step()) out[s.col_text(0)] = s.col_int(1);
  return out;
}

}  // namespace sg
