#include "simulate/sensor_logs.h"

#include <openssl/evp.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <optional>
#include <set>
#include <stdexcept>
#include <string_view>
#include <utility>

#include "capture/packet.h"
#include "probe/analyzer.h"
#include "probe/dns.h"
#include "probe/ssh.h"
#include "util/hash.h"
#include "util/utf8.h"

namespace sg::simulate {

LogKinds parse_log_kinds(const std::vector<std::string>& names) {
  LogKinds k;
  for (const auto& n : names) {
    if (n == "eve")
      k.eve = true;
    else if (n == "zeek")
      k.zeek = true;
    else if (n == "zeek-json")
      k.zeek_json = true;
    else if (!n.empty())
      throw std::invalid_argument("--logs: unknown log '" + n.substr(0, 40) + "' (expected eve, zeek, zeek-json)");
  }
  return k;
}

void RecordingSink::start(const Flow& flow, bool) {
  flow_ = flow;
  frames_.clear();
}

void RecordingSink::packet(int64_t ts_us, ByteView frame) {
  out_.packet(ts_us, frame);
  Packet p;
  if (decode_packet(1 /* DLT_EN10MB */, frame, p)) return;  // the simulator builds only TCP/UDP frames
  FrameFact f;
  f.ts_us = ts_us;
  f.to_server = p.src == flow_.client.ip && p.sport == flow_.client.port;
  f.flags = p.proto == 6 ? p.tcp_flags : 0;
  f.ip_len = p.ip_len;
  f.frame_len = uint32_t(frame.size());
  f.seq = p.seq;
  f.payload = uint32_t(p.payload.size());
  frames_.push_back(f);
}

namespace {

// ---- text forms ----

void civil(int64_t ts_us, char* buf, size_t n, const char* fmt_ymd_hms) {
  using namespace std::chrono;
  int64_t secs = ts_us >= 0 ? ts_us / 1000000 : (ts_us - 999999) / 1000000;
  sys_seconds tp{seconds{secs}};
  auto day = floor<days>(tp);
  year_month_day ymd{day};
  hh_mm_ss hms{tp - day};
  std::snprintf(buf, n, fmt_ymd_hms, int(ymd.year()), unsigned(ymd.month()), unsigned(ymd.day()),
                int(hms.hours().count()), int(hms.minutes().count()), int(hms.seconds().count()));
}

int64_t micros(int64_t ts_us) { return ((ts_us % 1000000) + 1000000) % 1000000; }

// Suricata: 2025-01-20T10:00:00.123456+0000
std::string eve_time(int64_t ts_us) {
  char buf[48], out[64];
  civil(ts_us, buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d");
  std::snprintf(out, sizeof out, "%s.%06lld+0000", buf, static_cast<long long>(micros(ts_us)));
  return out;
}

// Zeek's time and interval columns: seconds with six decimals.
std::string zeek_seconds(int64_t us) {
  char out[40];
  bool neg = us < 0;
  uint64_t a = neg ? uint64_t(-us) : uint64_t(us);
  std::snprintf(out, sizeof out, "%s%llu.%06llu", neg ? "-" : "", static_cast<unsigned long long>(a / 1000000),
                static_cast<unsigned long long>(a % 1000000));
  return out;
}

// #open / #close: 2025-01-06-00-00-00
std::string zeek_stamp(int64_t ts_us) {
  char buf[48];
  civil(ts_us, buf, sizeof buf, "%04d-%02u-%02u-%02d-%02d-%02d");
  return buf;
}

void hex_escape(std::string& out, uint8_t c) {
  static const char kHex[] = "0123456789abcdef";
  out += "\\x";
  out += kHex[c >> 4];
  out += kHex[c & 15];
}

// Zeek ASCII: valid UTF-8 stays, other bytes outside printable ASCII become \xHH, the escape character is
// doubled (so a literal "\x07" in a URI reads "\\x07", as Zeek writes it), and inside a set or vector the
// set separator is escaped too. A value that reads like the unset or empty marker is escaped so that it is
// not taken for one.
std::string zeek_tsv_text(std::string_view s, bool element) {
  if (s.empty()) return "(empty)";
  if (s == "-") return "\\x2d";
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    auto c = uint8_t(s[i]);
    size_t n = c >= 0x80 ? utf8_seq(s, i) : 0;
    if (n > 1) {
      out.append(s.substr(i, n));
      i += n;
      continue;
    }
    if (c == '\\')
      out += "\\\\";
    else if (c < 0x20 || c >= 0x7f || (element && c == ','))
      hex_escape(out, c);
    else
      out += char(c);
    ++i;
  }
  if (out == "(empty)") out = "\\x28empty)";
  return out;
}

// Zeek JSON: as the ASCII writer, but the JSON writer does the quoting; a backslash stays one.
std::string zeek_json_text(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    auto c = uint8_t(s[i]);
    size_t n = c >= 0x80 ? utf8_seq(s, i) : 0;
    if (n > 1) {
      out.append(s.substr(i, n));
      i += n;
      continue;
    }
    if (c < 0x20 || c >= 0x7f)
      hex_escape(out, c);
    else
      out += char(c);
    ++i;
  }
  return out;
}

// Suricata's JSON builder: valid UTF-8 as it is; otherwise every byte above 0x7f as \xhh (control bytes
// are left to the JSON escaping).
std::string eve_text(std::string_view s) {
  if (valid_utf8(s)) return std::string(s);
  std::string out;
  for (char ch : s) {
    auto c = uint8_t(ch);
    if (c >= 0x80)
      hex_escape(out, c);
    else
      out += ch;
  }
  return out;
}

// Suricata prints an IPv6 address as eight four-digit groups ("2001:0db8:0000:...", as the real EVE
// records in ../shared/data/logs have it), IPv4 dotted.
std::string eve_addr(const IpAddr& a) {
  if (a.v4) return to_string(a);
  char buf[48];
  const auto& b = a.b;
  std::snprintf(buf, sizeof buf, "%02x%02x:%02x%02x:%02x%02x:%02x%02x:%02x%02x:%02x%02x:%02x%02x:%02x%02x", b[0], b[1],
                b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
  return buf;
}

// ---- ids ----

uint64_t splitmix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

void base62(std::string& out, uint64_t v) {
  static const char kDigits[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  char buf[16];
  size_t n = 0;
  do {
    buf[n++] = kDigits[v % 62];
    v /= 62;
  } while (v);
  while (n) out += buf[--n];
}

// Zeek's connection uid: "C" and a 96-bit number in base 62.
std::string zeek_uid(uint64_t a, uint64_t b) {
  std::string uid = "C";
  base62(uid, a);
  base62(uid, b & 0xffffffffULL);
  return uid;
}

// ---- the sensor's answers, read back (bounded; anything unexpected leaves the field unknown) ----

struct HttpAnswer {
  int status = 0;
  std::string reason, content_type;
  uint64_t body = 0;
};

std::optional<HttpAnswer> read_http_answer(ByteView b) {
  std::string_view s(reinterpret_cast<const char*>(b.data()), b.size());
  size_t eol = s.find("\r\n");
  size_t end = s.find("\r\n\r\n");
  if (eol == std::string_view::npos || end == std::string_view::npos || !s.starts_with("HTTP/")) return std::nullopt;
  std::string_view line = s.substr(0, eol);
  size_t sp = line.find(' ');
  if (sp == std::string_view::npos || sp + 4 > line.size()) return std::nullopt;
  HttpAnswer a;
  for (size_t i = sp + 1; i < sp + 4; ++i) {
    if (line[i] < '0' || line[i] > '9') return std::nullopt;
    a.status = a.status * 10 + (line[i] - '0');
  }
  if (sp + 5 <= line.size()) a.reason = std::string(line.substr(sp + 5));
  for (size_t pos = eol + 2; pos < end;) {
    size_t next = s.find("\r\n", pos);
    std::string_view h = s.substr(pos, next - pos);
    size_t colon = h.find(':');
    if (colon != std::string_view::npos) {
      std::string name(h.substr(0, colon));
      std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return char(std::tolower(c)); });
      std::string_view v = h.substr(colon + 1);
      while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
      if (name == "content-type") a.content_type = std::string(v);
    }
    pos = next + 2;
  }
  a.body = s.size() - (end + 4);
  return a;
}

struct TlsAnswer {
  uint16_t version = 0;  // negotiated: supported_versions when present, else legacy_version
  uint16_t legacy_version = 0;
  uint16_t cipher = 0;
  std::vector<uint16_t> extensions;
  std::string history;  // server handshake messages, Zeek's ssl_history letters (lower case: the server)
};

char zeek_handshake_letter(uint8_t type) {
  switch (type) {
    case 0:
      return 'h';
    case 1:
      return 'c';
    case 2:
      return 's';
    case 3:
      return 'v';
    case 4:
      return 't';
    case 8:
      return 'e';
    case 11:
      return 'x';
    case 12:
      return 'k';
    case 13:
      return 'r';
    case 14:
      return 'n';
    case 15:
      return 'y';
    case 16:
      return 'g';
    case 20:
      return 'f';
    case 21:
      return 'w';
    case 22:
      return 'u';
    case 23:
      return 'a';
    default:
      return 'z';
  }
}

std::optional<TlsAnswer> read_tls_answer(ByteView b) {
  TlsAnswer a;
  bool hello = false;
  Cursor rec(b);
  uint8_t type = 0;
  uint16_t rv = 0, rlen = 0;
  while (rec.u8(type) && rec.u16(rv) && rec.u16(rlen)) {
    ByteView body;
    if (!rec.bytes(rlen, body)) break;
    if (type == 20) a.history += 'i';  // change_cipher_spec
    if (type != 22) continue;
    Cursor hs(body);
    uint8_t ht = 0;
    uint32_t hlen = 0;
    ByteView msg;
    while (hs.u8(ht) && hs.u24(hlen) && hs.bytes(hlen, msg)) {
      a.history += zeek_handshake_letter(ht);
      if (ht != 2 || hello) continue;
      Cursor c(msg);
      uint8_t sid_len = 0, comp = 0;
      uint16_t ext_len = 0;
      if (!c.u16(a.legacy_version) || !c.skip(32) || !c.u8(sid_len) || !c.skip(sid_len) || !c.u16(a.cipher) ||
          !c.u8(comp))
        return std::nullopt;
      hello = true;
      a.version = a.legacy_version;
      ByteView exts;
      if (c.u16(ext_len) && c.bytes(ext_len, exts)) {
        Cursor e(exts);
        uint16_t et = 0, el = 0;
        ByteView ev;
        while (e.u16(et) && e.u16(el) && e.bytes(el, ev)) {
          a.extensions.push_back(et);
          if (et == 43 && ev.size() == 2) a.version = uint16_t(ev[0] << 8 | ev[1]);
        }
      }
    }
  }
  if (!hello) return std::nullopt;
  return a;
}

// Zeek's names (base/protocols/ssl/consts.zeek); an unknown one is "unknown-N" as Zeek writes it.
std::string zeek_tls_version(uint16_t v) {
  switch (v) {
    case 0x0002:
      return "SSLv2";
    case 0x0300:
      return "SSLv3";
    case 0x0301:
      return "TLSv10";
    case 0x0302:
      return "TLSv11";
    case 0x0303:
      return "TLSv12";
    case 0x0304:
      return "TLSv13";
    default:
      return "unknown-" + std::to_string(v);
  }
}

// Suricata's SSLVersionToString.
std::string eve_tls_version(uint16_t v) {
  switch (v) {
    case 0x0002:
      return "SSLv2";
    case 0x0300:
      return "SSLv3";
    case 0x0301:
      return "TLSv1";
    case 0x0302:
      return "TLS 1.1";
    case 0x0303:
      return "TLS 1.2";
    case 0x0304:
      return "TLS 1.3";
    default:
      return "UNDETERMINED";
  }
}

std::string zeek_cipher(uint16_t c) {
  switch (c) {
    case 0x000a:
      return "TLS_RSA_WITH_3DES_EDE_CBC_SHA";
    case 0x002f:
      return "TLS_RSA_WITH_AES_128_CBC_SHA";
    case 0x0035:
      return "TLS_RSA_WITH_AES_256_CBC_SHA";
    case 0x009c:
      return "TLS_RSA_WITH_AES_128_GCM_SHA256";
    case 0x009d:
      return "TLS_RSA_WITH_AES_256_GCM_SHA384";
    case 0x1301:
      return "TLS_AES_128_GCM_SHA256";
    case 0x1302:
      return "TLS_AES_256_GCM_SHA384";
    case 0x1303:
      return "TLS_CHACHA20_POLY1305_SHA256";
    case 0xc009:
      return "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA";
    case 0xc00a:
      return "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA";
    case 0xc013:
      return "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA";
    case 0xc014:
      return "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA";
    case 0xc02b:
      return "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256";
    case 0xc02c:
      return "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384";
    case 0xc02f:
      return "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256";
    case 0xc030:
      return "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384";
    case 0xcca8:
      return "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256";
    case 0xcca9:
      return "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256";
    default:
      return "unknown-" + std::to_string(c);
  }
}

// JA3S (Salesforce): "version,cipher,extensions" of the ServerHello.
std::string ja3s_string(const TlsAnswer& a) {
  std::string s = std::to_string(a.legacy_version) + "," + std::to_string(a.cipher) + ",";
  for (size_t i = 0; i < a.extensions.size(); ++i) s += (i ? "-" : "") + std::to_string(a.extensions[i]);
  return s;
}

// The SSH identification line the sensor sent, without CR/LF.
std::string ssh_banner_line(ByteView greeting) {
  std::string_view s(reinterpret_cast<const char*>(greeting.data()), greeting.size());
  size_t eol = s.find('\n');
  std::string_view line = s.substr(0, eol);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return std::string(line);
}

// "SSH-2.0-OpenSSH_9.2p1 Debian" -> proto "2.0", software "OpenSSH_9.2p1 Debian" (comment included, as
// Suricata keeps it).
std::pair<std::string, std::string> ssh_banner_parts(const std::string& banner) {
  if (!banner.starts_with("SSH-")) return {"", ""};
  size_t dash = banner.find('-', 4);
  if (dash == std::string::npos) return {banner.substr(4), ""};
  return {banner.substr(4, dash - 4), banner.substr(dash + 1)};
}

std::string first_common(const std::vector<std::string>& client, const std::vector<std::string>& server) {
  for (const auto& c : client)
    if (std::find(server.begin(), server.end(), c) != server.end()) return c;
  return {};
}

std::string join(const std::vector<std::string>& v, char sep) {
  std::string s;
  for (size_t i = 0; i < v.size(); ++i) s += (i ? std::string(1, sep) : "") + v[i];
  return s;
}

// ---- DNS names ----

std::string dns_type_name(uint16_t t) {
  switch (t) {
    case 1:
      return "A";
    case 2:
      return "NS";
    case 5:
      return "CNAME";
    case 6:
      return "SOA";
    case 12:
      return "PTR";
    case 13:
      return "HINFO";
    case 15:
      return "MX";
    case 16:
      return "TXT";
    case 28:
      return "AAAA";
    case 33:
      return "SRV";
    case 35:
      return "NAPTR";
    case 41:
      return "OPT";
    case 43:
      return "DS";
    case 46:
      return "RRSIG";
    case 48:
      return "DNSKEY";
    case 64:
      return "SVCB";
    case 65:
      return "HTTPS";
    case 252:
      return "AXFR";
    case 255:
      return "ANY";
    case 257:
      return "CAA";
    default:
      return {};
  }
}

std::string zeek_qtype_name(uint16_t t) {
  if (t == 255) return "*";
  std::string n = dns_type_name(t);
  return n.empty() ? "query-" + std::to_string(t) : n;
}

std::string eve_rrtype(uint16_t t) {
  std::string n = dns_type_name(t);
  return n.empty() ? std::to_string(t) : n;
}

std::string zeek_qclass_name(uint16_t c) {
  switch (c) {
    case 1:
      return "C_INTERNET";
    case 2:
      return "C_CSNET";
    case 3:
      return "C_CHAOS";
    case 4:
      return "C_HESIOD";
    case 254:
      return "C_NONE";
    case 255:
      return "C_ANY";
    default:
      return "qclass-" + std::to_string(c);
  }
}

std::string rcode_name(uint8_t r) {
  static const char* kNames[] = {"NOERROR",  "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP",  "REFUSED",
                                 "YXDOMAIN", "YXRRSET", "NXRRSET",  "NOTAUTH",  "NOTZONE", "11",
                                 "12",       "13",      "14",       "15"};
  return kNames[r & 15];
}

std::string zeek_opcode_name(uint8_t op) {
  switch (op) {
    case 0:
      return "query";
    case 1:
      return "inverse-query";
    case 2:
      return "status-query";
    case 4:
      return "notify";
    case 5:
      return "dynamic-update";
    default:
      return "opcode-" + std::to_string(op);
  }
}

// A domain name at `pos` of a DNS message, compression pointers followed (at most 16 jumps, 255 bytes);
// `end` is set past the name where it started. False when malformed.
bool read_dns_name(ByteView msg, size_t pos, size_t& end, std::string& out) {
  out.clear();
  bool jumped = false;
  for (int jumps = 0;;) {
    if (pos >= msg.size()) return false;
    uint8_t len = msg[pos];
    if ((len & 0xc0) == 0xc0) {
      if (pos + 1 >= msg.size() || ++jumps > 16) return false;
      if (!jumped) end = pos + 2;
      jumped = true;
      pos = size_t(len & 0x3f) << 8 | msg[pos + 1];
      continue;
    }
    if (len & 0xc0) return false;
    if (len == 0) {
      if (!jumped) end = pos + 1;
      return true;
    }
    if (pos + 1 + len > msg.size() || out.size() + len + 1 > 255) return false;
    if (!out.empty()) out += '.';
    out.append(reinterpret_cast<const char*>(msg.data() + pos + 1), len);
    pos += 1 + size_t(len);
  }
}

// One answer record the logs show (A, AAAA, CNAME, NS, PTR, TXT); other types are left out of both logs.
struct DnsAnswerRr {
  std::string name;
  uint16_t type = 0;
  uint32_t ttl = 0;
  std::string rdata;  // Suricata's rdata: the address, the name, the TXT strings joined
  std::string zeek;   // Zeek's answers entry ("TXT 24 text" for TXT, as its DNS script writes it)
};

std::vector<DnsAnswerRr> read_dns_answers(ByteView msg, const DnsProbe& h) {
  std::vector<DnsAnswerRr> out;
  size_t pos = 12, end = 0;
  std::string name;
  for (size_t i = 0; i < h.qdcount; ++i) {
    if (!read_dns_name(msg, pos, end, name) || end + 4 > msg.size()) return out;
    pos = end + 4;
  }
  for (size_t i = 0; i < std::min<size_t>(h.ancount, 64); ++i) {
    DnsAnswerRr rr;
    if (!read_dns_name(msg, pos, end, rr.name)) return out;
    Cursor c(msg.subspan(std::min(end, msg.size())));
    uint16_t cls = 0, rdlen = 0;
    ByteView rdata;
    if (!c.u16(rr.type) || !c.u16(cls) || !c.u32(rr.ttl) || !c.u16(rdlen) || !c.bytes(rdlen, rdata)) return out;
    size_t rdata_off = end + 10;
    pos = rdata_off + rdlen;
    if ((rr.type == 1 && rdlen == 4) || (rr.type == 28 && rdlen == 16)) {
      IpAddr a;
      a.v4 = rr.type == 1;
      std::copy(rdata.begin(), rdata.end(), a.b.begin());
      rr.rdata = to_string(a);
      rr.zeek = rr.rdata;
    } else if (rr.type == 2 || rr.type == 5 || rr.type == 12) {
      size_t e = 0;
      if (!read_dns_name(msg, rdata_off, e, rr.rdata)) continue;
      rr.zeek = rr.rdata;
    } else if (rr.type == 16) {
      Cursor t(rdata);
      uint8_t n = 0;
      ByteView str;
      while (t.u8(n) && t.bytes(n, str)) {
        std::string part(reinterpret_cast<const char*>(str.data()), str.size());
        rr.rdata += part;
        rr.zeek += (rr.zeek.empty() ? "" : " ") + ("TXT " + std::to_string(part.size()) + " " + part);
      }
    } else {
      continue;
    }
    out.push_back(std::move(rr));
  }
  return out;
}

std::string hex_flags(uint16_t f) {
  char b[8];
  std::snprintf(b, sizeof b, "%x", unsigned(f));
  return b;
}

// ---- one session, analysed ----

struct Connection {
  const SessionFacts* s = nullptr;
  std::string orig_h, resp_h, uid;
  std::string eve_orig, eve_resp;  // Suricata's address text
  uint64_t flow_id = 0;
  int64_t first_us = 0, last_us = 0;
  uint64_t orig_pkts = 0, resp_pkts = 0, orig_ip_bytes = 0, resp_ip_bytes = 0, orig_frame_bytes = 0,
           resp_frame_bytes = 0, orig_bytes = 0, resp_bytes = 0;
  std::string history, conn_state;
  uint8_t flags_ts = 0, flags_tc = 0;
  bool fin_o = false, fin_r = false, rst_o = false, rst_r = false, synack = false, established = false;
  bool has_data = false;
  Probe probe;          // the client's message through the project's analyzers
  bool parsed = false;  // probe.service is one of the analyzed services (not other/syn)
};

// History letters (Zeek's conn.log doc): upper case the originator; each letter once, in order of first sight.
void history_add(std::string& h, char c) {
  if (h.find(c) == std::string::npos) h += c;
}

void analyse(const SessionFacts& s, Connection& c) {
  c.s = &s;
  c.orig_h = to_string(s.flow.client.ip);
  c.resp_h = to_string(s.flow.server.ip);
  c.eve_orig = eve_addr(s.flow.client.ip);
  c.eve_resp = eve_addr(s.flow.server.ip);
  std::vector<FrameFact> frames = s.frames;
  std::stable_sort(frames.begin(), frames.end(),
                   [](const FrameFact& a, const FrameFact& b) { return a.ts_us < b.ts_us; });
  if (!frames.empty()) {
    c.first_us = frames.front().ts_us;
    c.last_us = frames.back().ts_us;
  }
  std::set<std::pair<bool, uint32_t>> data_seen;  // (direction, seq) of segments with payload
  bool orig_ack = false;
  for (const FrameFact& f : frames) {
    bool o = f.to_server;
    (o ? c.orig_pkts : c.resp_pkts) += 1;
    (o ? c.orig_ip_bytes : c.resp_ip_bytes) += f.ip_len;
    (o ? c.orig_frame_bytes : c.resp_frame_bytes) += f.frame_len;
    (o ? c.flags_ts : c.flags_tc) |= f.flags;
    auto letter = [&](char up) { history_add(c.history, o ? up : char(up - 'A' + 'a')); };
    if (s.udp) {
      if (f.payload) letter('D');
      (o ? c.orig_bytes : c.resp_bytes) += f.payload;
      continue;
    }
    bool syn = f.flags & tcpflag::syn, ack = f.flags & tcpflag::ack, fin = f.flags & tcpflag::fin,
         rst = f.flags & tcpflag::rst;
    if (syn) letter(ack ? 'H' : 'S');
    if (syn && ack && !o) c.synack = true;
    if (fin) letter('F'), (o ? c.fin_o : c.fin_r) = true;
    if (rst) letter('R'), (o ? c.rst_o : c.rst_r) = true;
    if (f.payload) {
      if (!data_seen.insert({o, f.seq}).second) {
        letter('T');
      } else {
        letter('D');
        (o ? c.orig_bytes : c.resp_bytes) += f.payload;
      }
    } else if (ack && !syn && !fin && !rst) {
      letter('A');
    }
    if (o && ack && !syn && c.synack) orig_ack = true;
  }
  c.established = c.synack && orig_ack;
  c.has_data = !s.client.empty() && c.orig_bytes > 0;
  // Zeek's conn_state (base/protocols/conn/main.zeek), from what each side did.
  if (s.udp) {
    c.conn_state = c.resp_pkts ? (c.orig_pkts ? "SF" : "SHR") : "S0";
  } else if (c.rst_r) {
    c.conn_state = !c.synack ? "REJ" : "RSTR";
  } else if (c.rst_o) {
    c.conn_state = c.synack ? "RSTO" : "RSTOS0";
  } else if (c.fin_o && c.fin_r) {
    c.conn_state = "SF";
  } else if (c.fin_o) {
    c.conn_state = c.synack ? "S2" : "SH";
  } else if (c.fin_r) {
    c.conn_state = "S3";
  } else if (c.established) {
    c.conn_state = "S1";
  } else if (!c.synack) {
    c.conn_state = "S0";
  } else {
    c.conn_state = "OTH";
  }
  // What the capture extractor would make of the client's message: the same analyzers, the same bytes.
  c.probe.transport = s.udp ? Transport::udp : Transport::tcp;
  c.probe.ts_us = s.probe_us;
  if (!c.has_data) return;
  Service svc = Service::other;
  if (s.udp)
    svc = detect_udp_service(s.client);
  else if (detect_tcp_service(s.client, svc) != Match::yes)
    svc = Service::other;
  if (svc == Service::other) return;
  c.parsed = analyze(svc, s.client, c.probe).ok() && c.probe.service == svc;
}

// Zeek's service name (its analyzer's), or empty.
std::string zeek_service(const Connection& c) {
  if (!c.parsed) return {};
  switch (c.probe.service) {
    case Service::http:
      return "http";
    case Service::tls:
      return "ssl";
    case Service::dns:
      return "dns";
    case Service::ssh:
      return "ssh";
    case Service::rdp:
      return "rdp";
    default:
      return {};
  }
}

std::string app_proto(const Connection& c) {
  if (!c.has_data) return {};
  if (!c.parsed) return "failed";
  switch (c.probe.service) {
    case Service::http:
      return "http";
    case Service::tls:
      return "tls";
    case Service::dns:
      return "dns";
    case Service::ssh:
      return "ssh";
    case Service::rdp:
      return "rdp";
    default:
      return "failed";
  }
}

// ---- Zeek rows ----

struct ZeekSchema {
  const char* path;
  const char* fields;
  const char* types;
};

// The default field sets of Zeek 9's logs, in their order (as the real logs of Zeek's test suite have them).
const ZeekSchema kZeek[] = {
    {"conn",
     "ts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tservice\tduration\torig_bytes\tresp_bytes\tconn_"
     "state\tlocal_orig\tlocal_resp\tmissed_bytes\thistory\torig_pkts\torig_ip_bytes\tresp_pkts\tresp_ip_bytes\ttunnel_"
     "parents\tip_proto",
     "time\tstring\taddr\tport\taddr\tport\tenum\tstring\tinterval\tcount\tcount\tstring\tbool\tbool\tcount\tstring\tco"
     "u"
     "nt\tcount\tcount\tcount\tset[string]\tcount"},
    {"http",
     "ts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\ttrans_depth\tmethod\thost\turi\treferrer\tversion\tuser_"
     "agent\torigin\trequest_body_len\tresponse_body_len\tstatus_code\tstatus_msg\tinfo_code\tinfo_"
     "msg\ttags\tusername\t"
     "password\tproxied\torig_fuids\torig_filenames\torig_mime_types\tresp_fuids\tresp_filenames\tresp_mime_types",
     "time\tstring\taddr\tport\taddr\tport\tcount\tstring\tstring\tstring\tstring\tstring\tstring\tstring\tcount\tcount"
     "\t"
     "count\tstring\tcount\tstring\tset[enum]\tstring\tstring\tset[string]\tvector[string]\tvector[string]\tvector["
     "string]\tvector[string]\tvector[string]\tvector[string]"},
    {"ssl",
     "ts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tversion\tcipher\tcurve\tserver_name\tresumed\tlast_"
     "alert\tnext_protocol\testablished\tssl_history\tcert_chain_fps\tclient_cert_chain_fps\tsni_matches_cert",
     "time\tstring\taddr\tport\taddr\tport\tstring\tstring\tstring\tstring\tbool\tstring\tstring\tbool\tstring\tvector["
     "string]\tvector[string]\tbool"},
    {"dns",
     "ts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\ttrans_id\trtt\tquery\tqclass\tqclass_name\tqtype\tqt"
     "ype_name\trcode\trcode_name\tAA\tTC\tRD\tRA\tZ\tanswers\tTTLs\trejected\topcode\topcode_name",
     "time\tstring\taddr\tport\taddr\tport\tenum\tcount\tinterval\tstring\tcount\tstring\tcount\tstring\tcount\tstring"
     "\tb"
     "ool\tbool\tbool\tbool\tcount\tvector[string]\tvector[interval]\tbool\tcount\tstring"},
    {"ssh",
     "ts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tversion\tauth_success\tauth_attempts\tdirection\tclient\tser"
     "ver\tcipher_alg\tmac_alg\tcompression_alg\tkex_alg\thost_key_alg\thost_key_fingerprint",
     "time\tstring\taddr\tport\taddr\tport\tcount\tbool\tcount\tenum\tstring\tstring\tstring\tstring\tstring\tstring\ts"
     "t"
     "ring\tstring"},
};
enum ZeekLog { kConn, kHttp, kSsl, kDns, kSsh, kZeekLogs };

std::vector<std::string> split_tabs(const char* s) {
  std::vector<std::string> out;
  std::string_view v(s);
  for (size_t pos = 0;;) {
    size_t tab = v.find('\t', pos);
    out.emplace_back(v.substr(pos, tab - pos));
    if (tab == std::string_view::npos) return out;
    pos = tab + 1;
  }
}

// One Zeek record, rendered as a TSV line, a JSON object, or both. Values are added in the schema's order;
// JSON leaves unset fields out, as Zeek's JSON writer does.
class ZeekRow {
 public:
  ZeekRow(const std::vector<std::string>& names, bool json) : names_(names), json_on_(json), w_(json_) {
    if (json_on_) w_.StartObject();
  }

