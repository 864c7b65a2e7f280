#include "util/host.h"

#include <unistd.h>

namespace sg {

std::string host_name(const std::string& fallback) {
  char name[256] = {};
  if (::gethostname(name, sizeof name - 1) != 0 || !name[0]) return fallback;
  return name;
}

}  // namespace sg
