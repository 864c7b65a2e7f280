#include "export/json.h"

#include <cstring>

#include "util/bytes.h"
#include "util/json_writer.h"
#include "util/time.h"
#include "util/utf8.h"

namespace sg {

namespace {

// The export is written straight into one buffer by RapidJSON's streaming writer (with JsonWriter's
// shortcuts): no document tree per probe, which was the largest cost of `extract` when it was built with
// nlohmann::json.
class Writer : public JsonWriter {
 public:
  explicit Writer(rapidjson::StringBuffer& out) : JsonWriter(out) {}
  // Lower-case hex digits of `b`, as a string (what to_hex gives), written straight into the buffer.
  void hex_string(ByteView b) {
    static constexpr char digits[] = "0123456789abcdef";
    Prefix(rapidjson::kStringType);
    char* o = os_->Push(2 * b.size() + 2);
    *o++ = '"';
    for (uint8_t c : b) *o++ = digits[c >> 4], *o++ = digits[c & 15];
    *o = '"';
    EndValue(true);
  }
};

// Printable ASCII without '"' or '\\': RapidJSON would copy every byte unchanged (and it is valid UTF-8).
// Eight bytes at a time first (a word with a byte >= 0x7f, < 0x20, '"' or '\\' anywhere fails the word),
// the tail byte by byte.
bool plain_ascii(std::string_view s) {
  constexpr uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
  auto has_zero = [](uint64_t v) { return (v - ones) & ~v & highs; };
  size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    uint64_t w;
    std::memcpy(&w, s.data() + i, 8);
    const uint64_t bad = (w & highs) | ((w - ones * 0x20) & ~w & highs) | has_zero(w ^ (ones * 0x7f)) |
                         has_zero(w ^ (ones * '"')) | has_zero(w ^ (ones * '\\'));
    if (bad) return false;
  }
  for (char ch : s.substr(i)) {
    const auto c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\') return false;
  }
  return true;
}

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

// Keys are ASCII literals that need no escaping: written raw, already quoted, so RapidJSON neither scans
// them for escapes nor measures them (the writer's comma and colon bookkeeping is the same as for Key).
// Always inlined: with N known the copies below become a few immediate stores (as calls they were ~5%).
template <size_t N>
[[gnu::always_inline]] inline void key(Writer& w, const char (&k)[N]) {
  char q[N + 1];
  q[0] = '"';
  std::memcpy(q + 1, k, N - 1);
  q[N] = '"';
  w.quoted_string(q, N + 1);
}

void str(Writer& w, std::string_view s) {
  if (plain_ascii(s)) {
    w.plain_string(s);
  } else if (valid_utf8(s)) {
    w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
  } else {
    std::string safe = utf8_safe(s);
    w.String(safe.data(), static_cast<rapidjson::SizeType>(safe.size()));
  }
}

void hex(Writer& w, const Bytes& b) { w.hex_string(ByteView(b.data(), b.size())); }

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
  if (has("method")) key(w, "method"), str(w, h.method);
  if (has("uri")) key(w, "uri"), str(w, h.uri);
  if (has("version")) key(w, "version"), str(w, h.version);
  if (has("headers")) {
    key(w, "headers");
    w.StartArray();
    for (const auto& [name, value] : h.headers) {
      w.StartArray();
      str(w, name);
      str(w, value);
      w.EndArray();
    }
    w.EndArray();
  }
  if (has("body_length")) key(w, "body_length"), w.Uint64(h.body_length);
  if (h.user_agent) key(w, "user_agent"), str(w, *h.user_agent);
  if (h.host) key(w, "host"), str(w, *h.host);
  w.EndObject();
}