  ZeekRow& unset() {
    sep();
    tsv_ += '-';
    ++i_;
    return *this;
  }
  ZeekRow& time(int64_t us) {
    key();
    std::string t = zeek_seconds(us);
    tsv_ += t;
    if (json_on_) w_.RawNumber(t.c_str(), rapidjson::SizeType(t.size()));
    return *this;
  }
  ZeekRow& str(std::string_view s) {
    key();
    tsv_ += zeek_tsv_text(s, false);
    if (json_on_) json_string(s);
    return *this;
  }
  ZeekRow& opt_str(const std::string& s) { return s.empty() ? unset() : str(s); }
  ZeekRow& count(uint64_t n) {
    key();
    tsv_ += std::to_string(n);
    if (json_on_) w_.Uint64(n);
    return *this;
  }
  ZeekRow& boolean(bool b) {
    key();
    tsv_ += b ? 'T' : 'F';
    if (json_on_) w_.Bool(b);
    return *this;
  }
  ZeekRow& strings(const std::vector<std::string>& v) {  // a set or vector of strings; empty: (empty) / []
    key();
    if (v.empty()) tsv_ += "(empty)";
    if (json_on_) w_.StartArray();
    for (size_t k = 0; k < v.size(); ++k) {
      if (k) tsv_ += ',';
      tsv_ += zeek_tsv_text(v[k], true);
      if (json_on_) json_string(v[k]);
    }
    if (json_on_) w_.EndArray();
    return *this;
  }
  ZeekRow& id(const Connection& c) {
    const Flow& f = c.s->flow;
    return str(c.uid).addr(c.orig_h).port(f.client.port).addr(c.resp_h).port(f.server.port);
  }

