#include "export/json.h"

#include <fmt/format.h>

#include <ctime>

#include "util/bytes.h"

namespace sg {

using json = nlohmann::ordered_json;

std::string format_ts(int64_t ts_us) {
  int64_t sec = ts_us / 1000000, us = ts_us % 1000000;
  if (us < 0) {
    us += 1000000;
    --sec;
  }
  time_t t = static_cast<time_t>(sec);
  struct tm tm{};
  gmtime_r(&t, &tm);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}Z", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                     tm.tm_hour, tm.tm_min, tm.tm_sec, us);
}

namespace {

// Length of the valid UTF-8 sequence starting at s[i], 0 if invalid (overlongs and surrogates rejected).
size_t utf8_seq(std::string_view s, size_t i) {
  auto u = [&](size_t k) { return static_cast<uint8_t>(s[k]); };
  uint8_t c = u(i);
  if (c < 0x80) return 1;
  size_t n = c >= 0xf0 && c <= 0xf4 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 && c <= 0xdf ? 2 : 0;
  if (n == 0 || (c >= 0xe0 && c < 0xf0 && n != 3) || i + n > s.size()) return 0;
  for (size_t k = 1; k < n; ++k)
    if ((u(i + k) & 0xc0) != 0x80) return 0;
  if (n == 3 && ((c == 0xe0 && u(i + 1) < 0xa0) || (c == 0xed && u(i + 1) >= 0xa0))) return 0;
  if (n == 4 && ((c == 0xf0 && u(i + 1) < 0x90) || (c == 0xf4 && u(i + 1) >= 0x90))) return 0;
  return n;
}

}  // namespace

std::string utf8_safe(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    size_t n = utf8_seq(s, i);
    if (n == 0) break;
    i += n;
  }
  if (i == s.size()) return std::string(s);
  std::string out(s.substr(0, i));
  while (i < s.size()) {
    size_t n = utf8_seq(s, i);
    if (n == 0) {
      out += fmt::format("\\x{:02x}", static_cast<uint8_t>(s[i]));
      ++i;
    } else {
      out.append(s, i, n);
      i += n;
    }
  }
  return out;
}

namespace {

std::string hex(const Bytes& b) { return to_hex(ByteView(b.data(), b.size())); }

json http_json(const HttpProbe& h) {
  json headers = json::array();
  for (const auto& [name, value] : h.headers) headers.push_back({utf8_safe(name), utf8_safe(value)});
  json j = {{"method", utf8_safe(h.method)}, {"uri", utf8_safe(h.uri)}, {"version", utf8_safe(h.version)},
            {"headers", std::move(headers)}, {"body_length", h.body_length}};
  if (h.user_agent) j["user_agent"] = utf8_safe(*h.user_agent);
  if (h.host) j["host"] = utf8_safe(*h.host);
  return j;
}

json tls_json(const TlsProbe& t) {
  json alpn = json::array();
  for (const auto& a : t.alpn) alpn.push_back(utf8_safe(a));
  json j = {{"record_version", t.record_version},
            {"version", t.version},
            {"random", hex(t.random)},
            {"gmt_unix_time", t.gmt_unix_time},
            {"session_id", hex(t.session_id)},
            {"ciphers", t.ciphers},
            {"compression_methods", t.compression_methods},
            {"extensions", t.extensions},
            {"alpn", std::move(alpn)},
            {"supported_groups", t.supported_groups},
            {"ec_point_formats", t.ec_point_formats},
            {"signature_algorithms", t.signature_algorithms},
            {"supported_versions", t.supported_versions},
            {"ja3", t.ja3},
            {"ja3_hash", t.ja3_hash},
            {"ja4", t.ja4}};
  if (t.sni) j["sni"] = utf8_safe(*t.sni);
  return j;
}

json dns_json(const DnsProbe& d) {
  json j = {{"id", d.id},           {"flags", d.flags},     {"qr", d.qr},           {"opcode", d.opcode},
            {"aa", d.aa},           {"tc", d.tc},           {"rd", d.rd},           {"ra", d.ra},
            {"z", d.z},             {"ad", d.ad},           {"cd", d.cd},           {"rcode", d.rcode},
            {"qdcount", d.qdcount}, {"ancount", d.ancount}, {"nscount", d.nscount}, {"arcount", d.arcount},
            {"qname", utf8_safe(d.qname)}, {"qtype", d.qtype}, {"qclass", d.qclass}};
  if (d.edns)
    j["edns"] = {{"udp_size", d.edns->udp_size}, {"do", d.edns->do_bit}, {"version", d.edns->version},
                 {"extended_rcode", d.edns->extended_rcode}, {"options", d.edns->options}};
  return j;
}

json ssh_json(const SshProbe& s) {
  auto list = [](const std::vector<std::string>& v) {
    json a = json::array();
    for (const auto& x : v) a.push_back(utf8_safe(x));
    return a;
  };
  json j = {{"banner", utf8_safe(s.banner)}, {"kexinit", s.kexinit}};
  if (s.kexinit) {
    j["hassh"] = s.hassh;
    j["hassh_algorithms"] = utf8_safe(s.hassh_algorithms);
    j["kex_algorithms"] = list(s.kex_algorithms);
    j["host_key_algorithms"] = list(s.host_key_algorithms);
    j["encryption_c2s"] = list(s.encryption_c2s);
    j["mac_c2s"] = list(s.mac_c2s);
    j["compression_c2s"] = list(s.compression_c2s);
  }
  return j;
}

json rdp_json(const RdpProbe& r) {
  json j = json::object();
  if (r.cookie) j["cookie"] = utf8_safe(*r.cookie);
  if (r.routing_token) j["routing_token"] = utf8_safe(*r.routing_token);
  if (r.requested_protocols) j["requested_protocols"] = *r.requested_protocols;
  return j;
}

json syn_json(const SynSignature& s) {
  // p0f-like compact form, handy for grouping: ttl:window:mss:wscale:options:df
  std::string opts;
  for (size_t i = 0; i < s.options.size(); ++i) opts += (i ? "," : "") + std::to_string(s.options[i]);
  std::string sig = fmt::format("{}:{}:{}:{}:{}:{}", s.ttl, s.window, s.mss ? std::to_string(*s.mss) : "*",
                                s.wscale ? std::to_string(*s.wscale) : "*", opts, s.df ? "df" : "");
  json j = {{"ttl", s.ttl}, {"window", s.window}, {"options", s.options}, {"df", s.df}, {"ip_len", s.ip_len},
            {"sig", sig}};
  if (s.mss) j["mss"] = *s.mss;
  if (s.wscale) j["wscale"] = *s.wscale;
  return j;
}

}  // namespace

json probe_to_json(const Probe& p) {
  json j = {{"ts", format_ts(p.ts_us)}, {"src", p.src},         {"sport", p.sport},
            {"dst", p.dst},             {"dport", p.dport},     {"transport", transport_name(p.transport)},
            {"service", service_name(p.service)}};
  if (p.truncated) j["truncated"] = true;
  if (p.http) j["http"] = http_json(*p.http);
  if (p.tls) j["tls"] = tls_json(*p.tls);
  if (p.dns) j["dns"] = dns_json(*p.dns);
  if (p.ssh) j["ssh"] = ssh_json(*p.ssh);
  if (p.rdp) j["rdp"] = rdp_json(*p.rdp);
  if (p.other) j["other"] = {{"head", hex(p.other->head)}, {"length", p.other->length}};
  if (p.syn) j["syn"] = syn_json(*p.syn);
  return j;
}

std::string probe_to_jsonl(const Probe& p) { return probe_to_json(p).dump(); }

}  // namespace sg
