// Plain data records for one scanner probe: the first client message of a session, parsed.
// Every stage after capture (storage, export, features) reads these structs; field names follow
// docs/FIELDS.md so that the database, the JSON export and the feature registry all agree.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace sg {

using Bytes = std::vector<uint8_t>;

enum class Service : uint8_t { http, tls, dns, ssh, rdp, syn, other };
enum class Transport : uint8_t { tcp, udp };
// Where a probe was read: a packet capture, a Suricata EVE JSON log, a Zeek log, or `sense`'s own sockets
// (the same session path as a capture, so a sensor's probe carries every field a capture's does).
enum class Source : uint8_t { pcap, eve, zeek, sensor };

const char* service_name(Service s);
std::optional<Service> service_from_name(const std::string& name);
const char* transport_name(Transport t);
const char* source_name(Source s);
std::optional<Source> source_from_name(const std::string& name);

struct HttpProbe {
  std::string method;
  std::string uri;      // raw request target as sent
  std::string version;  // as sent, e.g. "HTTP/1.1"; empty when the request line has none
  std::vector<std::pair<std::string, std::string>> headers;  // names as sent, in order
  std::optional<std::string> user_agent;                     // first User-Agent header
  std::optional<std::string> host;                           // first Host header
  uint64_t body_length = 0;  // body bytes seen in the first message (Content-Length capped by what arrived)
};

struct TlsProbe {
  uint16_t record_version = 0;  // record layer version of the first record
  uint16_t version = 0;         // ClientHello legacy_version (771 = 0x0303)
  Bytes random;                 // 32 bytes
  uint32_t gmt_unix_time = 0;   // first 4 bytes of random, big endian
  Bytes session_id;
  std::vector<uint16_t> ciphers;  // wire order, GREASE kept
  std::vector<uint8_t> compression_methods;
  std::vector<uint16_t> extensions;  // wire order, GREASE kept
  std::optional<std::string> sni;
  std::vector<std::string> alpn;
  std::vector<uint16_t> supported_groups;
  std::vector<uint8_t> ec_point_formats;
  std::vector<uint16_t> signature_algorithms;
  std::vector<uint16_t> supported_versions;
  std::string ja3;       // JA3 string, GREASE removed
  std::string ja3_hash;  // MD5 of ja3, lower-case hex
  std::string ja4;       // FoxIO JA4 (TLS client, over TCP: prefix 't')
};

struct DnsEdns {
  uint16_t udp_size = 0;
  uint8_t extended_rcode = 0;
  uint8_t version = 0;
  bool do_bit = false;
  std::vector<uint16_t> options;  // option codes in order
};

struct DnsProbe {
  uint16_t id = 0;
  uint16_t flags = 0;  // the raw 16-bit flags word
  bool qr = false, aa = false, tc = false, rd = false, ra = false, z = false, ad = false, cd = false;
  uint8_t opcode = 0, rcode = 0;
  uint16_t qdcount = 0, ancount = 0, nscount = 0, arcount = 0;
  std::string qname;  // as sent, labels joined by '.', no trailing dot; non-printable bytes escaped \DDD
  uint16_t qtype = 0, qclass = 0;
  std::optional<DnsEdns> edns;
};

struct SshProbe {
  std::string banner;  // identification line without CR/LF
  bool kexinit = false;
  std::vector<std::string> kex_algorithms, host_key_algorithms, encryption_c2s, encryption_s2c, mac_c2s, mac_s2c,
      compression_c2s, compression_s2c;
  std::string hassh_algorithms;  // "kex;enc;mac;cmp" (client to server lists)
  std::string hassh;             // MD5 of hassh_algorithms; empty without KEXINIT
};

struct RdpProbe {
  std::optional<std::string> cookie;            // "Cookie: mstshash=..." value
  std::optional<std::string> routing_token;     // any other CR-terminated token line
  std::optional<uint32_t> requested_protocols;  // RDP_NEG_REQ flags
  uint8_t neg_flags = 0;
};

// A p0f-style signature of the client's SYN; not JA4T.
struct SynSignature {
  uint8_t ttl = 0;
  uint16_t window = 0;
  std::optional<uint16_t> mss;
  std::optional<uint8_t> wscale;
  std::vector<uint8_t> options;  // option kinds in order (NOP=1 included, EOL=0 once)
  uint16_t ip_len = 0;           // total IP length of the SYN
  bool df = false;
};

struct OtherProbe {
  Bytes head;           // first bytes of the client message (at most 64)
  uint64_t length = 0;  // bytes of the client message that were seen
};

// One probe. Only the member matching `service` is filled; `syn` accompanies every TCP session whose SYN
// was seen.
struct Probe {
  int64_t ts_us = 0;  // capture time of the first client payload (or of the SYN for syn-only sessions)
  std::string src, dst;
  uint16_t sport = 0, dport = 0;
  Transport transport = Transport::tcp;
  Service service = Service::other;
  bool truncated = false;  // message incomplete (byte cap, session end or capture end)
  Source source = Source::pcap;
  // Export keys ("tls.random", "http.headers", ...) this probe's source cannot carry: left out of the export
  // rather than written as zero or empty, so that the features read them as "absent" (docs/FIELDS.md).
  // Empty for a capture, which carries every field.
  std::vector<std::string> absent;

  std::optional<HttpProbe> http;
  std::optional<TlsProbe> tls;
  std::optional<DnsProbe> dns;
  std::optional<SshProbe> ssh;
  std::optional<RdpProbe> rdp;
  std::optional<OtherProbe> other;
  std::optional<SynSignature> syn;
};

}  // namespace sg
