#include "probe/service.h"

namespace sg {

std::vector<Service> voted_services() {
  std::vector<Service> out;
  for (const auto& s : kServices)
    if (s.voted) out.push_back(s.id);
  return out;
}

std::string join_service_names(const char* separator, const std::function<bool(const ServiceInfo&)>& keep) {
  std::string out;
  for (const auto& s : kServices)
    if (!keep || keep(s)) out += (out.empty() ? "" : separator) + std::string(s.name);
  return out;
}

}  // namespace sg
