#include "workflow/windows.h"

#include "storage/model_registry.h"

namespace sg::workflow {

int64_t window_anchor_us(Db& db) { return ModelRegistry(db).window_anchor_us().value_or(aggregate::kDefaultAnchorUs); }

aggregate::Windows stored_windows(Db& db) {
  ModelRegistry reg(db);
  aggregate::Windows w;
  w.anchor_us = reg.window_anchor_us().value_or(aggregate::kDefaultAnchorUs);
  w.length_us = reg.window_length_us().value_or(aggregate::kWeekUs);
  return w;
}

}  // namespace sg::workflow
