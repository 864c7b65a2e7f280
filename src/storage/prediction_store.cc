#include "storage/prediction_store.h"

#include <cstring>

#include "storage/schema.h"
#include "storage/sqlite.h"

namespace sg {

namespace {}  // namespace

PredictionStore::PredictionStore(Db& db) : db_(db) { schema::ensure(db_, schema::Tables::predictions); }

void PredictionStore::put(const std::vector<PredictionRow>& rows) {
  Transaction tx(db_);
  Stmt s(db_,
         "INSERT INTO probe_predictions(probe_id, model, org, prob, feature) VALUES(?,?,?,?,?) ON CONFLICT(probe_id) "
         "DO UPDATE SET model=excluded.model, org=excluded.org, prob=excluded.prob, feature=excluded.feature");
  for (const auto& r : rows) {
    s.reset();
    s.bind(1, r.probe_id).bind(2, r.model).bind(3, r.org).bind_double(4, r.prob);
    if (r.feature.empty())
      s.bind_null(5);
    else
      s.bind_blob(5, r.feature.data(), r.feature.size() * sizeof(float));
    s.step();
  }
  tx.commit();
}

void PredictionStore::for_each(const PredictionQuery& q, const std::function<void(const PredictedProbe&)>& fn) {
  std::string sql = "SELECT p.id, p.ts_us, p.src, p.service, r.org, r.model, r.prob";
  sql += q.with_feature ? ", r.feature" : ", NULL";
  sql += q.with_json ? ", p.json" : ", NULL";
  sql += " FROM probe_predictions r JOIN probes p ON p.id = r.probe_id WHERE TRUE";
  if (q.service) sql += " AND p.service = ?1";
  if (q.from_us) sql += " AND p.ts_us >= ?2";
  if (q.to_us) sql += " AND p.ts_us < ?3";
  sql += " ORDER BY p.ts_us, p.id";
  Stmt s(db_, sql.c_str());
  if (q.service) s.bind(1, *q.service);
  if (q.from_us) s.bind(2, *q.from_us);
  if (q.to_us) s.bind(3, *q.to_us);
  PredictedProbe p;
  while (s.step()) {
    p.probe_id = s.col_int(0);
    p.ts_us = s.col_int(1);
    p.ip = s.col_text(2);
    p.service = s.col_text(3);
    p.org = s.col_text(4);
    p.model = s.col_text(5);
    p.prob = s.col_double(6);
    p.feature.clear();
    if (q.with_feature && !s.col_null(7)) {
      auto blob = s.col_blob(7);
      p.feature.resize(blob.size() / sizeof(float));
      std::memcpy(p.feature.data(), blob.data(), p.feature.size() * sizeof(float));
    }
    p.json = q.with_json ? s.col_text(8) : std::string();
    fn(p);
  }
}

std::vector<int64_t> PredictionStore::missing(const std::string& service, int64_t from_us, int64_t to_us,
                                              const std::string& model) {
  Stmt s(db_,
         "SELECT p.id FROM probes p LEFT JOIN probe_predictions r ON r.probe_id = p.id "
         "WHERE p.service = ? AND p.ts_us >= ? AND p.ts_us < ? AND (r.model IS NULL OR r.model != ?) ORDER BY p.id");
  s.bind(1, service).bind(2, from_us).bind(3, to_us).bind(4, model);
  std::vector<int64_t> ids;
  while (s.step()) ids.push_back(s.col_int(0));
  return ids;
}

void PredictionStore::keep_scores(int64_t from_us, int64_t to_us) {
  Stmt del(db_, "DELETE FROM probe_scores WHERE probe_id IN (SELECT id FROM probes WHERE ts_us >= ? AND ts_us < ?)");
  del.bind(1, from_us).bind(2, to_us);
  del.step();
  Stmt ins(db_,
           "INSERT INTO probe_scores(probe_id, model, org, prob) SELECT r.probe_id, r.model, r.org, r.prob "
           "FROM probe_predictions r JOIN probes p ON p.id = r.probe_id WHERE p.ts_us >= ? AND p.ts_us < ?");
  ins.bind(1, from_us).bind(2, to_us);
  ins.step();
}

}  // namespace sg
