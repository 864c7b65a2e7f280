#include "workflow/predict.h"

#include <chrono>
#include <unordered_set>

#include "features/batch_reader.h"
#include "features/feature_store.h"
#include "model/iomatch.h"
#include "storage/prediction_store.h"

namespace sg::workflow {

PredictReport predict_service(Db& db, Service service, int64_t from_us, int64_t to_us,
                              const std::optional<ModelRun>& chosen) {
  auto start = std::chrono::steady_clock::now();
  PredictReport rep;
  rep.service = service_name(service);
  ModelRegistry reg(db);
  auto run = chosen ? chosen : reg.latest_model(rep.service);
  if (!run) return rep;
  rep.model = run->version;
  PredictionStore store(db);
  auto missing = store.missing(rep.service, from_us, to_us, run->version);
  if (missing.empty()) return rep;
  std::unordered_set<int64_t> todo(missing.begin(), missing.end());

  auto schema = features::load_schema(db, service, features::mode_from_name(run->mode), run->schema_version);
  if (!schema) throw std::runtime_error(rep.model + ": its encoding schema is missing from the database");
  auto m = model::Model::load(run->path);
  features::BatchReader reader(db, *schema, features::Window{from_us, to_us}, 2048);
  features::EncodedBatch b;
  std::vector<uint8_t> cells;
  std::vector<int64_t> ids;
  while (reader.next(b)) {
    cells.clear();
    ids.clear();
    for (size_t i = 0; i < b.size(); ++i) {
      if (!todo.count(b.probe_ids[i])) {
        ++rep.already;
        continue;
      }
      ids.push_back(b.probe_ids[i]);
      cells.insert(cells.end(), b.image(i), b.image(i) + b.cells_per_probe);
    }
    if (ids.empty()) continue;
    auto p = m.predict(cells.data(), ids.size());
    const int K = p.num_classes;
    std::vector<PredictionRow> rows(ids.size());
    for (size_t i = 0; i < ids.size(); ++i) {
      auto& r = rows[i];
      r.probe_id = ids[i];
      r.model = run->version;
      r.org = p.pred[i] == K ? "unknown" : run->classes.at(p.pred[i]);
      r.prob = p.probs[i * (K + 1) + p.pred[i]];
      r.feature.assign(p.feature.begin() + i * model::kFeatureDim, p.feature.begin() + (i + 1) * model::kFeatureDim);
    }
    store.put(rows);
    rep.predicted += ids.size();
  }
  rep.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return rep;
}

}  // namespace sg::workflow
