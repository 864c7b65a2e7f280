// Sessions drawn from organisation profiles: the variant an address uses, the service mix, and the plan
// of one session (handshake, the probe from a profile entry, the sensor's answer, close).
#pragma once

#include <map>
#include <string>

#include "simulate/organisations.h"
#include "simulate/profile.h"

namespace sg::simulate {

// The variant (tool) a source address uses for `service` (empty: any). Stable per address: the unknown
// population's scanners keep their tool; a tool without the service hands the address to one that has it.
// Throws std::invalid_argument when no variant of the profile probes the service.
const Variant& variant_for(const Profile& p, const IpAddr& src, const std::string& service);

// A service drawn from the profile's activity mix among those the variant probes.
// `mix` (service -> share) replaces the profile's own when not empty.
std::string draw_service(Rng& rng, const Profile& p, const Variant& v, const std::map<std::string, double>& mix = {});

// Plans one session of `service` from c.src (source port `sport`) to c.dst with an entry of `v`.
void plan_profile_session(SessionCtx& c, const Variant& v, const std::string& service, uint16_t sport, Plan& p);

// A TcpStack for the spec after `hops` routers.
TcpStack stack_from(const TcpStackSpec& s, uint8_t hops, bool v6);

}  // namespace sg::simulate
