#include "logs/eve.h"

#include <rapidjson/document.h>

#include <algorithm>
#include <array>
#include <charconv>

#include "logs/fingerprints.h"
#include "probe/dns.h"
#include "util/hash.h"

namespace sg::logs {

namespace {

using Value = rapidjson::Value;

const Value* member(const Value& obj, const char* key) {
  if (!obj.IsObject()) return nullptr;
  auto it = obj.FindMember(key);
  return it == obj.MemberEnd() ? nullptr : &it->value;
}

std::optional<std::string_view> string_of(const Value& obj, const char* key) {
  const Value* v = member(obj, key);
  if (!v || !v->IsString()) return std::nullopt;
  return std::string_view(v->GetString(), v->GetStringLength());
}

std::optional<uint64_t> uint_of(const Value& obj, const char* key) {
  const Value* v = member(obj, key);
  if (!v || !v->IsUint64()) return std::nullopt;
  return v->GetUint64();
}

std::optional<bool> bool_of(const Value& obj, const char* key) {
  const Value* v = member(obj, key);
  if (!v || !v->IsBool()) return std::nullopt;
  return v->GetBool();
}

// Event types that are not probes, each counted under its own name; anything else as "other".
std::string_view skip_reason(std::string_view type) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 22> kKnown{{
      {"flow", "eve: flow event"},         {"netflow", "eve: netflow event"},   {"alert", "eve: alert event"},
      {"anomaly", "eve: anomaly event"},   {"fileinfo", "eve: fileinfo event"}, {"stats", "eve: stats event"},
      {"drop", "eve: drop event"},         {"smtp", "eve: smtp event"},         {"ftp", "eve: ftp event"},
      {"ftp_data", "eve: ftp_data event"}, {"smb", "eve: smb event"},           {"nfs", "eve: nfs event"},
      {"dhcp", "eve: dhcp event"},         {"krb5", "eve: krb5 event"},         {"snmp", "eve: snmp event"},
      {"sip", "eve: sip event"},           {"rdp", "eve: rdp event"},           {"mqtt", "eve: mqtt event"},
      {"quic", "eve: quic event"},         {"http2", "eve: http2 event"},       {"frame", "eve: frame event"},
      {"files", "eve: files event"},
  }};
  for (const auto& [name, reason] : kKnown)
    if (name == type) return reason;
  return "eve: other event type";
}

// "TCP", "UDP", or the protocol number as Suricata before 7 wrote it ("006", "017").
std::optional<Transport> transport_of(std::string_view proto) {
  if (proto == "TCP" || proto == "tcp") return Transport::tcp;
  if (proto == "UDP" || proto == "udp") return Transport::udp;
  unsigned n = 0;
  auto [ptr, ec] = std::from_chars(proto.data(), proto.data() + proto.size(), n);
  if (ec == std::errc() && ptr == proto.data() + proto.size() && !proto.empty()) {
    if (n == 6) return Transport::tcp;
    if (n == 17) return Transport::udp;
  }
  return std::nullopt;
}

void absent(Probe& p, std::initializer_list<const char*> keys) {
  for (const char* k : keys) p.absent.emplace_back(k);
}

// The transaction number: at the top of the record (http), inside the section (dns), or both.
bool later_transaction(const Value& record, const Value& section) {
  auto tx = uint_of(record, "tx_id");
  if (!tx) tx = uint_of(section, "tx_id");
  return tx && *tx > 0;
}

LineOutcome http_probe(const Value& h, Probe& p) {
  HttpProbe http;
  auto method = string_of(h, "http_method");
  auto url = string_of(h, "url");
  // libhtp logs a transaction it saw no request line for (url "/libhtp::request_uri_not_seen", no method).
  if (!method || !url) return LineOutcome::skip("eve: http event without a request");
  http.method = std::string(*method);
  http.uri = std::string(*url);
  if (auto v = string_of(h, "protocol"))
    http.version = std::string(*v);
  else
    absent(p, {"http.version"});
  if (auto v = string_of(h, "http_user_agent")) http.user_agent = std::string(*v);
  if (auto v = string_of(h, "hostname")) http.host = std::string(*v);
  const Value* headers = member(h, "request_headers");
  if (headers && headers->IsArray()) {
    for (const auto& x : headers->GetArray()) {
      auto n = string_of(x, "name");
      auto v = string_of(x, "value");
      if (!n) continue;
      http.headers.emplace_back(std::string(*n), v ? std::string(*v) : std::string());
    }
  } else {
    absent(p, {"http.headers"});
  }
  absent(p, {"http.body_length"});  // EVE's "length" is the response body
  p.service = Service::http;
  p.http = std::move(http);
  return LineOutcome::ok();
}

LineOutcome tls_probe(const Value& t, Probe& p) {
  TlsProbe tls;
  absent(p, {"tls.record_version", "tls.random", "tls.gmt_unix_time", "tls.session_id", "tls.compression_methods",
             "tls.alpn", "tls.signature_algorithms", "tls.supported_versions"});
  if (auto v = string_of(t, "sni")) tls.sni = std::string(*v);
  bool have_ja3 = false;
  if (const Value* ja3 = member(t, "ja3"); ja3 && ja3->IsObject()) {
    if (auto s = string_of(*ja3, "string"); s && fill_from_ja3(*s, tls)) {
      have_ja3 = true;
      auto h = string_of(*ja3, "hash");
      tls.ja3_hash = h ? std::string(*h) : md5_hex(*s);
    } else if (auto h = string_of(*ja3, "hash")) {
      tls.ja3_hash = std::string(*h);  // the hash alone: the lists stay absent
      absent(p, {"tls.ja3"});
    }
  }
  if (!have_ja3) {
    absent(p, {"tls.version", "tls.ciphers", "tls.extensions", "tls.supported_groups", "tls.ec_point_formats"});
    if (tls.ja3_hash.empty()) absent(p, {"tls.ja3", "tls.ja3_hash"});
  }
  if (auto v = string_of(t, "ja4"))
    tls.ja4 = std::string(*v);
  else
    absent(p, {"tls.ja4"});
  p.service = Service::tls;
  p.tls = std::move(tls);
  return LineOutcome::ok();
}

LineOutcome dns_probe(const Value& d, Probe& p) {
  auto type = string_of(d, "type");
  if (!type) return LineOutcome::error("eve: dns event without type");
  if (*type == "answer" || *type == "response") return LineOutcome::skip("eve: dns answer");
  if (*type != "query" && *type != "request") return LineOutcome::error("eve: dns event of unknown type");
  DnsProbe dns;
  auto id = uint_of(d, "id");
  if (!id || *id > 0xffff) return LineOutcome::error("eve: dns event without a valid id");
  dns.id = static_cast<uint16_t>(*id);
  std::optional<std::string_view> rrname, rrtype;
  if (const Value* q = member(d, "queries"); q && q->IsArray()) {  // v3
    if (q->Empty()) return LineOutcome::error("eve: dns request with no queries");
    rrname = string_of((*q)[0], "rrname");
    rrtype = string_of((*q)[0], "rrtype");
  } else {
    rrname = string_of(d, "rrname");
    rrtype = string_of(d, "rrtype");
  }
  if (!rrname) return LineOutcome::error("eve: dns query without rrname");
  dns.qname = std::string(*rrname);
  if (auto code = rrtype ? dns_type_code(*rrtype) : std::nullopt)
    dns.qtype = *code;
  else
    absent(p, {"dns.qtype"});
  bool flags_given = false;
  if (auto f = string_of(d, "flags")) {
    unsigned v = 0;
    auto [ptr, ec] = std::from_chars(f->data(), f->data() + f->size(), v, 16);
    if (ec == std::errc() && ptr == f->data() + f->size() && v <= 0xffff) {
      set_dns_flags(static_cast<uint16_t>(v), dns);  // v3 requests log the word in hex
      flags_given = true;
    }
  }
  if (!flags_given) {
    // A query record says QR=0; opcode and RD when logged; the other header bits are not in the record.
    absent(p, {"dns.flags", "dns.aa", "dns.tc", "dns.ra", "dns.z", "dns.ad", "dns.cd", "dns.rcode"});
    if (auto op = uint_of(d, "opcode"); op && *op <= 15)
      dns.opcode = static_cast<uint8_t>(*op);
    else
      absent(p, {"dns.opcode"});
    if (auto rd = bool_of(d, "rd"))
      dns.rd = *rd;
    else
      absent(p, {"dns.rd"});
  }
  absent(p, {"dns.qdcount", "dns.ancount", "dns.nscount", "dns.arcount", "dns.qclass"});
  p.service = Service::dns;
  p.dns = std::move(dns);
  return LineOutcome::ok();
}

LineOutcome ssh_probe(const Value& s, Probe& p) {
  const Value* client = member(s, "client");
  if (!client) return LineOutcome::error("eve: ssh event without client");
  auto proto = string_of(*client, "proto_version");
  auto soft = string_of(*client, "software_version");
  if (!proto || !soft) return LineOutcome::error("eve: ssh event without the client's version");
  SshProbe ssh;
  // Suricata splits the identification line "SSH-protoversion-softwareversion SP comments" after the second
  // dash and keeps the comments in software_version: joined again it is the line as sent.
  ssh.banner = "SSH-" + std::string(*proto) + "-" + std::string(*soft);
  bool have_hassh = false;
  if (const Value* h = member(*client, "hassh"); h && h->IsObject()) {
    auto str = string_of(*h, "string");
    if (str && fill_from_hassh_algorithms(*str, ssh)) {
      have_hassh = true;
      auto hash = string_of(*h, "hash");
      ssh.hassh = hash ? std::string(*hash) : md5_hex(*str);
      ssh.kexinit = true;
      absent(p, {"ssh.host_key_algorithms"});
    }
  }
  if (!have_hassh) absent(p, {"ssh.kexinit"});
  p.service = Service::ssh;
  p.ssh = std::move(ssh);
  return LineOutcome::ok();
}

}  // namespace

