// Stored probes of one service in a time window, fetched a page at a time (keyset pagination on
// (ts_us, id)), so that memory follows the page size and not the store, and no read transaction stays open
// between pages. Each probe comes with its label (probe_labels), for the stages that learn from them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "probe/probe.h"
#include "storage/db.h"

namespace sg {

struct ProbeRow {
  int64_t id = 0, ts_us = 0;
  std::string src, json;
  std::string org;  // probe_labels.org, empty when unlabelled
};

struct ProbeWindow {
  std::optional<int64_t> from_us, to_us;  // [from, to)
};

class ProbeStream {
 public:
  // labelled_only: only probes with a probe_labels row.
  ProbeStream(Db& db, Service service, ProbeWindow window, bool labelled_only = false);
  // Replaces `rows` with the next at most `n` probes in (ts_us, id) order; false when none are left.
  bool next(size_t n, std::vector<ProbeRow>& rows);

 private:
  Db& db_;
  Service service_;
  ProbeWindow window_;
  bool labelled_only_;
  int64_t last_ts_ = INT64_MIN, last_id_ = INT64_MIN;
  bool done_ = false;
};

}  // namespace sg
