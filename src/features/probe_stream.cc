#include "features/probe_stream.h"

#include <fmt/format.h>

namespace sg::features {

void SkipLog::add(int64_t probe_id, const std::string& why) {
  ++count;
  if (examples.size() < 10) examples.push_back(fmt::format("probe {}: {}", probe_id, why));
}

}  // namespace sg::features
