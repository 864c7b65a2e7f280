// The windows every stage shares, as the database stores them (storage/model_registry.h: meta
// windows.anchor_us and windows.length_us), with agg's defaults (weeks from a Monday) where none is stored.
#pragma once

#include <cstdint>
#include <optional>

#include "aggregate/window.h"
#include "storage/db.h"

namespace sg::workflow {

int64_t window_anchor_us(Db& db);
aggregate::Windows stored_windows(Db& db);

// Stores the anchor and/or the length chosen on a command line (unset: left as stored). The weeks `run`
// has already taken were cut with the stored anchor, so once there are any a different anchor is refused
// (std::runtime_error): the weeks would no longer line up.
void set_windows(Db& db, std::optional<int64_t> anchor_us, std::optional<int64_t> length_us);

}  // namespace sg::workflow
