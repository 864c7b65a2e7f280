// How the feature stage reads stored probes: storage's page-at-a-time cursor (storage/probe_stream.h) under
// the names the feature stage's interfaces use, and the log of stored records it could not read.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "storage/probe_stream.h"

namespace sg::features {

using ProbeRow = sg::ProbeRow;
using Window = sg::ProbeWindow;
using ProbeStream = sg::ProbeStream;

// A bad stored record is skipped and counted, with the first few named for the report.
struct SkipLog {
  uint64_t count = 0;
  std::vector<std::string> examples;  // "probe 42: not a JSON object"
  void add(int64_t probe_id, const std::string& why);
};

}  // namespace sg::features
