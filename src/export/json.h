// The export contract (docs/FIELDS.md): one JSON object per probe, read by checks outside the project.
// Field names here are the names used everywhere (database, features, reports).
#pragma once

#include <string>
#include <string_view>

#include "probe/probe.h"

namespace sg {

// One JSON object on one line, no trailing newline. Keys in the contract's order; absent fields omitted.
std::string probe_to_jsonl(const Probe& p);
// The same text in a buffer owned by this thread, valid until its next call: `extract` writes it out
// without a string per probe.
std::string_view probe_to_jsonl_view(const Probe& p);

}  // namespace sg
