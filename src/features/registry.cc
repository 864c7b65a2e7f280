#include "features/registry.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "features/mutual_info.h"
#include "features/tokenize.h"
#include "probe/service.h"
#include "util/bytes.h"

namespace sg::features {

const char* kind_name(FieldKind k) {
  switch (k) {
    case FieldKind::option:
      return "option";
    case FieldKind::string:
      return "string";
    case FieldKind::integer:
      return "integer";
  }
  return "?";
}

namespace {

void set_tokens(FieldValue& o, std::vector<std::string> tokens, std::string label) {
  o.present = !tokens.empty();
  o.tokens = std::move(tokens);
  o.label = o.present ? std::move(label) : std::string();
}

std::string join(const std::vector<std::string>& v, char sep = ',') {
  std::string out;
  for (size_t i = 0; i < v.size(); ++i) (out += i ? std::string(1, sep) : "") += v[i];
  return out;
}

// ---- extractor builders ----

// One token: the value of a string or number key.
Extractor single(const char* key) {
  return [key](const JsonValue* s, const JsonValue&, FieldValue& o) {
    if (auto v = get_string(s, key); v && !v->empty()) return set_tokens(o, {clip_token(*v)}, std::string(*v));
    if (auto n = get_uint(s, key)) return set_tokens(o, {std::to_string(*n)}, std::to_string(*n));
  };
}

// An array of code points (ciphers, groups...) or strings (alpn, ssh algorithm lists).
Extractor list(const char* key) {
  return [key](const JsonValue* s, const JsonValue&, FieldValue& o) {
    const JsonValue* a = get_array(s, key);
    if (!a) return;
    std::vector<std::string> wire;
    for (const auto& x : a->GetArray()) {
      if (x.IsUint64())
        wire.push_back(code_token(x.GetUint64()));
      else if (x.IsString())
        wire.push_back(clip_token(std::string_view(x.GetString(), x.GetStringLength())));
      if (wire.size() >= 4 * kMaxTokensPerValue) break;
    }
    std::string label = join(wire);
    std::vector<std::string> tokens;
    for (auto& t : wire)
      if (std::find(tokens.begin(), tokens.end(), t) == tokens.end() && tokens.size() < kMaxTokensPerValue)
        tokens.push_back(t);
    set_tokens(o, std::move(tokens), std::move(label));
  };
}

Extractor text(const char* key, bool hex = false) {
  return [key, hex](const JsonValue* s, const JsonValue&, FieldValue& o) {
    auto v = get_string(s, key);
    if (!v || v->empty()) return;
    o.present = true;
    o.label = std::string(*v);
    if (!hex) {
      o.bytes = std::string(*v);
      return;
    }
    o.bytes = from_hex_prefix(*v);
  };
}

Extractor integer(const char* key) {
  return [key](const JsonValue* s, const JsonValue&, FieldValue& o) {
    if (auto n = get_uint(s, key)) {
      o.present = true;
      o.number = *n;
      o.label = std::to_string(*n);
    }
  };
}

// ---- HTTP headers ----

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

struct Header {
  std::string_view name, value;
};

std::vector<Header> headers(const JsonValue* s) {
  std::vector<Header> out;
  const JsonValue* a = get_array(s, "headers");
  if (!a) return out;
  for (const auto& h : a->GetArray()) {
    if (!h.IsArray() || h.Size() != 2 || !h[0].IsString() || !h[1].IsString()) continue;
    out.push_back({{h[0].GetString(), h[0].GetStringLength()}, {h[1].GetString(), h[1].GetStringLength()}});
  }
  return out;
}

Extractor header_list(const char* name) {
  return [name](const JsonValue* s, const JsonValue&, FieldValue& o) {
    for (const Header& h : headers(s))
      if (iequals(h.name, name)) return set_tokens(o, split_list(h.value), std::string(h.value));
  };
}

// Headers with a field of their own are left out of header_values.
bool has_own_field(std::string_view name) {
  for (const char* n : {"host", "user-agent", "accept", "accept-encoding", "content-length"})
    if (iequals(name, n)) return true;
  return false;
}

void header_names(const JsonValue* s, const JsonValue&, FieldValue& o) {
  std::vector<std::string> names, tokens;
  for (const Header& h : headers(s)) {
    names.push_back(clip_token(h.name));
    if (std::find(tokens.begin(), tokens.end(), names.back()) == tokens.end() && tokens.size() < kMaxTokensPerValue)
      tokens.push_back(names.back());
  }
  set_tokens(o, std::move(tokens), join(names));
}

void header_order(const JsonValue* s, const JsonValue&, FieldValue& o) {
  std::vector<std::string> names;
  for (const Header& h : headers(s)) names.push_back(std::string(h.name));
  if (names.empty()) return;
  std::string order = join(names);
  // One token for the whole order; a long order is rare and kept apart by a (stable) hash of the whole.
  std::string token = order.size() <= kMaxTokenBytes
                          ? order
                          : fmt::format("{}~{:x}", order.substr(0, kMaxTokenBytes - 17), value_hash(order));
  set_tokens(o, {token}, order);
}

void header_values(const JsonValue* s, const JsonValue&, FieldValue& o) {
  std::vector<std::string> tokens;
  std::string label;
  for (const Header& h : headers(s)) {
    if (has_own_field(h.name)) continue;
    std::string t = clip_token(fmt::format("{}: {}", h.name, h.value));
    (label += label.empty() ? "" : "\n") += t;
    if (std::find(tokens.begin(), tokens.end(), t) == tokens.end() && tokens.size() < kMaxTokensPerValue)
      tokens.push_back(std::move(t));
  }
  set_tokens(o, std::move(tokens), std::move(label));
}

void user_agent(const JsonValue* s, const JsonValue&, FieldValue& o) {
  if (auto v = get_string(s, "user_agent")) set_tokens(o, user_agent_tokens(*v), std::string(*v));
}

// ---- TCP SYN ----

std::string syn_options(const JsonValue* syn) {
  std::string out;
  if (const JsonValue* a = get_array(syn, "options"))
    for (const auto& x : a->GetArray())
      if (x.IsUint()) (out += out.empty() ? "" : ",") += std::to_string(x.GetUint());
  return out;
}

// p0f-like, with the initial TTL instead of the observed one.
void syn_sig(const JsonValue*, const JsonValue& probe, FieldValue& o) {
  const JsonValue* syn = member(&probe, "syn");
  auto ttl = get_uint(syn, "ttl");
  if (!ttl) return;
  auto opt = [&](const char* k) {
    auto v = get_uint(syn, k);
    return v ? std::to_string(*v) : std::string("*");
  };
  std::string sig = fmt::format("{}:{}:{}:{}:{}:{}", initial_ttl(unsigned(*ttl)), opt("window"), opt("mss"),
                                opt("wscale"), syn_options(syn), get_uint(syn, "df").value_or(0) ? "df" : "");
  set_tokens(o, {clip_token(sig)}, sig);
}

void syn_option_order(const JsonValue* syn, const JsonValue&, FieldValue& o) {
  if (!get_array(syn, "options")) return;
  std::string order = syn_options(syn);
  set_tokens(o, {clip_token(order.empty() ? "none" : order)}, order);
}

void syn_ttl(const JsonValue* syn, const JsonValue&, FieldValue& o) {
  if (auto t = get_uint(syn, "ttl")) {
    o.present = true;
    o.number = initial_ttl(unsigned(*t));
    o.label = std::to_string(o.number);
  }
}

void session_id_length(const JsonValue* s, const JsonValue&, FieldValue& o) {
  if (auto v = get_string(s, "session_id")) {
    o.present = true;
    o.number = v->size() / 2;
    o.label = std::to_string(o.number);
  }
}

void ja3(const JsonValue* s, const JsonValue&, FieldValue& o) {
  // The MD5 names the JA3 string one to one and is shorter; the string is what the label encodes.
  auto hash = get_string(s, "ja3_hash");
  auto str = get_string(s, "ja3");
  if (hash && !hash->empty()) set_tokens(o, {clip_token(*hash)}, std::string(str ? *str : *hash));
}

void ssh_banner(const JsonValue* s, const JsonValue&, FieldValue& o) {
  if (auto v = get_string(s, "banner"); v && !v->empty()) set_tokens(o, ssh_banner_tokens(*v), std::string(*v));
}

using F = FieldKind;

std::vector<FieldSpec> sorted(std::vector<FieldSpec> v) {
  std::sort(v.begin(), v.end(),
            [](const FieldSpec& a, const FieldSpec& b) { return std::string_view(a.name) < b.name; });
  return v;
}

const FieldSpec kSynSig{"syn_sig",
                        F::option,
                        0,
                        {"syn.ttl", "syn.window", "syn.mss", "syn.wscale", "syn.options", "syn.df"},
                        "one token: initial TTL, window, mss, window scale, option kinds in order, df",
                        syn_sig};

const std::vector<FieldSpec>& http_fields() {
  static const auto v = sorted({
      {"accept", F::option, 0, {"http.headers"}, "Accept split on ','", header_list("accept")},
      {"accept_encoding",
       F::option,
       0,
       {"http.headers"},
       "Accept-Encoding split on ','",
       header_list("accept-encoding")},
      {"body_length", F::integer, 16, {"http.body_length"}, "16 bits, saturating", integer("body_length")},
      {"header_names", F::option, 0, {"http.headers"}, "each header name as sent", header_names},
      {"header_order", F::option, 0, {"http.headers"}, "one token: the names in order", header_order},
      {"header_values",
       F::option,
       0,
       {"http.headers"},
       "'Name: value' of headers without a field of their own",
       header_values},
      {"host", F::string, 10, {"http.host"}, "first 10 bytes", text("host")},
      {"method", F::option, 0, {"http.method"}, "one token", single("method")},
      kSynSig,
      {"uri", F::string, 10, {"http.uri"}, "first 10 bytes", text("uri")},
      {"user_agent",
       F::option,
       0,
       {"http.user_agent"},
       "product tokens and comment items (see tokenize.h)",
       user_agent},
      {"version", F::option, 0, {"http.version"}, "one token", single("version")},
  });
  return v;
}

const std::vector<FieldSpec>& tls_fields() {
  static const auto v = sorted({
      {"alpn", F::option, 0, {"tls.alpn"}, "each protocol", list("alpn")},
      {"ciphers", F::option, 0, {"tls.ciphers"}, "each suite, GREASE as one token", list("ciphers")},
      {"compression_methods", F::option, 0, {"tls.compression_methods"}, "each method", list("compression_methods")},
      {"ec_point_formats", F::option, 0, {"tls.ec_point_formats"}, "each format", list("ec_point_formats")},
      {"extensions", F::option, 0, {"tls.extensions"}, "each type, GREASE as one token", list("extensions")},
      {"gmt_unix_time", F::integer, 32, {"tls.gmt_unix_time"}, "32 bits", integer("gmt_unix_time")},
      {"ja3", F::option, 0, {"tls.ja3", "tls.ja3_hash"}, "one token: the JA3 MD5", ja3},
      {"ja4", F::option, 0, {"tls.ja4"}, "one token", single("ja4")},
      {"random", F::string, 10, {"tls.random"}, "first 10 bytes", text("random", true)},
      {"record_version", F::option, 0, {"tls.record_version"}, "one token", single("record_version")},
      {"session_id", F::string, 10, {"tls.session_id"}, "first 10 bytes", text("session_id", true)},
      {"session_id_length", F::integer, 6, {"tls.session_id"}, "6 bits", session_id_length},
      {"signature_algorithms", F::option, 0, {"tls.signature_algorithms"}, "each scheme", list("signature_algorithms")},
      {"sni", F::string, 10, {"tls.sni"}, "first 10 bytes", text("sni")},
      {"supported_groups",
       F::option,
       0,
       {"tls.supported_groups"},
       "each group, GREASE as one token",
       list("supported_groups")},
      {"supported_versions",
       F::option,
       0,
       {"tls.supported_versions"},
       "each version, GREASE as one token",
       list("supported_versions")},
      kSynSig,
      {"version", F::option, 0, {"tls.version"}, "one token", single("version")},
  });
  return v;
}

const std::vector<FieldSpec>& dns_fields() {
  static const auto v = [] {
    std::vector<FieldSpec> f;
    // Flag bits, opcode and rcode are also in the raw flags word the export carries.
    auto hdr = [&](const char* name, int width, const char* source) {
      bool in_flags = width == 1 || std::string_view(name) == "opcode" || std::string_view(name) == "rcode";
      std::vector<const char*> sources = {source};
      if (in_flags) sources.push_back("dns.flags");
      f.push_back({name, F::integer, width, sources, width == 1 ? "1 bit" : "bits, saturating", integer(name), true});
    };
    hdr("id", 16, "dns.id");
    hdr("qr", 1, "dns.qr");
    hdr("opcode", 4, "dns.opcode");
    hdr("aa", 1, "dns.aa");
    hdr("tc", 1, "dns.tc");
    hdr("rd", 1, "dns.rd");
    hdr("ra", 1, "dns.ra");
    hdr("z", 1, "dns.z");
    hdr("ad", 1, "dns.ad");
    hdr("cd", 1, "dns.cd");
    hdr("rcode", 4, "dns.rcode");
    hdr("qdcount", 8, "dns.qdcount");
    hdr("ancount", 8, "dns.ancount");
    hdr("nscount", 8, "dns.nscount");
    hdr("arcount", 8, "dns.arcount");
    f.push_back({"qname", F::string, 32, {"dns.qname"}, "first 32 bytes", text("qname")});
    f.push_back({"qtype", F::integer, 16, {"dns.qtype"}, "16 bits", integer("qtype")});
    f.push_back({"qclass", F::integer, 16, {"dns.qclass"}, "16 bits", integer("qclass")});
    auto edns = [](const char* key, bool list_of) -> Extractor {
      return [key, list_of](const JsonValue* s, const JsonValue& p, FieldValue& o) {
        const JsonValue* e = member(s, "edns");
        if (!e) return;
        if (list_of) {
          list(key)(e, p, o);
          if (!o.present) set_tokens(o, {"none"}, "none");  // EDNS without options differs from no EDNS
        } else {
          integer(key)(e, p, o);
        }
      };
    };
    f.push_back({"edns_do", F::integer, 1, {"dns.edns"}, "1 bit", edns("do", false)});
    f.push_back({"edns_options", F::option, 0, {"dns.edns"}, "each option code", edns("options", true)});
    f.push_back({"edns_udp_size", F::integer, 16, {"dns.edns"}, "16 bits", edns("udp_size", false)});
    return sorted(std::move(f));
  }();
  return v;
}

const std::vector<FieldSpec>& ssh_fields() {
  static const auto v = sorted({
      {"banner", F::option, 0, {"ssh.banner"}, "line, SSH-x.y, software, software name, comments", ssh_banner},
      {"compression_c2s", F::option, 0, {"ssh.compression_c2s"}, "each algorithm", list("compression_c2s")},
      {"encryption_c2s", F::option, 0, {"ssh.encryption_c2s"}, "each algorithm", list("encryption_c2s")},
      {"hassh", F::option, 0, {"ssh.hassh", "ssh.hassh_algorithms"}, "one token", single("hassh")},
      {"host_key_algorithms", F::option, 0, {"ssh.host_key_algorithms"}, "each algorithm", list("host_key_algorithms")},
      {"kex_algorithms", F::option, 0, {"ssh.kex_algorithms"}, "each algorithm", list("kex_algorithms")},
      {"mac_c2s", F::option, 0, {"ssh.mac_c2s"}, "each algorithm", list("mac_c2s")},
      kSynSig,
  });
  return v;
}

const std::vector<FieldSpec>& rdp_fields() {
  static const auto v = sorted({
      {"cookie", F::option, 0, {"rdp.cookie"}, "one token", single("cookie")},
      {"requested_protocols", F::option, 0, {"rdp.requested_protocols"}, "one token", single("requested_protocols")},
      {"routing_token", F::option, 0, {"rdp.routing_token"}, "one token", single("routing_token")},
      kSynSig,
  });
  return v;
}

const std::vector<FieldSpec>& syn_fields() {
  static const auto v = sorted({
      {"df", F::integer, 1, {"syn.df"}, "1 bit", integer("df")},
      {"mss", F::integer, 16, {"syn.mss"}, "16 bits", integer("mss")},
      {"options", F::option, 0, {"syn.options"}, "one token: option kinds in order", syn_option_order},
      {"sig",
       F::option,
       0,
       {"syn.ttl", "syn.window", "syn.mss", "syn.wscale", "syn.options", "syn.df"},
       "one token",
       syn_sig},
      {"ttl", F::integer, 8, {"syn.ttl"}, "initial TTL (32/64/128/255), 8 bits", syn_ttl},
      {"window", F::integer, 16, {"syn.window"}, "16 bits", integer("window")},
      {"wscale", F::option, 0, {"syn.wscale"}, "one token", single("wscale")},
  });
  return v;
}

}  // namespace

const std::vector<FieldSpec>& service_fields(Service s) {
  static const std::vector<FieldSpec> none;
  switch (s) {
    case Service::http:
      return http_fields();
    case Service::tls:
      return tls_fields();
    case Service::dns:
      return dns_fields();
    case Service::ssh:
      return ssh_fields();
    case Service::rdp:
      return rdp_fields();
    case Service::syn:
      return syn_fields();
    case Service::other:
      return none;
  }
  return none;
}

const FieldSpec* find_field(Service s, const std::string& name) {
  for (const FieldSpec& f : service_fields(s))
    if (name == f.name) return &f;
  return nullptr;
}

FieldValue extract_field(const FieldSpec& f, const ProbeDoc& probe, Service s) {
  FieldValue out;
  const JsonValue* section = probe.section(service_name(s));
  if (section) f.extract(section, probe.root(), out);
  return out;
}

const std::vector<Service>& feature_services() {
  static const std::vector<Service> v = [] {
    std::vector<Service> out;
    for (const auto& s : kServices)
      if (s.has_fields) out.push_back(s.id);
    return out;
  }();
  return v;
}

}  // namespace sg::features