bool looks_like_eve(std::string_view line) {
  rapidjson::Document doc;
  doc.Parse(line.data(), line.size());
  return !doc.HasParseError() && doc.IsObject() && string_of(doc, "event_type").has_value();
}

LineOutcome parse_eve_line(std::string_view line, Probe& p) {
  rapidjson::Document doc;
  doc.Parse(line.data(), line.size());
  if (doc.HasParseError()) return LineOutcome::error("eve: truncated or invalid JSON");
  if (!doc.IsObject()) return LineOutcome::error("eve: not a JSON object");
  auto type = string_of(doc, "event_type");
  if (!type) return LineOutcome::error("eve: no event_type");
  const char* section = nullptr;
  if (*type == "http" || *type == "tls" || *type == "dns" || *type == "ssh")
    section = type->data();
  else
    return LineOutcome::skip(skip_reason(*type));
  auto ts_text = string_of(doc, "timestamp");
  auto ts = ts_text ? parse_iso_us(*ts_text) : std::nullopt;
  if (!ts) return LineOutcome::error("eve: bad or missing timestamp");
  auto src = string_of(doc, "src_ip");
  auto dst = string_of(doc, "dest_ip");
  auto src_n = src ? normal_address(*src) : std::nullopt;
  auto dst_n = dst ? normal_address(*dst) : std::nullopt;
  if (!src_n || !dst_n) return LineOutcome::error("eve: bad src_ip or dest_ip");
  auto sport = uint_of(doc, "src_port");
  auto dport = uint_of(doc, "dest_port");
  if (!sport || !dport || *sport > 65535 || *dport > 65535) return LineOutcome::error("eve: bad src_port or dest_port");
  auto proto = string_of(doc, "proto");
  if (!proto) {
    // Numbers are accepted too ("proto": 6), as some converters write them.
    if (auto n = uint_of(doc, "proto")) proto = *n == 6 ? "6" : *n == 17 ? "17" : "0";
  }
  auto transport = proto ? transport_of(*proto) : std::nullopt;
  if (!transport) return LineOutcome::error("eve: proto is not TCP or UDP");
  const Value* body = member(doc, section);
  if (!body || !body->IsObject()) return LineOutcome::error("eve: event without its section");

  p = Probe{};
  p.source = Source::eve;
  p.ts_us = *ts;
  p.src = std::move(*src_n);
  p.dst = std::move(*dst_n);
  p.sport = static_cast<uint16_t>(*sport);
  p.dport = static_cast<uint16_t>(*dport);
  p.transport = *transport;
  if ((*type == "http" || *type == "dns") && later_transaction(doc, *body)) {
    // Not the first message of its flow: the capture's probe is the first one only.
    const bool answer = *type == "dns" && string_of(*body, "type").value_or("") != "query" &&
                        string_of(*body, "type").value_or("") != "request";
    if (!answer)
      return LineOutcome::skip(*type == "http" ? "eve: later HTTP request on a connection"
                                               : "eve: later DNS query on a flow");
  }
  if (*type == "http") return http_probe(*body, p);
  if (*type == "tls") return tls_probe(*body, p);
  if (*type == "dns") return dns_probe(*body, p);
  return ssh_probe(*body, p);
}

}  // namespace sg::logs
