// The time windows every stage shares, as the database stores them: meta `windows.anchor_us` (where week 0
// starts) and `windows.length_us`, written by the first training (storage/model_registry.h). Read here once
// for the workflow, the analyses and the report, which apply their defaults (aggregate/window.h).
#pragma once

#include <cstdint>
#include <optional>

#include "storage/db.h"

namespace sg {

struct WindowSettings {
  std::optional<int64_t> anchor_us, length_us;  // none stored: empty
};

// Creates nothing (a database without a meta table reads as no settings); a stored value that is not a
// number is a StoreError naming the key.
WindowSettings window_settings(Db& db);

}  // namespace sg
