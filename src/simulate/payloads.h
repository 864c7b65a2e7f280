// Builders of first probes (and of the sensor's answers) from plain structs, byte for byte as the
// protocols lay them out, so that the project's own analyzers (src/probe) read back what was set.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "util/bytes.h"

namespace sg::simulate {

using Bytes = std::vector<uint8_t>;
using Headers = std::vector<std::pair<std::string, std::string>>;

// ---- HTTP/1.x (RFC 9112) ----

struct HttpRequest {
  std::string method = "GET";
  std::string uri = "/";
  std::string version = "HTTP/1.1";  // empty: an HTTP/0.9 request line
  Headers headers;                   // in order, names as sent; add Content-Length yourself with a body
  std::string body;
};
Bytes build_http_request(const HttpRequest& r);
Bytes build_http_response(int status, const std::string& reason, const Headers& headers, const std::string& body);

// ---- TLS ClientHello (RFC 8446 §4.1.2, RFC 5246 §7.4.1.2) ----

namespace tlsext {
constexpr uint16_t server_name = 0, status_request = 5, supported_groups = 10, ec_point_formats = 11,
                   signature_algorithms = 13, alpn = 16, sct = 18, padding = 21, encrypt_then_mac = 22,
                   extended_master_secret = 23, compress_certificate = 27, record_size_limit = 28, session_ticket = 35,
                   supported_versions = 43, psk_key_exchange_modes = 45, post_handshake_auth = 49, key_share = 51,
                   application_settings = 17513, renegotiation_info = 0xff01;
}

struct ClientHello {
  uint16_t record_version = 0x0301;
  uint16_t version = 0x0303;
  std::array<uint8_t, 32> random{};
  Bytes session_id;
  std::vector<uint16_t> ciphers;
  std::vector<uint8_t> compression{0};
  // Extension types in wire order. Bodies come from the fields below; other types get what common
  // clients send (empty for most). server_name and alpn are left out while their fields are empty,
  // as clients do when they connect to a bare address or speak no application protocol.
  std::vector<uint16_t> extensions;
  std::optional<std::string> server_name;
  std::vector<uint16_t> supported_groups;
  std::vector<uint8_t> ec_point_formats{0};
  std::vector<uint16_t> signature_algorithms;
  std::vector<std::string> alpn;
  std::vector<uint16_t> supported_versions;
  std::vector<uint16_t> key_share;  // groups that carry a share (key bytes derived from random)
  std::vector<std::pair<uint16_t, Bytes>> extension_bodies;  // overrides the body of a listed type
  // BoringSSL-style GREASE (RFC 8701): a GREASE cipher first, GREASE extensions first and last, a GREASE
  // group, version and key share first. The values derive from `random`, so the struct fixes the bytes.
  bool grease = false;
  uint16_t padding_length = 0;  // body length of the padding extension when listed
  size_t max_record = 16384;    // a longer ClientHello is split over several records
};
Bytes build_client_hello(const ClientHello& h);
// The sensor's answer: a TLS 1.2 ServerHello record choosing `cipher`.
Bytes build_server_hello(uint16_t cipher, const std::array<uint8_t, 32>& random, ByteView session_id);
// GREASE value (0x0a0a, 0x1a1a, ... 0xfafa) for a seed byte.
uint16_t grease_value(uint8_t seed);
bool is_grease(uint16_t v);

// ---- DNS (RFC 1035, EDNS RFC 6891) ----

struct EdnsSpec {
  uint16_t udp_size = 1232;
  bool do_bit = false;
  std::vector<std::pair<uint16_t, Bytes>> options;  // code, data
};
struct DnsQuery {
  uint16_t id = 0;
  uint16_t flags = 0x0100;  // RD
  std::string qname;        // dotted, no trailing dot needed; "" is the root
  uint16_t qtype = 1, qclass = 1;
  std::optional<EdnsSpec> edns;
};
Bytes build_dns_query(const DnsQuery& q);
Bytes build_dns_tcp_query(const DnsQuery& q);  // with the 2-byte length prefix
// An answer to `q`: QR|RA (and RD copied), `rcode`, one answer record holding `rdata` of the query's
// type when rdata is not empty.
Bytes build_dns_response(const DnsQuery& q, uint8_t rcode, ByteView rdata, uint32_t ttl = 300);
Bytes dns_txt_rdata(const std::string& text);

// ---- SSH (RFC 4253 §4.2, §6, §7.1) ----

struct SshKexInit {
  std::array<uint8_t, 16> cookie{};
  std::vector<std::string> kex_algorithms, host_key_algorithms, encryption_c2s, encryption_s2c, mac_c2s, mac_s2c;
  std::vector<std::string> compression_c2s{"none"}, compression_s2c{"none"};
  bool first_kex_follows = false;
};
// "banner\r\n", then the KEXINIT binary packet (unencrypted, block size 8) when one is given.
Bytes build_ssh_hello(const std::string& banner, const std::optional<SshKexInit>& kexinit);
Bytes build_ssh_kexinit(const SshKexInit& k);

// ---- RDP (TPKT RFC 1006, X.224 CR, MS-RDPBCGR 2.2.1.1) ----

struct RdpConnectionRequest {
  std::optional<std::string> cookie;            // "Cookie: mstshash=<cookie>\r\n"
  std::optional<std::string> routing_token;     // a whole token line without CRLF (used when no cookie)
  std::optional<uint32_t> requested_protocols;  // RDP_NEG_REQ; absent: no negotiation request
  uint8_t neg_flags = 0;
};
Bytes build_rdp_connection_request(const RdpConnectionRequest& r);
// X.224 Connection Confirm with RDP_NEG_RSP selecting `protocol`.
Bytes build_rdp_connection_confirm(uint32_t protocol);

}  // namespace sg::simulate
