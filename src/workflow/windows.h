// The windows every stage shares, as the database stores them (storage/model_registry.h: meta
// windows.anchor_us and windows.length_us), with agg's defaults (weeks from a Monday) where none is stored.
#pragma once

#include <cstdint>

#include "aggregate/window.h"
#include "storage/db.h"

namespace sg::workflow {

int64_t window_anchor_us(Db& db);
aggregate::Windows stored_windows(Db& db);

}  // namespace sg::workflow