  std::string tsv_line() {
    check_complete();
    return tsv_ + '\n';
  }
  std::string json_line() {
    check_complete();
    w_.EndObject();
    return std::string(json_.GetString(), json_.GetSize()) + '\n';
  }

 private:
  ZeekRow& addr(const std::string& a) { return str(a); }
  ZeekRow& port(uint16_t p) { return count(p); }
  void json_string(std::string_view s) {
    std::string j = zeek_json_text(s);
    w_.String(j.data(), rapidjson::SizeType(j.size()));
  }
  void sep() {
    if (i_) tsv_ += '\t';
  }
  void key() {
    sep();
    const std::string& name = names_.at(i_++);
    if (json_on_) w_.Key(name.data(), rapidjson::SizeType(name.size()));
  }
  void check_complete() const {
    if (i_ != names_.size())
      throw std::logic_error("zeek row: " + std::to_string(i_) + " of " + std::to_string(names_.size()) + " fields");
  }

  const std::vector<std::string>& names_;
  bool json_on_;
  std::string tsv_;
  rapidjson::StringBuffer json_;
  rapidjson::Writer<rapidjson::StringBuffer> w_;
  size_t i_ = 0;
};

void conn_row(const Connection& c, ZeekRow& r) {
  const SessionFacts& s = *c.s;
  int64_t duration = c.last_us - c.first_us;
  r.time(c.first_us).id(c).str(s.udp ? "udp" : "tcp").opt_str(zeek_service(c));
  if (duration > 0)
    r.time(duration).count(c.orig_bytes).count(c.resp_bytes);
  else
    r.unset().unset().unset();  // Zeek logs duration and byte counts only for a connection that lasted
  r.str(c.conn_state).boolean(false).boolean(false).count(0).opt_str(c.history);
  r.count(c.orig_pkts).count(c.orig_ip_bytes).count(c.resp_pkts).count(c.resp_ip_bytes).unset();
  r.count(s.udp ? 17 : 6);
}

std::string header(const HttpProbe& h, std::string_view name) {
  for (const auto& [k, v] : h.headers)
    if (k.size() == name.size() && std::equal(k.begin(), k.end(), name.begin(), [](char a, char b) {
          return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
        }))
      return v;
  return {};
}

bool has_header(const HttpProbe& h, std::string_view name) {
  return std::any_of(h.headers.begin(), h.headers.end(), [&](const auto& kv) {
    return kv.first.size() == name.size() &&
           std::equal(kv.first.begin(), kv.first.end(), name.begin(),
                      [](char a, char b) { return std::toupper(static_cast<unsigned char>(a)) == b; });
  });
}

// Basic credentials' user name (Zeek logs it; the password only with HTTP::default_capture_password).
std::string basic_user(const HttpProbe& h) {
  std::string auth = header(h, "authorization");
  if (auth.size() < 6 || !std::equal(auth.begin(), auth.begin() + 6, "Basic ", [](char a, char b) {
        return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
      }))
    return {};
  std::string b64 = auth.substr(6);
  if (b64.empty() || b64.size() % 4 || b64.size() > 4096) return {};
  std::string out(b64.size() / 4 * 3, '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(b64.data()), int(b64.size()));
  if (n < 0) return {};
  out.resize(size_t(n));
  while (b64.ends_with('=') && !out.empty()) b64.pop_back(), out.pop_back();
  size_t colon = out.find(':');
  return colon == std::string::npos ? std::string() : out.substr(0, colon);
}

// Zeek: the Host header without what follows its first ':' (a port, as Zeek splits it).
std::string zeek_host(const std::string& host) { return host.substr(0, host.find(':')); }

void http_row(const Connection& c, const std::optional<HttpAnswer>& ans, ZeekRow& r) {
  const HttpProbe& h = *c.probe.http;
  std::string version = h.version.starts_with("HTTP/") ? h.version.substr(5) : h.version;
  std::vector<std::string> proxied;
  for (const char* p :
       {"FORWARDED", "X-FORWARDED-FOR", "X-FORWARDED-FROM", "CLIENT-IP", "VIA", "XROXY-CONNECTION", "PROXY-CONNECTION"})
    if (has_header(h, p)) proxied.push_back(std::string(p) + " -> " + header(h, p));
  r.time(c.s->probe_us).id(c).count(1).str(h.method);
  if (h.host)
    r.str(zeek_host(*h.host));
  else
    r.unset();
  r.str(h.uri).opt_str(header(h, "referer")).opt_str(version);
  if (h.user_agent)
    r.str(*h.user_agent);
  else
    r.unset();
  r.opt_str(header(h, "origin")).count(h.body_length).count(ans ? ans->body : 0);
  if (ans)
    r.count(uint64_t(ans->status)).opt_str(ans->reason);
  else
    r.unset().unset();
  r.unset().unset().strings({}).opt_str(basic_user(h)).unset();
  if (proxied.empty())
    r.unset();
  else
    r.strings(proxied);
  // Files (fuids, names, MIME types) come from Zeek's file analysis and libmagic: not simulated.
  for (int i = 0; i < 6; ++i) r.unset();
}

void ssl_row(const Connection& c, const std::optional<TlsAnswer>& ans, ZeekRow& r) {
  const TlsProbe& t = *c.probe.tls;
  r.time(c.s->probe_us).id(c);
  if (ans)
    r.str(zeek_tls_version(ans->version)).str(zeek_cipher(ans->cipher));
  else
    r.unset().unset();
  r.unset();  // curve: from the key exchange, which the sensor does not send
  if (t.sni)
    r.str(*t.sni);
  else
    r.unset();
  // Not resumed, no alert, no ALPN answer, the handshake not finished; no certificates were sent.
  r.boolean(false).unset().unset().boolean(false).str("C" + (ans ? ans->history : std::string()));
  r.unset().unset().unset();
}

void dns_row(const Connection& c, const std::optional<DnsProbe>& ans, const std::vector<DnsAnswerRr>& rrs,
             int64_t answer_us, ZeekRow& r) {
  const DnsProbe& q = *c.probe.dns;
  // Zeek logs the query in lower case (its original_query policy script keeps the case as sent).
  std::string query = q.qname;
  std::transform(query.begin(), query.end(), query.begin(), [](unsigned char ch) { return char(std::tolower(ch)); });
  r.time(c.s->probe_us).id(c).str(c.s->udp ? "udp" : "tcp").count(q.id);
  if (ans)
    r.time(answer_us - c.s->probe_us);
  else
    r.unset();
  r.str(query).count(q.qclass).str(zeek_qclass_name(q.qclass)).count(q.qtype).str(zeek_qtype_name(q.qtype));
  if (ans)
    r.count(ans->rcode).str(rcode_name(ans->rcode)).boolean(ans->aa).boolean(ans->tc).boolean(ans->rd).boolean(ans->ra);
  else
    r.unset().unset().boolean(false).boolean(false).boolean(q.rd).boolean(false);
  r.count(((ans ? ans->flags : q.flags) >> 4) & 7);
  if (rrs.empty()) {
    r.unset().unset();
  } else {
    std::vector<std::string> answers, ttls;
    for (const auto& rr : rrs) {
      answers.push_back(rr.zeek);
      ttls.push_back(zeek_seconds(int64_t(rr.ttl) * 1000000));
    }
    r.strings(answers).strings(ttls);
  }
  r.boolean(false).count(q.opcode).str(zeek_opcode_name(q.opcode));
}

struct SshServer {
  std::string banner;
  std::optional<SshProbe> kex;  // the sensor's KEXINIT lists, when it sent one
};

SshServer read_ssh_server(const SessionFacts& s) {
  SshServer out;
  out.banner = ssh_banner_line(s.greeting);
  if (out.banner.empty()) return out;
  Bytes both(s.greeting.begin(), s.greeting.end());
  both.insert(both.end(), s.server.begin(), s.server.end());
  SshProbe p;
  if (parse_ssh(both, p).ok() && p.kexinit) out.kex = std::move(p);
  return out;
}

int ssh_version(const std::string& client, const std::string& server) {
  auto proto = [](const std::string& b) { return ssh_banner_parts(b).first; };
  std::string c = proto(client), s = proto(server);
  if (c == "2.0" || s == "2.0") return 2;
  if (c == "1.99" && s == "1.99") return 2;
  return c.starts_with("1.") ? 1 : 2;
}

// Zeek opens the SSH record at the first version string it sees, and the sensor speaks first.
void ssh_row(const Connection& c, const SshServer& srv, int64_t ts, ZeekRow& r) {
  const SshProbe& p = *c.probe.ssh;
  r.time(ts).id(c).count(uint64_t(ssh_version(p.banner, srv.banner))).unset().count(0).unset();
  r.str(p.banner).opt_str(srv.banner);
  if (p.kexinit && srv.kex) {
    const SshProbe& k = *srv.kex;
    r.opt_str(first_common(p.encryption_c2s, k.encryption_c2s))
        .opt_str(first_common(p.mac_c2s, k.mac_c2s))
        .opt_str(first_common(p.compression_c2s, k.compression_c2s))
        .opt_str(first_common(p.kex_algorithms, k.kex_algorithms))
        .opt_str(first_common(p.host_key_algorithms, k.host_key_algorithms));
  } else {
    r.unset().unset().unset().unset().unset();
  }
  r.unset();  // the host key comes with the key exchange reply, which the sensor does not send
}

// ---- EVE ----

using JsonWriter = rapidjson::Writer<rapidjson::StringBuffer>;

void jstr(JsonWriter& w, std::string_view s) {
  std::string t = eve_text(s);
  w.String(t.data(), rapidjson::SizeType(t.size()));
}

void eve_head(JsonWriter& w, const Connection& c, int64_t ts_us, const char* type, bool from_server = false) {
  const Flow& f = c.s->flow;
  w.StartObject();
  w.Key("timestamp");
  jstr(w, eve_time(ts_us));
  w.Key("flow_id");
  w.Uint64(c.flow_id);
  w.Key("event_type");
  w.String(type);
  w.Key("src_ip");
  jstr(w, from_server ? c.eve_resp : c.eve_orig);
  w.Key("src_port");
  w.Uint(from_server ? f.server.port : f.client.port);
  w.Key("dest_ip");
  jstr(w, from_server ? c.eve_orig : c.eve_resp);
  w.Key("dest_port");
  w.Uint(from_server ? f.client.port : f.server.port);
  w.Key("proto");
  w.String(c.s->udp ? "UDP" : "TCP");
  w.Key("pkt_src");
  w.String("wire/pcap");
}

std::string eve_end(rapidjson::StringBuffer& b, JsonWriter& w) {
  w.EndObject();
  return std::string(b.GetString(), b.GetSize()) + '\n';
}

std::string eve_http(const Connection& c, const std::optional<HttpAnswer>& ans, int64_t ts) {
  const HttpProbe& h = *c.probe.http;
  rapidjson::StringBuffer b;
  JsonWriter w(b);
  eve_head(w, c, ts, "http");
  w.Key("tx_id");
  w.Uint(0);
  w.Key("http");
  w.StartObject();
  if (h.host) {
    // Suricata logs a port in the Host header apart, as http_port ("[v6]:port" or "name:port").
    const std::string& host = *h.host;
    bool bracket = !host.empty() && host[0] == '[';
    size_t colon = bracket ? host.find("]:") : host.find(':');
    if (colon != std::string::npos && bracket) ++colon;
    bool single = bracket || colon == std::string::npos || host.find(':', colon + 1) == std::string::npos;
    std::string digits = colon == std::string::npos ? std::string() : host.substr(colon + 1);
    bool port = single && !digits.empty() && digits.size() <= 5 &&
                std::all_of(digits.begin(), digits.end(), [](char ch) { return ch >= '0' && ch <= '9'; }) &&
                std::stoul(digits) <= 65535;
    w.Key("hostname");
    jstr(w, port ? host.substr(0, colon) : host);
    if (port) {
      w.Key("http_port");
      w.Uint(unsigned(std::stoul(digits)));
    }
  }
  w.Key("url");
  jstr(w, h.uri);
  if (h.user_agent) {
    w.Key("http_user_agent");
    jstr(w, *h.user_agent);
  }
  if (ans && !ans->content_type.empty()) {
    w.Key("http_content_type");
    jstr(w, ans->content_type);
  }
  std::string referer = header(h, "referer");
  if (!referer.empty()) {
    w.Key("http_refer");
    jstr(w, referer);
  }
  w.Key("http_method");
  jstr(w, h.method);
  if (!h.version.empty()) {
    w.Key("protocol");
    jstr(w, h.version);
  }
  if (ans) {
    w.Key("status");
    w.Uint(unsigned(ans->status));
    w.Key("length");
    w.Uint64(ans->body);
  }
  w.Key("request_headers");
  w.StartArray();
  for (const auto& [k, v] : h.headers) {
    w.StartObject();
    w.Key("name");
    jstr(w, k);
    w.Key("value");
    jstr(w, v);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return eve_end(b, w);
}

std::string eve_tls(const Connection& c, const std::optional<TlsAnswer>& ans, int64_t ts) {
  const TlsProbe& t = *c.probe.tls;
  rapidjson::StringBuffer b;
  JsonWriter w(b);
  eve_head(w, c, ts, "tls");
  w.Key("tls");
  w.StartObject();
  if (t.sni) {
    w.Key("sni");
    jstr(w, *t.sni);
  }
  w.Key("version");
  w.String(eve_tls_version(ans ? ans->version : 0).c_str());
  w.Key("ja3");
  w.StartObject();
  w.Key("hash");
  w.String(t.ja3_hash.c_str());
  w.Key("string");
  w.String(t.ja3.c_str());
  w.EndObject();
  if (ans) {
    std::string s = ja3s_string(*ans);
    w.Key("ja3s");
    w.StartObject();
    w.Key("hash");
    w.String(md5_hex(s).c_str());
    w.Key("string");
    w.String(s.c_str());
    w.EndObject();
  }
  if (!t.ja4.empty()) {
    w.Key("ja4");
    w.String(t.ja4.c_str());
  }
  w.EndObject();
  return eve_end(b, w);
}

void eve_dns_common(JsonWriter& w, const DnsProbe& m, const DnsProbe& question, bool response,
                    const std::vector<DnsAnswerRr>& rrs) {
  w.Key("dns");
  w.StartObject();
  w.Key("version");
  w.Uint(3);
  w.Key("type");
  w.String(response ? "response" : "request");
  w.Key("tx_id");
  w.Uint(0);
  w.Key("id");
  w.Uint(m.id);
  w.Key("flags");
  w.String(hex_flags(m.flags).c_str());
  // Suricata writes the flag booleans only when they are set.
  for (auto [name, on] : {std::pair{"qr", m.qr}, {"aa", m.aa}, {"tc", m.tc}, {"rd", m.rd}, {"ra", m.ra}, {"z", m.z}})
    if (on) {
      w.Key(name);
      w.Bool(true);
    }
  w.Key("opcode");
  w.Uint(m.opcode);
  w.Key("rcode");
  w.String(rcode_name(m.rcode).c_str());
  w.Key("queries");
  w.StartArray();
  w.StartObject();
  w.Key("rrname");
  jstr(w, question.qname);
  w.Key("rrtype");
  w.String(eve_rrtype(question.qtype).c_str());
  w.EndObject();
  w.EndArray();
  if (!rrs.empty()) {
    w.Key("answers");
    w.StartArray();
    for (const auto& rr : rrs) {
      w.StartObject();
      w.Key("rrname");
      jstr(w, rr.name);
      w.Key("rrtype");
      w.String(eve_rrtype(rr.type).c_str());
      w.Key("ttl");
      w.Uint(rr.ttl);
      w.Key("rdata");
      jstr(w, rr.rdata);
      w.EndObject();
    }
    w.EndArray();
  }
  w.EndObject();
}

std::string eve_dns(const Connection& c, const DnsProbe& m, bool response, const std::vector<DnsAnswerRr>& rrs,
                    int64_t ts) {
  rapidjson::StringBuffer b;
  JsonWriter w(b);
  eve_head(w, c, ts, "dns", response);  // version 3: a response's source is the responder
  eve_dns_common(w, m, *c.probe.dns, response, rrs);
  return eve_end(b, w);
}

void eve_ssh_side(JsonWriter& w, const char* key, const std::string& banner, const SshProbe* kex, bool server) {
  auto [proto, software] = ssh_banner_parts(banner);
  w.Key(key);
  w.StartObject();
  w.Key("proto_version");
  jstr(w, proto);
  w.Key("software_version");
  jstr(w, software);
  if (kex && kex->kexinit) {
    // HASSH of the client: kex;enc;mac;cmp client to server; HASSHServer the server to client lists.
    std::string s = server ? join(kex->kex_algorithms, ',') + ";" + join(kex->encryption_s2c, ',') + ";" +
                                 join(kex->mac_s2c, ',') + ";" + join(kex->compression_s2c, ',')
                           : kex->hassh_algorithms;
    w.Key("hassh");
    w.StartObject();
    w.Key("hash");
    w.String(md5_hex(s).c_str());
    w.Key("string");
    jstr(w, s);
    w.EndObject();
  }
  w.EndObject();
}

std::string eve_ssh(const Connection& c, const SshServer& srv, int64_t ts) {
  const SshProbe& p = *c.probe.ssh;
  rapidjson::StringBuffer b;
  JsonWriter w(b);
  eve_head(w, c, ts, "ssh");
  w.Key("ssh");
  w.StartObject();
  eve_ssh_side(w, "client", p.banner, &p, false);
  if (!srv.banner.empty()) eve_ssh_side(w, "server", srv.banner, srv.kex ? &*srv.kex : nullptr, true);
  w.EndObject();
  return eve_end(b, w);
}

std::string eve_flow(const Connection& c) {
  rapidjson::StringBuffer b;
  JsonWriter w(b);
  eve_head(w, c, c.last_us, "flow");
  std::string app = app_proto(c);
  if (!app.empty()) {
    w.Key("app_proto");
    w.String(app.c_str());
  }
  w.Key("flow");
  w.StartObject();
  w.Key("pkts_toserver");
  w.Uint64(c.orig_pkts);
  w.Key("pkts_toclient");
  w.Uint64(c.resp_pkts);
  w.Key("bytes_toserver");
  w.Uint64(c.orig_frame_bytes);
  w.Key("bytes_toclient");
  w.Uint64(c.resp_frame_bytes);
  w.Key("start");
  w.String(eve_time(c.first_us).c_str());
  w.Key("end");
  w.String(eve_time(c.last_us).c_str());
  w.Key("age");
  w.Int64((c.last_us - c.first_us) / 1000000);
  const char* state = "new";
  if (c.s->udp)
    state = c.resp_pkts ? "established" : "new";
  else if (c.rst_o || c.rst_r || (c.fin_o && c.fin_r))
    state = "closed";
  else if (c.established)
    state = "established";
  w.Key("state");
  w.String(state);
  w.Key("reason");
  w.String("timeout");
  w.Key("alerted");
  w.Bool(false);
  w.EndObject();
  if (!c.s->udp) {
    auto hex = [](uint8_t f) {
      char t[4];
      std::snprintf(t, sizeof t, "%02x", unsigned(f));
      return std::string(t);
    };
    uint8_t all = c.flags_ts | c.flags_tc;
    w.Key("tcp");
    w.StartObject();
    w.Key("tcp_flags");
    w.String(hex(all).c_str());
    w.Key("tcp_flags_ts");
    w.String(hex(c.flags_ts).c_str());
    w.Key("tcp_flags_tc");
    w.String(hex(c.flags_tc).c_str());
    for (auto [name, bit] : {std::pair{"syn", tcpflag::syn},
                             {"fin", tcpflag::fin},
                             {"rst", tcpflag::rst},
                             {"psh", tcpflag::psh},
                             {"ack", tcpflag::ack}})
      if (all & bit) {
        w.Key(name);
        w.Bool(true);
      }
    w.Key("state");
    w.String(state);
    w.EndObject();
  }
  return eve_end(b, w);
}

}  // namespace

// ---- files ----

// One log file: lines held in time order until the watermark passes them, then streamed to a temporary
// that replaces the file on commit. Zeek files get their header at the first line and a #close at the end.
class LogFile {
 public:
  LogFile(std::string path, const ZeekSchema* zeek) : path_(std::move(path)), zeek_(zeek) {}
  ~LogFile() {
    if (out_) std::fclose(out_);
  }

  void add(int64_t ts_us, std::string line) { held_.push_back({ts_us, seq_++, session_, std::move(line)}); }
  void next_session() { ++session_; }
  void drop_session() {
    std::erase_if(held_, [&](const Held& h) { return h.session == session_; });
  }
  // Writes the held lines older than the watermark. Called per session, so it only does the work once enough
  // lines are held (the sessions in flight stay held; the bar doubles past them so that work stays linear).
  void advance(int64_t watermark) {
    if (held_.size() < next_flush_) return;
    flush(watermark);
    next_flush_ = std::max(kBatch, 2 * held_.size());
  }
  void flush(int64_t watermark) {
    auto ready = std::partition(held_.begin(), held_.end(), [&](const Held& h) { return h.ts < watermark; });
    std::sort(held_.begin(), ready,
              [](const Held& a, const Held& b) { return a.ts != b.ts ? a.ts < b.ts : a.seq < b.seq; });
    for (auto it = held_.begin(); it != ready; ++it) write(it->ts, it->line);
    held_.erase(held_.begin(), ready);
  }
  // True when the file was written (it had lines).
  bool finish() {
    flush(INT64_MAX);
    if (!out_) return false;
    if (zeek_) put("#close\t" + zeek_stamp(last_) + "\n");
    if (std::fflush(out_) != 0 || std::ferror(out_)) fail();
    int rc = std::fclose(out_);
    out_ = nullptr;
    if (rc != 0) fail();
    file_->commit();
    return true;
  }
  const std::string& path() const { return path_; }

 private:
  struct Held {
    int64_t ts;
    uint64_t seq, session;
    std::string line;
  };

  void write(int64_t ts, const std::string& line) {
    if (!out_) open(ts);
    put(line);
    last_ = std::max(last_, ts);
  }
  void open(int64_t ts) {
    file_ = std::make_unique<AtomicFile>(path_);
    out_ = std::fopen(file_->write_path().c_str(), "wb");
    if (!out_) throw std::runtime_error("cannot write " + path_ + ": " + std::strerror(errno));
    buffer_ = std::make_unique<char[]>(1 << 16);
    std::setvbuf(out_, buffer_.get(), _IOFBF, 1 << 16);
    last_ = ts;
    if (!zeek_) return;
    put(std::string("#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n#unset_field\t-\n#path\t") +
        zeek_->path + "\n#open\t" + zeek_stamp(ts) + "\n#fields\t" + zeek_->fields + "\n#types\t" + zeek_->types +
        "\n");
  }
  void put(const std::string& s) {
    if (std::fwrite(s.data(), 1, s.size(), out_) != s.size()) fail();
  }
  [[noreturn]] void fail() { throw std::runtime_error("write error on " + path_ + ": " + std::strerror(errno)); }

  std::string path_;
  const ZeekSchema* zeek_;
  std::unique_ptr<AtomicFile> file_;
  std::unique_ptr<char[]> buffer_;
  std::FILE* out_ = nullptr;
  std::vector<Held> held_;
  static constexpr size_t kBatch = 4096;
  size_t next_flush_ = kBatch;
  uint64_t seq_ = 0, session_ = 0;
  int64_t last_ = 0;
};

SensorLogs::SensorLogs(const LogKinds& kinds, const std::string& eve_path, const std::string& zeek_dir,
                       const std::string& zeek_json_dir, uint64_t seed)
    : seed_(seed) {
  if (kinds.eve) eve_ = std::make_unique<LogFile>(eve_path, nullptr);
  auto make = [](const std::string& dir, std::vector<std::unique_ptr<LogFile>>& files, bool tsv) {
    std::filesystem::create_directories(dir);
    for (const ZeekSchema& z : kZeek)
      files.push_back(std::make_unique<LogFile>((std::filesystem::path(dir) / (std::string(z.path) + ".log")).string(),
                                                tsv ? &z : nullptr));
  };
  if (kinds.zeek) make(zeek_dir, zeek_, true);
  if (kinds.zeek_json) make(zeek_json_dir, zeek_json_, false);
}

SensorLogs::~SensorLogs() = default;

void SensorLogs::session(const SessionFacts& s) {
  static const std::vector<std::vector<std::string>> kNames = [] {
    std::vector<std::vector<std::string>> n;
    for (const ZeekSchema& z : kZeek) n.push_back(split_tabs(z.fields));
    return n;
  }();
  if (eve_) eve_->next_session();
  for (auto& f : zeek_) f->next_session();
  for (auto& f : zeek_json_) f->next_session();
  if (s.frames.empty()) return;

  Connection c;
  uint64_t h = splitmix(seed_ ^ splitmix(++sessions_));
  c.flow_id = h & ((uint64_t(1) << 51) - 1);  // Suricata's flow ids stay below 2^53: exact in any JSON reader
  c.uid = zeek_uid(splitmix(h), splitmix(h ^ 0x5a5a5a5a5a5a5a5aULL));
  analyse(s, c);

  // The answer, when the sensor sent one after the client's message.
  int64_t answer_us = 0;  // the last frame carrying the answer
  for (const FrameFact& f : s.frames)
    if (!f.to_server && f.payload) answer_us = std::max(answer_us, f.ts_us);

  auto zeek = [&](ZeekLog log, int64_t ts, auto&& fill) {
    if (zeek_.empty() && zeek_json_.empty()) return;
    ZeekRow row(kNames[log], !zeek_json_.empty());
    fill(row);
    if (!zeek_.empty()) zeek_[log]->add(ts, row.tsv_line());
    if (!zeek_json_.empty()) zeek_json_[log]->add(ts, row.json_line());
  };
  auto eve = [&](int64_t ts, std::string line) {
    if (eve_) eve_->add(ts, std::move(line));
  };

  zeek(kConn, c.first_us, [&](ZeekRow& r) { conn_row(c, r); });
  if (c.parsed) {
    const Probe& p = c.probe;
    switch (p.service) {
      case Service::http: {
        std::optional<HttpAnswer> ans = s.server.empty() ? std::nullopt : read_http_answer(s.server);
        zeek(kHttp, s.probe_us, [&](ZeekRow& r) { http_row(c, ans, r); });
        if (eve_) eve(ans ? answer_us : c.last_us, eve_http(c, ans, ans ? answer_us : c.last_us));
        break;
      }
      case Service::tls: {
        std::optional<TlsAnswer> ans = read_tls_answer(s.server);
        zeek(kSsl, s.probe_us, [&](ZeekRow& r) { ssl_row(c, ans, r); });
        if (eve_) eve(c.last_us, eve_tls(c, ans, c.last_us));
        break;
      }
      case Service::dns: {
        std::optional<DnsProbe> ans;
        ByteView answer = s.server;
        if (!s.udp && answer.size() >= 2) answer = answer.subspan(2);  // the TCP length prefix
        DnsProbe m;
        std::vector<DnsAnswerRr> rrs;
        if (!answer.empty() && parse_dns_query(answer, m).ok() && m.qr) {
          ans = m;
          rrs = read_dns_answers(answer, m);
        }
        zeek(kDns, s.probe_us, [&](ZeekRow& r) { dns_row(c, ans, rrs, answer_us, r); });
        if (eve_) {
          eve(s.probe_us, eve_dns(c, *p.dns, false, {}, s.probe_us));
          if (ans) eve(answer_us, eve_dns(c, *ans, true, rrs, answer_us));
        }
        break;
      }
      case Service::ssh: {
        SshServer srv = read_ssh_server(s);
        int64_t first = s.probe_us;
        for (const FrameFact& f : s.frames)
          if (f.payload) first = std::min(first, f.ts_us);
        zeek(kSsh, first, [&](ZeekRow& r) { ssh_row(c, srv, first, r); });
        if (eve_) eve(c.last_us, eve_ssh(c, srv, c.last_us));
        break;
      }
      default:
        break;  // RDP: Zeek's rdp.log and Suricata's rdp records are not written (README, simulate)
    }
  }
  if (eve_) eve(c.last_us, eve_flow(c));
}

void SensorLogs::advance(int64_t watermark) {
  if (eve_) eve_->advance(watermark);
  for (auto& f : zeek_) f->advance(watermark);
  for (auto& f : zeek_json_) f->advance(watermark);
}

void SensorLogs::rollback_last() {
  if (eve_) eve_->drop_session();
  for (auto& f : zeek_) f->drop_session();
  for (auto& f : zeek_json_) f->drop_session();
}

std::vector<std::string> SensorLogs::finish() {
  std::vector<std::string> written;
  auto done = [&](LogFile& f) {
    if (f.finish()) written.push_back(f.path());
  };
  if (eve_) done(*eve_);
  for (auto& f : zeek_) done(*f);
  for (auto& f : zeek_json_) done(*f);
  return written;
}

}  // namespace sg::simulate
