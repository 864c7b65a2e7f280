// The export contract (docs/FIELDS.md): one JSON object per probe, read by checks outside the project.
// Field names here are the names used everywhere (database, features, reports).
#pragma once

#include <string>
#include <string_view>

#include "probe/probe.h"

namespace sg {

// One JSON object on one line, no trailing newline. Keys in the contract's order; absent fields omitted.
std::string probe_to_jsonl(const Probe& p);

// RFC 3339 UTC with microseconds: 2023-07-03T10:11:12.000123Z
std::string format_ts(int64_t ts_us);
// The wall clock now, in the same form (when a row was written).
std::string now_ts();

// Text from the wire is not always UTF-8. Valid UTF-8 passes unchanged; any other byte is written as the
// four characters \xNN (Zeek's convention), so the JSON stays valid and the raw byte stays visible.
std::string utf8_safe(std::string_view s);

}  // namespace sg
