#include "intel/org_names.h"

#include "util/hash.h"

#include <cctype>
#include <utility>

namespace sg::intel {

namespace {

// Slugs as label lists and the simulator spell them (after lower-casing), and the names the
// organisations publish for themselves.
constexpr std::pair<std::string_view, std::string_view> kNames[] = {
    {"360quake", "360 Quake"},
    {"a10networks", "A10 Networks"},
    {"academyforinternetresearch", "Academy for Internet Research"},
    {"alphastrike", "Alpha Strike Labs"},
    {"binaryedge", "BinaryEdge"},
    {"bitsight", "BitSight"},
    {"bufferover", "BufferOver"},
    {"caida", "CAIDA"},
    {"censys", "Censys"},
    {"criminalip", "Criminal IP"},
    {"cybergreen", "CyberGreen"},
    {"cyberresilience", "Cyber Resilience"},
    {"driftnet", "Driftnet"},
    {"fofa", "FOFA"},
    {"gatech", "Georgia Institute of Technology"},
    {"hunter(qianxin)", "Hunter (QiAnXin)"},
    {"internet-census(bitsight)", "Internet Census Group (BitSight)"},
    {"internet_census", "Internet Census Group"},
    {"internettl", "InterneTTL"},
    {"intrinsec", "Intrinsec"},
    {"ipinfo", "IPinfo"},
    {"ipip", "IPIP.net"},
    {"kudelski", "Kudelski Security"},
    {"leakix", "LeakIX"},
    {"mandiantasm", "Mandiant Attack Surface Management"},
    {"modat", "Modat"},
    {"netscout-arbor", "NETSCOUT Arbor"},
    {"netsystemsresearch", "Net Systems Research"},
    {"normshield", "NormShield"},
    {"odin(cyble)", "ODIN (Cyble)"},
    {"onyphe", "ONYPHE"},
    {"openportstats", "OpenPortStats"},
    {"paloalto-xpanse", "Palo Alto Networks Cortex Xpanse"},
    {"qrator", "Qrator Labs"},
    {"quake", "360 Quake"},
    {"rapid7", "Rapid7"},
    {"recyber", "ReCyber"},
    {"research-scanner.com", "research-scanner.com"},
    {"riskiq", "RiskIQ"},
    {"rootevidence", "RootEvidence"},
    {"securitytrails", "SecurityTrails"},
    {"shadowserver", "Shadowserver Foundation"},
    {"shodan", "Shodan"},
    {"stanford", "Stanford University"},
    {"stretchoid", "Stretchoid"},
    {"tenableasm", "Tenable Attack Surface Management"},
    {"tum", "Technical University of Munich"},
    {"umich", "University of Michigan"},
    {"visionheight", "VisionHeight"},
    {"x_threatbook", "ThreatBook"},
    {"xpanse", "Palo Alto Networks Cortex Xpanse"},
    {"zoomeye", "ZoomEye"},
};

}  // namespace

std::string display_name(std::string_view org) {
  std::string key(org);
  for (char& c : key) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (const auto& [slug, name] : kNames)
    if (slug == key) return std::string(name);
  return std::string(org);
}

std::string file_safe(std::string_view org) {
  std::string out;
  for (char c : org) {
    const unsigned char u = static_cast<unsigned char>(c);
    out += std::isalnum(u) ? static_cast<char>(std::tolower(u)) : (c == '-' || c == '_') ? c : '-';
  }
  // A changed name gets a digest of the original, so two organisations never share a file.
  if (out.empty()) out = "unnamed";
  if (out != org) out += "-" + md5_hex(org).substr(0, 8);
  return out;
}

}  // namespace sg::intel
