// The table evaluations: each `evaluate` result kept as JSON for the report, one row per range and
// ensemble (a rerun replaces its row).
#pragma once

#include <cstdint>
#include <string>

#include "storage/db.h"

namespace sg {

void put_evaluation(Db& db, int64_t from_us, int64_t to_us, const std::string& ensemble, const std::string& json);

}  // namespace sg
