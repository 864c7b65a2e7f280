#include "features/batch_reader.h"

#include "features/labels.h"

namespace sg::features {

BatchReader::BatchReader(Db& db, const Schema& schema, Window window, size_t batch_size)
    : encoder_(schema),
      stream_(db, schema.service, window),
      batch_size_(batch_size ? batch_size : 1),
      eval_unknown_(eval_unknown_orgs(db)) {}

bool BatchReader::next(EncodedBatch& b) {
  b = EncodedBatch{};
  b.side = encoder_.side();
  b.cells_per_probe = int(encoder_.cells_per_probe());
  // A page may hold bad records; keep reading until the batch has a probe or the window is done.
  while (b.size() == 0) {
    if (!stream_.next(batch_size_, rows_)) return false;
    b.cells.resize(rows_.size() * encoder_.cells_per_probe());
    for (ProbeRow& r : rows_) {
      if (!encoder_.encode_text(r.json, doc_, b.cells.data() + b.size() * encoder_.cells_per_probe())) {
        skips_.add(r.id, "stored JSON is not an object");
        continue;
      }
      b.probe_ids.push_back(r.id);
      b.ts_us.push_back(r.ts_us);
      b.src.push_back(std::move(r.src));
      b.labels.push_back(eval_unknown_.count(org_key(r.org)) ? std::string() : r.org);
      b.orgs.push_back(std::move(r.org));
    }
    b.cells.resize(b.size() * encoder_.cells_per_probe());
  }
  return true;
}

}  // namespace sg::features
