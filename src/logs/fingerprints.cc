#include "logs/fingerprints.h"

#include <array>
#include <charconv>
#include <utility>

#include <limits>
#include <optional>
#include <vector>

namespace sg::logs {

namespace {

template <class T>
bool numbers(std::string_view s, std::vector<T>& out) {
  out.clear();
  if (s.empty()) return true;
  size_t pos = 0;
  while (pos <= s.size()) {
    size_t end = s.find('-', pos);
    if (end == std::string_view::npos) end = s.size();
    uint32_t v = 0;
    auto [p, ec] = std::from_chars(s.data() + pos, s.data() + end, v);
    if (ec != std::errc() || p != s.data() + end || end == pos || v > std::numeric_limits<T>::max()) return false;
    out.push_back(static_cast<T>(v));
    pos = end + 1;
  }
  return true;
}

std::vector<std::string> names(std::string_view s) {
  std::vector<std::string> out;
  if (s.empty()) return out;
  size_t pos = 0;
  for (;;) {
    size_t end = s.find(',', pos);
    out.emplace_back(s.substr(pos, end == std::string_view::npos ? s.npos : end - pos));
    if (end == std::string_view::npos) break;
    pos = end + 1;
  }
  return out;
}

}  // namespace

bool fill_from_ja3(std::string_view ja3, TlsProbe& t) {
  std::array<std::string_view, 5> part;
  size_t pos = 0;
  for (size_t i = 0; i < 5; ++i) {
    size_t end = ja3.find(',', pos);
    if ((end == std::string_view::npos) != (i == 4)) return false;
    part[i] = ja3.substr(pos, end == std::string_view::npos ? ja3.npos : end - pos);
    pos = end + 1;
  }
  std::vector<uint16_t> version, ciphers, extensions, groups;
  std::vector<uint8_t> formats;
  if (!numbers(part[0], version) || version.size() != 1 || !numbers(part[1], ciphers) ||
      !numbers(part[2], extensions) || !numbers(part[3], groups) || !numbers(part[4], formats))
    return false;
  t.version = version[0];
  t.ciphers = std::move(ciphers);
  t.extensions = std::move(extensions);
  t.supported_groups = std::move(groups);
  t.ec_point_formats = std::move(formats);
  t.ja3 = std::string(ja3);
  return true;
}

bool fill_from_hassh_algorithms(std::string_view a, SshProbe& s) {
  std::array<std::string_view, 4> part;
  size_t pos = 0;
  for (size_t i = 0; i < 4; ++i) {
    size_t end = a.find(';', pos);
    if ((end == std::string_view::npos) != (i == 3)) return false;
    part[i] = a.substr(pos, end == std::string_view::npos ? a.npos : end - pos);
    pos = end + 1;
  }
  s.kex_algorithms = names(part[0]);
  s.encryption_c2s = names(part[1]);
  s.mac_c2s = names(part[2]);
  s.compression_c2s = names(part[3]);
  s.hassh_algorithms = std::string(a);
  return true;
}

std::optional<uint16_t> dns_type_code(std::string_view name) {
  static constexpr std::pair<std::string_view, uint16_t> kTypes[] = {
      {"A", 1},      {"NS", 2},          {"CNAME", 5},     {"SOA", 6},    {"PTR", 12},   {"HINFO", 13},   {"MX", 15},
      {"TXT", 16},   {"RP", 17},         {"AFSDB", 18},    {"SIG", 24},   {"KEY", 25},   {"AAAA", 28},    {"LOC", 29},
      {"SRV", 33},   {"NAPTR", 35},      {"KX", 36},       {"CERT", 37},  {"DNAME", 39}, {"OPT", 41},     {"APL", 42},
      {"DS", 43},    {"SSHFP", 44},      {"IPSECKEY", 45}, {"RRSIG", 46}, {"NSEC", 47},  {"DNSKEY", 48},  {"DHCID", 49},
      {"NSEC3", 50}, {"NSEC3PARAM", 51}, {"TLSA", 52},     {"HIP", 55},   {"CDS", 59},   {"CDNSKEY", 60}, {"SVCB", 64},
      {"HTTPS", 65}, {"SPF", 99},        {"TKEY", 249},    {"TSIG", 250}, {"IXFR", 251}, {"AXFR", 252},   {"ANY", 255},
      {"URI", 256},  {"CAA", 257},       {"NULL", 10},     {"WKS", 11},   {"MINFO", 14}, {"NXT", 30}};
  for (const auto& [n, code] : kTypes)
    if (n == name) return code;
  if (name.starts_with("TYPE") && name.size() > 4) {  // RFC 3597 form for the rest
    uint32_t v = 0;
    auto [p, ec] = std::from_chars(name.data() + 4, name.data() + name.size(), v);
    if (ec == std::errc() && p == name.data() + name.size() && v <= 65535) return static_cast<uint16_t>(v);
  }
  return std::nullopt;
}

}  // namespace sg::logs
