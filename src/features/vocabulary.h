// Token counts over a window of stored probes: the vocabulary a schema is built or grown from.
#pragma once

#include <string>
#include <vector>

#include "features/probe_stream.h"
#include "features/schema.h"

namespace sg::features {

// For each option field among `fields` (alphabetical), the number of probes of `service` in `window`
// carrying each token ("absent" for probes without the field). Reads the store a page at a time.
TokenCounts count_tokens(Db& db, Service service, const std::vector<std::string>& fields, Window window,
                         SkipLog* skips = nullptr);

// The same over probes already parsed (tests, benchmarks).
void add_probe_tokens(const ProbeDoc& probe, Service service, TokenCounts& counts);

}  // namespace sg::features
