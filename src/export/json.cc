#include "export/json.h"

#include <fmt/format.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "util/bytes.h"
#include "util/time.h"
#include "util/utf8.h"

namespace sg {

namespace {

// The export is written straight into one buffer by RapidJSON's streaming writer: no document tree per
// probe, which was the largest cost of `extract` when it was built with nlohmann::json.
using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

// Whether a section's key is carried: a log-sourced probe names what its source cannot carry (Probe::absent,
// "section.key"), and those keys are left out rather than written as zero or empty.
class Carried {
 public:
  Carried(const Probe& p, std::string_view section) : absent_(p.absent), section_(section) {}
  bool operator()(std::string_view key) const {
    for (const auto& a : absent_)
      if (a.size() == section_.size() + 1 + key.size() && a.starts_with(section_) && a[section_.size()] == '.' &&
          a.ends_with(key))
        return false;
    return true;
  }

 private:
  const std::vector<std::string>& absent_;
  std::string_view section_;
};

void str(Writer& w, std::string_view s) {
  if (valid_utf8(s)) {
    w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
  } else {
    std::string safe = utf8_safe(s);
    w.String(safe.data(), static_cast<rapidjson::SizeType>(safe.size()));
  }
}

void hex(Writer& w, const Bytes& b) { str(w, to_hex(ByteView(b.data(), b.size()))); }

template <class T>
void uints(Writer& w, const std::vector<T>& v) {
  w.StartArray();
  for (T x : v) w.Uint(x);
  w.EndArray();
}

void strings(Writer& w, const std::vector<std::string>& v) {
  w.StartArray();
  for (const auto& x : v) str(w, x);
  w.EndArray();
}

void http_json(Writer& w, const HttpProbe& h, const Carried& has) {
  w.StartObject();
  if (has("method")) w.Key("method"), str(w, h.method);
  if (has("uri")) w.Key("uri"), str(w, h.uri);
  if (has("version")) w.Key("version"), str(w, h.version);
  if (has("headers")) {
    w.Key("headers");
    w.StartArray();
    for (const auto& [name, value] : h.headers) {
      w.StartArray();
      str(w, name);
      str(w, value);
      w.EndArray();
    }
    w.EndArray();
  }
  if (has("body_length")) w.Key("body_length"), w.Uint64(h.body_length);
  if (h.user_agent) w.Key("user_agent"), str(w, *h.user_agent);
  if (h.host) w.Key("host"), str(w, *h.host);
  w.EndObject();
}

void tls_json(Writer& w, const TlsProbe& t, const Carried& has) {
  w.StartObject();
  if (has("record_version")) w.Key("record_version"), w.Uint(t.record_version);
  if (has("version")) w.Key("version"), w.Uint(t.version);
  if (has("random")) w.Key("random"), hex(w, t.random);
  if (has("gmt_unix_time")) w.Key("gmt_unix_time"), w.Uint(t.gmt_unix_time);
  if (has("session_id")) w.Key("session_id"), hex(w, t.session_id);
  if (has("ciphers")) w.Key("ciphers"), uints(w, t.ciphers);
  if (has("compression_methods")) w.Key("compression_methods"), uints(w, t.compression_methods);
  if (has("extensions")) w.Key("extensions"), uints(w, t.extensions);
  if (has("alpn")) w.Key("alpn"), strings(w, t.alpn);
  if (has("supported_groups")) w.Key("supported_groups"), uints(w, t.supported_groups);
  if (has("ec_point_formats")) w.Key("ec_point_formats"), uints(w, t.ec_point_formats);
  if (has("signature_algorithms")) w.Key("signature_algorithms"), uints(w, t.signature_algorithms);
  if (has("supported_versions")) w.Key("supported_versions"), uints(w, t.supported_versions);
  if (has("ja3")) w.Key("ja3"), str(w, t.ja3);
  if (has("ja3_hash")) w.Key("ja3_hash"), str(w, t.ja3_hash);
  if (has("ja4")) w.Key("ja4"), str(w, t.ja4);
  if (t.sni) w.Key("sni"), str(w, *t.sni);
  w.EndObject();
}

void dns_json(Writer& w, const DnsProbe& d, const Carried& has) {
  w.StartObject();
  if (has("id")) w.Key("id"), w.Uint(d.id);
  if (has("flags")) w.Key("flags"), w.Uint(d.flags);
  if (has("qr")) w.Key("qr"), w.Bool(d.qr);
  if (has("opcode")) w.Key("opcode"), w.Uint(d.opcode);
  if (has("aa")) w.Key("aa"), w.Bool(d.aa);
  if (has("tc")) w.Key("tc"), w.Bool(d.tc);
  if (has("rd")) w.Key("rd"), w.Bool(d.rd);
  if (has("ra")) w.Key("ra"), w.Bool(d.ra);
  if (has("z")) w.Key("z"), w.Bool(d.z);
  if (has("ad")) w.Key("ad"), w.Bool(d.ad);
  if (has("cd")) w.Key("cd"), w.Bool(d.cd);
  if (has("rcode")) w.Key("rcode"), w.Uint(d.rcode);
  if (has("qdcount")) w.Key("qdcount"), w.Uint(d.qdcount);
  if (has("ancount")) w.Key("ancount"), w.Uint(d.ancount);
  if (has("nscount")) w.Key("nscount"), w.Uint(d.nscount);
  if (has("arcount")) w.Key("arcount"), w.Uint(d.arcount);
  if (has("qname")) w.Key("qname"), str(w, d.qname);
  if (has("qtype")) w.Key("qtype"), w.Uint(d.qtype);
  if (has("qclass")) w.Key("qclass"), w.Uint(d.qclass);
  if (d.edns) {
    w.Key("edns");
    w.StartObject();
    if (has("udp_size")) w.Key("udp_size"), w.Uint(d.edns->udp_size);
    if (has("do")) w.Key("do"), w.Bool(d.edns->do_bit);
    if (has("version")) w.Key("version"), w.Uint(d.edns->version);
    if (has("extended_rcode")) w.Key("extended_rcode"), w.Uint(d.edns->extended_rcode);
    if (has("options")) w.Key("options"), uints(w, d.edns->options);
    w.EndObject();
  }
  w.EndObject();
}

void ssh_json(Writer& w, const SshProbe& s, const Carried& has) {
  w.StartObject();
  if (has("banner")) w.Key("banner"), str(w, s.banner);
  if (has("kexinit")) w.Key("kexinit"), w.Bool(s.kexinit);
  if (s.kexinit) {
    if (has("hassh")) w.Key("hassh"), str(w, s.hassh);
    if (has("hassh_algorithms")) w.Key("hassh_algorithms"), str(w, s.hassh_algorithms);
    if (has("kex_algorithms")) w.Key("kex_algorithms"), strings(w, s.kex_algorithms);
    if (has("host_key_algorithms")) w.Key("host_key_algorithms"), strings(w, s.host_key_algorithms);
    if (has("encryption_c2s")) w.Key("encryption_c2s"), strings(w, s.encryption_c2s);
    if (has("mac_c2s")) w.Key("mac_c2s"), strings(w, s.mac_c2s);
    if (has("compression_c2s")) w.Key("compression_c2s"), strings(w, s.compression_c2s);
  }
  w.EndObject();
}

void rdp_json(Writer& w, const RdpProbe& r) {
  w.StartObject();
  if (r.cookie) w.Key("cookie"), str(w, *r.cookie);
  if (r.routing_token) w.Key("routing_token"), str(w, *r.routing_token);
  if (r.requested_protocols) w.Key("requested_protocols"), w.Uint(*r.requested_protocols);
  w.EndObject();
}

void syn_json(Writer& w, const SynSignature& s) {
  // p0f-like compact form, handy for grouping: ttl:window:mss:wscale:options:df
  std::string opts;
  for (size_t i = 0; i < s.options.size(); ++i) opts += (i ? "," : "") + std::to_string(s.options[i]);
  std::string sig = fmt::format("{}:{}:{}:{}:{}:{}", s.ttl, s.window, s.mss ? std::to_string(*s.mss) : "*",
                                s.wscale ? std::to_string(*s.wscale) : "*", opts, s.df ? "df" : "");
  w.StartObject();
  w.Key("ttl"), w.Uint(s.ttl);
  w.Key("window"), w.Uint(s.window);
  w.Key("options"), uints(w, s.options);
  w.Key("df"), w.Bool(s.df);
  w.Key("ip_len"), w.Uint(s.ip_len);
  w.Key("sig"), str(w, sig);
  if (s.mss) w.Key("mss"), w.Uint(*s.mss);
  if (s.wscale) w.Key("wscale"), w.Uint(*s.wscale);
  w.EndObject();
}

}  // namespace

std::string probe_to_jsonl(const Probe& p) {
  rapidjson::StringBuffer buf;
  Writer w(buf);
  w.StartObject();
  w.Key("ts"), str(w, format_ts(p.ts_us));
  w.Key("src"), str(w, p.src);
  w.Key("sport"), w.Uint(p.sport);
  w.Key("dst"), str(w, p.dst);
  w.Key("dport"), w.Uint(p.dport);
  w.Key("transport"), w.String(transport_name(p.transport));
  w.Key("service"), w.String(service_name(p.service));
  w.Key("source"), w.String(source_name(p.source));
  if (p.truncated) w.Key("truncated"), w.Bool(true);
  if (p.http) w.Key("http"), http_json(w, *p.http, Carried(p, "http"));
  if (p.tls) w.Key("tls"), tls_json(w, *p.tls, Carried(p, "tls"));
  if (p.dns) w.Key("dns"), dns_json(w, *p.dns, Carried(p, "dns"));
  if (p.ssh) w.Key("ssh"), ssh_json(w, *p.ssh, Carried(p, "ssh"));
  if (p.rdp) w.Key("rdp"), rdp_json(w, *p.rdp);
  if (p.other) {
    w.Key("other");
    w.StartObject();
    w.Key("head"), hex(w, p.other->head);
    w.Key("length"), w.Uint64(p.other->length);
    w.EndObject();
  }
  if (p.syn) w.Key("syn"), syn_json(w, *p.syn);
  w.EndObject();
  return std::string(buf.GetString(), buf.GetSize());
}

}  // namespace sg
