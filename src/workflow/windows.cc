#include "workflow/windows.h"

#include <stdexcept>

#include "storage/model_registry.h"
#include "storage/window_settings.h"
#include "workflow/run_state.h"

namespace sg::workflow {

int64_t window_anchor_us(Db& db) { return stored_windows(db).anchor_us; }

aggregate::Windows stored_windows(Db& db) {
  WindowSettings stored = window_settings(db);
  aggregate::Windows w;
  w.anchor_us = stored.anchor_us.value_or(aggregate::kDefaultAnchorUs);
  w.length_us = stored.length_us.value_or(aggregate::kWeekUs);
  return w;
}

void set_windows(Db& db, std::optional<int64_t> anchor_us, std::optional<int64_t> length_us) {
  ModelRegistry reg(db);
  if (anchor_us) {
    if (!RunState(db).weeks().empty() && window_anchor_us(db) != *anchor_us)
      throw std::runtime_error("--week-anchor differs from the anchor the weeks already run were cut with");
    reg.set_window_anchor_us(*anchor_us);
  }
  if (length_us) reg.set_window_length_us(*length_us);
}

}  // namespace sg::workflow