void tls_json(Writer& w, const TlsProbe& t, const Carried& has) {
  w.StartObject();
  if (has("record_version")) key(w, "record_version"), w.Uint(t.record_version);
  if (has("version")) key(w, "version"), w.Uint(t.version);
  if (has("random")) key(w, "random"), hex(w, t.random);
  if (has("gmt_unix_time")) key(w, "gmt_unix_time"), w.Uint(t.gmt_unix_time);
  if (has("session_id")) key(w, "session_id"), hex(w, t.session_id);
  if (has("ciphers")) key(w, "ciphers"), uints(w, t.ciphers);
  if (has("compression_methods")) key(w, "compression_methods"), uints(w, t.compression_methods);
  if (has("extensions")) key(w, "extensions"), uints(w, t.extensions);
  if (has("alpn")) key(w, "alpn"), strings(w, t.alpn);
  if (has("supported_groups")) key(w, "supported_groups"), uints(w, t.supported_groups);
  if (has("ec_point_formats")) key(w, "ec_point_formats"), uints(w, t.ec_point_formats);
  if (has("signature_algorithms")) key(w, "signature_algorithms"), uints(w, t.signature_algorithms);
  if (has("supported_versions")) key(w, "supported_versions"), uints(w, t.supported_versions);
  if (has("ja3")) key(w, "ja3"), str(w, t.ja3);
  if (has("ja3_hash")) key(w, "ja3_hash"), str(w, t.ja3_hash);
  if (has("ja4")) key(w, "ja4"), str(w, t.ja4);
  if (t.sni) key(w, "sni"), str(w, *t.sni);
  w.EndObject();
}

void dns_json(Writer& w, const DnsProbe& d, const Carried& has) {
  w.StartObject();
  if (has("id")) key(w, "id"), w.Uint(d.id);
  if (has("flags")) key(w, "flags"), w.Uint(d.flags);
  if (has("qr")) key(w, "qr"), w.Bool(d.qr);
  if (has("opcode")) key(w, "opcode"), w.Uint(d.opcode);
  if (has("aa")) key(w, "aa"), w.Bool(d.aa);
  if (has("tc")) key(w, "tc"), w.Bool(d.tc);
  if (has("rd")) key(w, "rd"), w.Bool(d.rd);
  if (has("ra")) key(w, "ra"), w.Bool(d.ra);
  if (has("z")) key(w, "z"), w.Bool(d.z);
  if (has("ad")) key(w, "ad"), w.Bool(d.ad);
  if (has("cd")) key(w, "cd"), w.Bool(d.cd);
  if (has("rcode")) key(w, "rcode"), w.Uint(d.rcode);
  if (has("qdcount")) key(w, "qdcount"), w.Uint(d.qdcount);
  if (has("ancount")) key(w, "ancount"), w.Uint(d.ancount);
  if (has("nscount")) key(w, "nscount"), w.Uint(d.nscount);
  if (has("arcount")) key(w, "arcount"), w.Uint(d.arcount);
  if (has("qname")) key(w, "qname"), str(w, d.qname);
  if (has("qtype")) key(w, "qtype"), w.Uint(d.qtype);
  if (has("qclass")) key(w, "qclass"), w.Uint(d.qclass);
  if (d.edns) {
    key(w, "edns");
    w.StartObject();
    if (has("udp_size")) key(w, "udp_size"), w.Uint(d.edns->udp_size);
    if (has("do")) key(w, "do"), w.Bool(d.edns->do_bit);
    if (has("version")) key(w, "version"), w.Uint(d.edns->version);
    if (has("extended_rcode")) key(w, "extended_rcode"), w.Uint(d.edns->extended_rcode);
    if (has("options")) key(w, "options"), uints(w, d.edns->options);
    w.EndObject();
  }
  w.EndObject();
}

void ssh_json(Writer& w, const SshProbe& s, const Carried& has) {
  w.StartObject();
  if (has("banner")) key(w, "banner"), str(w, s.banner);
  if (has("kexinit")) key(w, "kexinit"), w.Bool(s.kexinit);
  if (s.kexinit) {
    if (has("hassh")) key(w, "hassh"), str(w, s.hassh);
    if (has("hassh_algorithms")) key(w, "hassh_algorithms"), str(w, s.hassh_algorithms);
    if (has("kex_algorithms")) key(w, "kex_algorithms"), strings(w, s.kex_algorithms);
    if (has("host_key_algorithms")) key(w, "host_key_algorithms"), strings(w, s.host_key_algorithms);
    if (has("encryption_c2s")) key(w, "encryption_c2s"), strings(w, s.encryption_c2s);
    if (has("mac_c2s")) key(w, "mac_c2s"), strings(w, s.mac_c2s);
    if (has("compression_c2s")) key(w, "compression_c2s"), strings(w, s.compression_c2s);
  }
  w.EndObject();
}

