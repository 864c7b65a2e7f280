#include "workflow/windows.h"

#include "storage/window_settings.h"

namespace sg::workflow {

int64_t window_anchor_us(Db& db) { return stored_windows(db).anchor_us; }

aggregate::Windows stored_windows(Db& db) {
  WindowSettings stored = window_settings(db);
  aggregate::Windows w;
  w.anchor_us = stored.anchor_us.value_or(aggregate::kDefaultAnchorUs);
  w.length_us = stored.length_us.value_or(aggregate::kWeekUs);
  return w;
}

}  // namespace sg::workflow
