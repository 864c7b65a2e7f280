#include "probe/probe.h"

#include "probe/service.h"

namespace sg {

const char* service_name(Service s) { return service_info(s).name; }

std::optional<Service> service_from_name(const std::string& name) {
  for (const auto& s : kServices)
    if (name == s.name) return s.id;
  return std::nullopt;
}

const char* transport_name(Transport t) { return t == Transport::tcp ? "tcp" : "udp"; }

const char* source_name(Source s) {
  switch (s) {
    case Source::pcap:
      return "pcap";
    case Source::eve:
      return "eve";
    case Source::zeek:
      return "zeek";
    case Source::sensor:
      return "sensor";
  }
  return "pcap";
}

std::optional<Source> source_from_name(const std::string& name) {
  for (Source s : {Source::pcap, Source::eve, Source::zeek, Source::sensor})
    if (name == source_name(s)) return s;
  return std::nullopt;
}

}  // namespace sg
