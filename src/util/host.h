// The machine's host name: the default sensor name of `ingest` and `sense`.
#pragma once

#include <string>

namespace sg {

// gethostname(2); `fallback` when the system gives none.
std::string host_name(const std::string& fallback);

}  // namespace sg