void rdp_json(Writer& w, const RdpProbe& r) {
  w.StartObject();
  if (r.cookie) key(w, "cookie"), str(w, *r.cookie);
  if (r.routing_token) key(w, "routing_token"), str(w, *r.routing_token);
  if (r.requested_protocols) key(w, "requested_protocols"), w.Uint(*r.requested_protocols);
  w.EndObject();
}

void syn_json(Writer& w, const SynSignature& s) {
  // p0f-like compact form, handy for grouping: ttl:window:mss:wscale:options:df. Written by hand into a stack
  // buffer (fmt and a std::to_string per option were ~5% of `extract`: one SYN per TCP probe). At most
  // 3+5+5+3 digits, 40 options of 3 digits and their commas, 5 colons and "df": under 200 bytes.
  char stack[256];
  std::string heap;  // only for a signature with more options than a SYN can carry (one built elsewhere)
  if (s.options.size() > 40) heap.resize(32 + 4 * s.options.size());
  char* sig = heap.empty() ? stack : heap.data();
  size_t n = 0;
  auto num = [sig, &n](unsigned v) {
    char d[10];
    size_t k = 0;
    do d[k++] = static_cast<char>('0' + v % 10), v /= 10;
    while (v);
    while (k) sig[n++] = d[--k];
  };
  num(s.ttl), sig[n++] = ':';
  num(s.window), sig[n++] = ':';
  s.mss ? num(*s.mss) : void(sig[n++] = '*');
  sig[n++] = ':';
  s.wscale ? num(*s.wscale) : void(sig[n++] = '*');
  sig[n++] = ':';
  for (size_t i = 0; i < s.options.size(); ++i) {
    if (i) sig[n++] = ',';
    num(s.options[i]);
  }
  sig[n++] = ':';
  if (s.df) sig[n++] = 'd', sig[n++] = 'f';
  w.StartObject();
  key(w, "ttl"), w.Uint(s.ttl);
  key(w, "window"), w.Uint(s.window);
  key(w, "options"), uints(w, s.options);
  key(w, "df"), w.Bool(s.df);
  key(w, "ip_len"), w.Uint(s.ip_len);
  key(w, "sig"), w.plain_string(std::string_view(sig, n));  // digits and punctuation
  if (s.mss) key(w, "mss"), w.Uint(*s.mss);
  if (s.wscale) key(w, "wscale"), w.Uint(*s.wscale);
  w.EndObject();
}

}  // namespace

std::string probe_to_jsonl(const Probe& p) { return std::string(probe_to_jsonl_view(p)); }

std::string_view probe_to_jsonl_view(const Probe& p) {
  thread_local rapidjson::StringBuffer buf;  // reused: its memory is allocated once per thread
  buf.Clear();
  Writer w(buf);
  w.StartObject();
  char ts[kTsBufSize];
  key(w, "ts"), w.String(ts, static_cast<rapidjson::SizeType>(format_ts(p.ts_us, ts)));  // ASCII digits
  key(w, "src"), str(w, p.src);
  key(w, "sport"), w.Uint(p.sport);
  key(w, "dst"), str(w, p.dst);
  key(w, "dport"), w.Uint(p.dport);
  key(w, "transport"), w.String(transport_name(p.transport));
  key(w, "service"), w.String(service_name(p.service));
  key(w, "source"), w.String(source_name(p.source));
  if (p.truncated) key(w, "truncated"), w.Bool(true);
  if (p.http) key(w, "http"), http_json(w, *p.http, Carried(p, "http"));
  if (p.tls) key(w, "tls"), tls_json(w, *p.tls, Carried(p, "tls"));
  if (p.dns) key(w, "dns"), dns_json(w, *p.dns, Carried(p, "dns"));
  if (p.ssh) key(w, "ssh"), ssh_json(w, *p.ssh, Carried(p, "ssh"));
  if (p.rdp) key(w, "rdp"), rdp_json(w, *p.rdp);
  if (p.other) {
    key(w, "other");
    w.StartObject();
    key(w, "head"), hex(w, p.other->head);
    key(w, "length"), w.Uint64(p.other->length);
    w.EndObject();
  }
  if (p.syn) key(w, "syn"), syn_json(w, *p.syn);
  w.EndObject();
  return std::string_view(buf.GetString(), buf.GetSize());
}

}  // namespace sg
