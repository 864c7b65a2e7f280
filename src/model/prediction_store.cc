#include "model/prediction_store.h"

#include <bit>
#include <cstring>
#include <memory>

namespace sg::model {
namespace {

// Blobs hold float32 in the host's order; every platform the project builds on is little-endian.
static_assert(std::endian::native == std::endian::little, "prediction blobs assume a little-endian host");

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS probe_predictions(
  model TEXT NOT NULL,
  probe_id INTEGER NOT NULL,
  num_classes INTEGER NOT NULL,
  pred INTEGER NOT NULL,
  unknown_prob REAL NOT NULL,
  probs BLOB NOT NULL,
  feature BLOB NOT NULL,
  PRIMARY KEY(model, probe_id));
)sql";

// Stmt binds text and integers only; blobs and reals go through the C API on our own statement.
struct Finalize {
  void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
};
using RawStmt = std::unique_ptr<sqlite3_stmt, Finalize>;

RawStmt prepare(Db& db, const char* sql) {
  sqlite3_stmt* s = nullptr;
  if (sqlite3_prepare_v2(db.handle(), sql, -1, &s, nullptr) != SQLITE_OK) db.fail("prepare");
  return RawStmt(s);
}

std::vector<float> floats(sqlite3_stmt* s, int col) {
  const int bytes = sqlite3_column_bytes(s, col);
  std::vector<float> out(static_cast<size_t>(bytes) / sizeof(float));
  if (!out.empty()) std::memcpy(out.data(), sqlite3_column_blob(s, col), out.size() * sizeof(float));
  if (static_cast<size_t>(bytes) != out.size() * sizeof(float)) out.clear();  // ragged: reported by caller
  return out;
}

}  // namespace

void create_prediction_table(Db& db) { db.exec(kSchema); }

void store_predictions(Db& db, const std::string& model_tag, const std::vector<int64_t>& probe_ids,
                       const Prediction& p) {
  const int k1 = p.num_classes + 1;
  if (probe_ids.size() != p.size() || p.probs.size() != p.size() * k1 || p.feature.size() != p.size() * kFeatureDim)
    throw std::invalid_argument("store_predictions: probe ids, probabilities and features disagree in count");
  create_prediction_table(db);
  Transaction tx(db);
  auto s = prepare(db,
                   "INSERT OR REPLACE INTO probe_predictions(model, probe_id, num_classes, pred, unknown_prob, "
                   "probs, feature) VALUES(?,?,?,?,?,?,?)");
  for (size_t i = 0; i < p.size(); ++i) {
    sqlite3_stmt* st = s.get();
    sqlite3_bind_text(st, 1, model_tag.data(), static_cast<int>(model_tag.size()), SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, probe_ids[i]);
    sqlite3_bind_int(st, 3, p.num_classes);
    sqlite3_bind_int(st, 4, p.pred[i]);
    sqlite3_bind_double(st, 5, p.probs[i * k1 + p.num_classes]);
    sqlite3_bind_blob(st, 6, p.probs.data() + i * k1, k1 * static_cast<int>(sizeof(float)), SQLITE_STATIC);
    sqlite3_bind_blob(st, 7, p.feature.data() + i * kFeatureDim, kFeatureDim * static_cast<int>(sizeof(float)),
                      SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_DONE) db.fail("insert prediction");
    sqlite3_reset(st);
  }
  tx.commit();
}

std::vector<ProbePrediction> load_predictions(Db& db, const std::string& model_tag) {
  create_prediction_table(db);
  auto s = prepare(db,
                   "SELECT probe_id, num_classes, pred, probs, feature FROM probe_predictions WHERE model = ? "
                   "ORDER BY probe_id");
  sqlite3_bind_text(s.get(), 1, model_tag.data(), static_cast<int>(model_tag.size()), SQLITE_STATIC);
  std::vector<ProbePrediction> out;
  int rc;
  while ((rc = sqlite3_step(s.get())) == SQLITE_ROW) {
    ProbePrediction r;
    r.probe_id = sqlite3_column_int64(s.get(), 0);
    const int64_t k = sqlite3_column_int64(s.get(), 1);
    r.pred = static_cast<int>(sqlite3_column_int64(s.get(), 2));
    r.probs = floats(s.get(), 3);
    r.feature = floats(s.get(), 4);
    if (k < 1 || r.pred < 0 || r.pred > k || static_cast<int64_t>(r.probs.size()) != k + 1 ||
        r.feature.size() != static_cast<size_t>(kFeatureDim))
      throw StoreError(db.path() + ": damaged prediction row for probe " + std::to_string(r.probe_id) +
                       " of model " + model_tag);
    out.push_back(std::move(r));
  }
  if (rc != SQLITE_DONE) db.fail("read predictions");
  return out;
}

}  // namespace sg::model
