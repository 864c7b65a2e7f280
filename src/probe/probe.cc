#include "probe/probe.h"

namespace sg {

namespace {
constexpr const char* kServiceNames[] = {"http", "tls", "dns", "ssh", "rdp", "syn", "other"};
}

const char* service_name(Service s) { return kServiceNames[static_cast<int>(s)]; }

std::optional<Service> service_from_name(const std::string& name) {
  for (int i = 0; i < 7; ++i)
    if (name == kServiceNames[i]) return static_cast<Service>(i);
  return std::nullopt;
}

const char* transport_name(Transport t) { return t == Transport::tcp ? "tcp" : "udp"; }

}  // namespace sg
