#include "storage/analysis_queries.h"

#include "storage/sqlite.h"

namespace sg {

std::vector<std::string> predicted_services(Db& db, int64_t from_us, int64_t to_us) {
  Stmt s(db,
         "SELECT DISTINCT p.service FROM probe_predictions r JOIN probes p ON p.id = r.probe_id "
         "WHERE p.ts_us >= ? AND p.ts_us < ?");
  s.bind(1, from_us).bind(2, to_us);
  std::vector<std::string> out;
  while (s.step()) out.push_back(s.col_text(0));
  return out;
}

std::string dominant_model(Db& db, const std::string& service, int64_t from_us, int64_t to_us) {
  Stmt s(db,
         "SELECT r.model, count(*) AS n FROM probe_predictions r JOIN probes p ON p.id = r.probe_id "
         "WHERE p.service = ? AND p.ts_us >= ? AND p.ts_us < ? GROUP BY r.model ORDER BY n DESC, r.model DESC LIMIT 1");
  s.bind(1, service).bind(2, from_us).bind(3, to_us);
  return s.step() ? s.col_text(0) : std::string();
}

void for_each_scanned_prediction(Db& db, const std::string& service, int64_t from_us, int64_t to_us,
                                 const std::function<void(const ScannedPrediction&)>& fn) {
  Stmt s(db,
         "SELECT p.id, p.ts_us, p.src, p.json, r.org, r.model, r.feature, s.org FROM probe_predictions r "
         "JOIN probes p ON p.id = r.probe_id "
         "JOIN scanners s ON s.ip = p.src AND s.window_start <= p.ts_us AND p.ts_us < s.window_end "
         "WHERE p.service = ? AND p.ts_us >= ? AND p.ts_us < ? ORDER BY p.ts_us, p.id");
  s.bind(1, service).bind(2, from_us).bind(3, to_us);
  ScannedPrediction row;
  while (s.step()) {
    row.probe_id = s.col_int(0);
    row.ts_us = s.col_int(1);
    row.ip = s.col_text(2);
    row.json = s.col_blob(3);  // the text's bytes, without a copy
    row.org = s.col_text(4);
    row.model = s.col_text(5);
    row.feature = s.col_blob(6);
    row.scanner_org = s.col_text(7);
    fn(row);
  }
}

void for_each_labelled_prediction(Db& db, int64_t from_us, int64_t to_us,
                                  const std::function<void(const LabelledPrediction&)>& fn) {
  Stmt s(db,
         "SELECT p.src, p.service, l.org, r.org, r.prob, p.ts_us, p.json, "
         "(SELECT s.org FROM scanners s WHERE s.ip = p.src AND s.window_start <= p.ts_us AND p.ts_us < s.window_end) "
         "FROM probe_predictions r JOIN probes p ON p.id = r.probe_id JOIN probe_labels l ON l.probe_id = p.id "
         "WHERE p.ts_us >= ? AND p.ts_us < ? ORDER BY p.ts_us, p.id");
  s.bind(1, from_us).bind(2, to_us);
  LabelledPrediction row;
  while (s.step()) {
    row.ip = s.col_text(0);
    row.service = s.col_text(1);
    row.label = s.col_text(2);
    row.predicted = s.col_text(3);
    row.prob = s.col_double(4);
    row.ts_us = s.col_int(5);
    row.json = s.col_blob(6);
    row.scanner_org = s.col_null(7) ? std::nullopt : std::optional<std::string>(s.col_text(7));
    fn(row);
  }
}

}  // namespace sg
