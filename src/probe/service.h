// The one table of services: every stage that lists, orders or looks up services iterates kServices
// instead of writing its own list, so a new protocol is added here once (docs/ARCHITECTURE.md, "Adding a protocol").
// Its order is the order of Service and the order services appear in the database, the export and the reports.
#pragma once

#include <array>
#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "probe/probe.h"

namespace sg {

struct ServiceInfo {
  Service id;
  const char* name;  // as stored (probes.service) and exported ("service" and the section key)
  // It has contract fields the feature registry reads (features/registry.cc): `select` ranks them, the models
  // encode them, and its unknown probes are clustered (`clusters`, the report).
  bool has_fields;
  // A per-service model votes on its probes: the ensemble and the baselines combine these services' votes.
  bool voted;
};

inline constexpr std::array<ServiceInfo, 7> kServices = {{
    {Service::http, "http", true, true},
    {Service::tls, "tls", true, true},
    {Service::dns, "dns", true, true},
    {Service::ssh, "ssh", true, false},
    {Service::rdp, "rdp", true, false},
    {Service::syn, "syn", true, false},
    {Service::other, "other", false, false},
}};

// Indexed by the enum: each row sits at the position of its Service, and `other` (the catch-all) stays last.
constexpr bool services_in_enum_order() {
  for (size_t i = 0; i < kServices.size(); ++i)
    if (static_cast<size_t>(kServices[i].id) != i) return false;
  return kServices.back().id == Service::other;
}
static_assert(services_in_enum_order(), "kServices must list every Service in enum order");

constexpr const ServiceInfo& service_info(Service s) { return kServices[static_cast<size_t>(s)]; }

// The voted services, in table order.
std::vector<Service> voted_services();

// The names of the services `keep` accepts (every one without it), in table order, joined by `separator`:
// the scanners.services text with ",", a help text's list with " ".
std::string join_service_names(const char* separator, const std::function<bool(const ServiceInfo&)>& keep = {});

}  // namespace sg
