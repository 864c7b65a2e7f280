// Encoded probes for the model stage: one service, one time window, a batch at a time, each with its
// label. Memory is one batch of rows and images, whatever the size of the store.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "features/encoder.h"
#include "features/probe_stream.h"

namespace sg::features {

struct EncodedBatch {
  std::vector<int64_t> probe_ids, ts_us;
  std::vector<std::string> src;
  std::vector<std::string> labels;  // training label: the org, "" when unlabelled or evaluation-unknown
  std::vector<std::string> orgs;    // the stored label ("" when unlabelled), evaluation-unknown orgs kept
  std::vector<uint8_t> cells;       // size() images of cells_per_probe bytes, row-major side × side
  int side = 0;
  int cells_per_probe = 0;
  size_t size() const { return probe_ids.size(); }
  const uint8_t* image(size_t i) const { return cells.data() + i * size_t(cells_per_probe); }
};

class BatchReader {
 public:
  BatchReader(Db& db, const Schema& schema, Window window, size_t batch_size = 1024);
  // Fills `batch` with the next probes (at most batch_size); false when none are left. Stored records
  // that are not JSON objects are skipped and counted in skips().
  bool next(EncodedBatch& batch);
  const SkipLog& skips() const { return skips_; }
  const Encoder& encoder() const { return encoder_; }

 private:
  Encoder encoder_;
  ProbeStream stream_;
  size_t batch_size_;
  std::set<std::string> eval_unknown_;
  std::vector<ProbeRow> rows_;
  ProbeDoc doc_;
  SkipLog skips_;
};

}  // namespace sg::features
