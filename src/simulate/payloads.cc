#include "simulate/payloads.h"

#include <algorithm>

namespace sg::simulate {

namespace {

void put8(Bytes& b, uint8_t v) { b.push_back(v); }
void put16(Bytes& b, uint16_t v) {
  b.push_back(uint8_t(v >> 8));
  b.push_back(uint8_t(v));
}
void put24(Bytes& b, uint32_t v) {
  put8(b, uint8_t(v >> 16));
  put16(b, uint16_t(v));
}
void put32(Bytes& b, uint32_t v) {
  put16(b, uint16_t(v >> 16));
  put16(b, uint16_t(v));
}
void append(Bytes& b, ByteView more) { b.insert(b.end(), more.begin(), more.end()); }
void append(Bytes& b, const std::string& s) { b.insert(b.end(), s.begin(), s.end()); }

// Overwrites the big-endian length that a vector's body (everything after `at + width`) now has.
void patch_length(Bytes& b, size_t at, int width) {
  size_t len = b.size() - at - size_t(width);
  for (int i = width - 1; i >= 0; --i, len >>= 8) b[at + size_t(i)] = uint8_t(len);
}

// Opens a length-prefixed vector: reserves the prefix and returns where it is, for patch_length().
size_t open_vector(Bytes& b, int width) {
  size_t at = b.size();
  b.insert(b.end(), size_t(width), 0);
  return at;
}

void put_u16_list(Bytes& b, const std::vector<uint16_t>& values, int width) {
  size_t at = open_vector(b, width);
  for (uint16_t v : values) put16(b, v);
  patch_length(b, at, width);
}

}  // namespace

// ---- HTTP ----

Bytes build_http_request(const HttpRequest& r) {
  std::string s = r.method + ' ' + r.uri;
  if (r.version.empty()) {
    s += "\r\n";
    return Bytes(s.begin(), s.end());
  }
  s += ' ' + r.version + "\r\n";
  for (const auto& [name, value] : r.headers) s += name + ": " + value + "\r\n";
  s += "\r\n" + r.body;
  return Bytes(s.begin(), s.end());
}

Bytes build_http_response(int status, const std::string& reason, const Headers& headers, const std::string& body) {
  std::string s = "HTTP/1.1 " + std::to_string(status) + ' ' + reason + "\r\n";
  for (const auto& [name, value] : headers) s += name + ": " + value + "\r\n";
  s += "\r\n" + body;
  return Bytes(s.begin(), s.end());
}

// ---- TLS ----

uint16_t grease_value(uint8_t seed) { return uint16_t(((seed & 0xf0) | 0x0a) * 0x0101); }
bool is_grease(uint16_t v) { return (v & 0x0f0f) == 0x0a0a && (v >> 8) == (v & 0xff); }

namespace {

size_t key_share_size(uint16_t group) {
  switch (group) {
    case 0x0017:
      return 65;  // secp256r1, uncompressed point
    case 0x0018:
      return 97;  // secp384r1
    case 0x0019:
      return 133;  // secp521r1
    case 0x001e:
      return 56;  // x448
    case 0x11ec:
      return 1216;  // X25519MLKEM768
    case 0x6399:
      return 1216;  // X25519Kyber768Draft00
    default:
      return 32;  // x25519 and anything unknown
  }
}

// Not a real key: stable bytes of the right size, varying with the hello's random.
void put_key(Bytes& b, uint16_t group, const std::array<uint8_t, 32>& random) {
  size_t n = key_share_size(group);
  put16(b, uint16_t(n));
  for (size_t i = 0; i < n; ++i) b.push_back(uint8_t(random[i % 32] ^ (i * 0x9d) ^ group));
  if (group >= 0x0017 && group <= 0x0019) b[b.size() - n] = 0x04;
}

struct Grease {
  uint16_t cipher = 0, ext_first = 0, ext_last = 0, group = 0, version = 0;
};

Grease grease_values(const ClientHello& h) {
  if (!h.grease) return {};
  Grease g{grease_value(h.random[0]), grease_value(h.random[1]), grease_value(h.random[2]), grease_value(h.random[3]),
           grease_value(h.random[4])};
  if (g.ext_last == g.ext_first) g.ext_last ^= 0x1010;  // BoringSSL never repeats an extension type
  return g;
}

void server_name_body(Bytes& b, const std::string& name) {
  size_t list = open_vector(b, 2);
  put8(b, 0);  // host_name
  put16(b, uint16_t(name.size()));
  append(b, name);
  patch_length(b, list, 2);
}

void alpn_body(Bytes& b, const std::vector<std::string>& protocols) {
  size_t list = open_vector(b, 2);
  for (const auto& p : protocols) {
    put8(b, uint8_t(p.size()));
    append(b, p);
  }
  patch_length(b, list, 2);
}

void key_share_body(Bytes& b, const ClientHello& h, const Grease& g) {
  size_t list = open_vector(b, 2);
  if (h.grease) {
    put16(b, g.group);
    put16(b, 1);
    put8(b, 0);
  }
  for (uint16_t group : h.key_share) {
    put16(b, group);
    put_key(b, group, h.random);
  }
  patch_length(b, list, 2);
}

std::vector<uint16_t> with_grease(uint16_t grease, const std::vector<uint16_t>& values) {
  std::vector<uint16_t> out;
  if (grease) out.push_back(grease);
  out.insert(out.end(), values.begin(), values.end());
  return out;
}

// The body of one extension; types without fields of their own get what browsers and libraries send.
void extension_body(Bytes& b, uint16_t type, const ClientHello& h, const Grease& g) {
  for (const auto& [t, body] : h.extension_bodies) {
    if (t == type) {
      append(b, body);
      return;
    }
  }
  using namespace tlsext;
  static const Bytes kStatusRequest = {1, 0, 0, 0, 0};  // OCSP, no responder ids, no extensions
  static const Bytes kPskModes = {1, 1};                // psk_dhe_ke
  static const Bytes kRenegotiation = {0};              // empty renegotiated_connection
  static const Bytes kBrotli = {2, 0, 2};               // compress_certificate: brotli
  static const Bytes kRecordLimit = {0x40, 0x01};
  static const Bytes kAlpsH2 = {0, 3, 2, 'h', '2'};
  switch (type) {
    case server_name:
      server_name_body(b, h.server_name.value_or(""));
      break;
    case supported_groups:
      put_u16_list(b, with_grease(g.group, h.supported_groups), 2);
      break;
    case ec_point_formats:
      put8(b, uint8_t(h.ec_point_formats.size()));
      append(b, h.ec_point_formats);
      break;
    case signature_algorithms:
      put_u16_list(b, h.signature_algorithms, 2);
      break;
    case alpn:
      alpn_body(b, h.alpn);
      break;
    case supported_versions:
      put_u16_list(b, with_grease(g.version, h.supported_versions), 1);
      break;
    case key_share:
      key_share_body(b, h, g);
      break;
    case status_request:
      append(b, kStatusRequest);
      break;
    case psk_key_exchange_modes:
      append(b, kPskModes);
      break;
    case renegotiation_info:
      append(b, kRenegotiation);
      break;
    case compress_certificate:
      append(b, kBrotli);
      break;
    case record_size_limit:
      append(b, kRecordLimit);
      break;
    case application_settings:
      append(b, kAlpsH2);
      break;
    case padding:
      b.insert(b.end(), h.padding_length, 0);
      break;
    default:
      break;  // session_ticket, extended_master_secret, encrypt_then_mac, sct, ...: empty
  }
}

void put_extension(Bytes& b, uint16_t type, const ClientHello& h, const Grease& g) {
  put16(b, type);
  size_t at = open_vector(b, 2);
  if (is_grease(type)) {
    if (type == g.ext_last) put8(b, 0);  // BoringSSL's last GREASE extension carries one zero byte
  } else {
    extension_body(b, type, h, g);
  }
  patch_length(b, at, 2);
}

void put_extensions(Bytes& b, const ClientHello& h, const Grease& g) {
  std::vector<uint16_t> types;
  if (h.grease) types.push_back(g.ext_first);
  for (uint16_t t : h.extensions) {
    bool unset = (t == tlsext::server_name && !h.server_name) || (t == tlsext::alpn && h.alpn.empty());
    if (!unset) types.push_back(t);
  }
  if (h.grease) types.push_back(g.ext_last);
  if (types.empty()) return;  // no extensions block at all, as SSLv3-era clients send
  size_t at = open_vector(b, 2);
  for (uint16_t t : types) put_extension(b, t, h, g);
  patch_length(b, at, 2);
}

Bytes client_hello_body(const ClientHello& h) {
  Grease g = grease_values(h);
  Bytes b;
  b.reserve(512);
  put16(b, h.version);
  append(b, h.random);
  put8(b, uint8_t(h.session_id.size()));
  append(b, h.session_id);
  put_u16_list(b, with_grease(g.cipher, h.ciphers), 2);
  put8(b, uint8_t(h.compression.size()));
  append(b, h.compression);
  put_extensions(b, h, g);
  return b;
}

// Wraps a handshake message into handshake records of at most `max_record` bytes each.
Bytes records(uint16_t version, uint8_t type, const Bytes& message, size_t max_record) {
  Bytes out;
  max_record = std::clamp<size_t>(max_record, 1, 16384);
  for (size_t off = 0; off < message.size(); off += max_record) {
    size_t len = std::min(max_record, message.size() - off);
    put8(out, type);
    put16(out, version);
    put16(out, uint16_t(len));
    append(out, ByteView(message).subspan(off, len));
  }
  return out;
}

Bytes handshake(uint8_t type, const Bytes& body) {
  Bytes m;
  m.reserve(body.size() + 4);
  put8(m, type);
  put24(m, uint32_t(body.size()));
  append(m, body);
  return m;
}

}  // namespace

Bytes build_client_hello(const ClientHello& h) {
  return records(h.record_version, 0x16, handshake(1, client_hello_body(h)), h.max_record);
}

Bytes build_server_hello(uint16_t cipher, const std::array<uint8_t, 32>& random, ByteView session_id) {
  Bytes b;
  put16(b, 0x0303);
  append(b, random);
  put8(b, uint8_t(session_id.size()));
  append(b, session_id);
  put16(b, cipher);
  put8(b, 0);
  size_t ext = open_vector(b, 2);
  put16(b, tlsext::renegotiation_info);
  put16(b, 1);
  put8(b, 0);
  put16(b, tlsext::extended_master_secret);
  put16(b, 0);
  patch_length(b, ext, 2);
  return records(0x0303, 0x16, handshake(2, b), 16384);
}

// ---- DNS ----

namespace {

// Labels longer than 63 bytes cannot be encoded and are cut; empty labels (a trailing dot) are skipped.
void put_name(Bytes& b, const std::string& name) {
  size_t start = 0;
  while (start <= name.size()) {
    size_t dot = std::min(name.find('.', start), name.size());
    size_t len = std::min<size_t>(dot - start, 63);
    if (len) {
      put8(b, uint8_t(len));
      b.insert(b.end(), name.begin() + long(start), name.begin() + long(start + len));
    }
    start = dot + 1;
  }
  put8(b, 0);
}

void put_opt(Bytes& b, const EdnsSpec& e) {
  put8(b, 0);  // root owner name
  put16(b, 41);
  put16(b, e.udp_size);
  put32(b, e.do_bit ? 0x8000 : 0);  // extended rcode 0, version 0, DO
  size_t rdlen = open_vector(b, 2);
  for (const auto& [code, data] : e.options) {
    put16(b, code);
    put16(b, uint16_t(data.size()));
    append(b, data);
  }
  patch_length(b, rdlen, 2);
}

void put_header(Bytes& b, uint16_t id, uint16_t flags, uint16_t qd, uint16_t an, uint16_t ar) {
  put16(b, id);
  put16(b, flags);
  put16(b, qd);
  put16(b, an);
  put16(b, 0);
  put16(b, ar);
}

void put_question(Bytes& b, const DnsQuery& q) {
  put_name(b, q.qname);
  put16(b, q.qtype);
  put16(b, q.qclass);
}

}  // namespace

Bytes build_dns_query(const DnsQuery& q) {
  Bytes b;
  b.reserve(64 + q.qname.size());
  put_header(b, q.id, q.flags, 1, 0, q.edns ? 1 : 0);
  put_question(b, q);
  if (q.edns) put_opt(b, *q.edns);
  return b;
}

Bytes build_dns_tcp_query(const DnsQuery& q) {
  Bytes m = build_dns_query(q);
  Bytes b;
  put16(b, uint16_t(m.size()));
  append(b, m);
  return b;
}

Bytes build_dns_response(const DnsQuery& q, uint8_t rcode, ByteView rdata, uint32_t ttl) {
  uint16_t flags = uint16_t(0x8000 | (q.flags & 0x7900) | 0x0080 | (rcode & 0xf));  // QR, opcode+RD, RA
  bool answer = !rdata.empty();
  Bytes b;
  put_header(b, q.id, flags, 1, answer ? 1 : 0, q.edns ? 1 : 0);
  put_question(b, q);
  if (answer) {
    put16(b, 0xc00c);  // pointer to the question's name
    put16(b, q.qtype);
    put16(b, q.qclass);
    put32(b, ttl);
    put16(b, uint16_t(rdata.size()));
    append(b, rdata);
  }
  if (q.edns) put_opt(b, EdnsSpec{});
  return b;
}

Bytes dns_txt_rdata(const std::string& text) {
  Bytes b;
  size_t off = 0;
  do {  // character-strings of at most 255 bytes; an empty text is one empty string
    size_t len = std::min<size_t>(255, text.size() - off);
    put8(b, uint8_t(len));
    b.insert(b.end(), text.begin() + long(off), text.begin() + long(off + len));
    off += len;
  } while (off < text.size());
  return b;
}

// ---- SSH ----

namespace {

constexpr uint8_t kMsgKexinit = 20;
constexpr size_t kBlock = 8;  // no cipher yet: RFC 4253 §6 block size 8

void put_name_list(Bytes& b, const std::vector<std::string>& names) {
  std::string joined;
  for (const auto& n : names) joined += (joined.empty() ? "" : ",") + n;
  put32(b, uint32_t(joined.size()));
  append(b, joined);
}

}  // namespace

Bytes build_ssh_kexinit(const SshKexInit& k) {
  Bytes payload;
  put8(payload, kMsgKexinit);
  append(payload, k.cookie);
  for (const auto* list : {&k.kex_algorithms, &k.host_key_algorithms, &k.encryption_c2s, &k.encryption_s2c, &k.mac_c2s,
                           &k.mac_s2c, &k.compression_c2s, &k.compression_s2c})
    put_name_list(payload, *list);
  put32(payload, 0);  // languages client to server
  put32(payload, 0);  // languages server to client
  put8(payload, k.first_kex_follows);
  put32(payload, 0);  // reserved
  // At least 4 bytes of padding, and the whole packet (length field included) a multiple of the block.
  size_t padding = kBlock - (5 + payload.size()) % kBlock;
  if (padding < 4) padding += kBlock;
  Bytes b;
  put32(b, uint32_t(1 + payload.size() + padding));
  put8(b, uint8_t(padding));
  append(b, payload);
  for (size_t i = 0; i < padding; ++i) b.push_back(uint8_t(k.cookie[i % 16] * 31 + i));
  return b;
}

Bytes build_ssh_hello(const std::string& banner, const std::optional<SshKexInit>& kexinit) {
  Bytes b(banner.begin(), banner.end());
  b.push_back('\r');
  b.push_back('\n');
  if (kexinit) append(b, build_ssh_kexinit(*kexinit));
  return b;
}

// ---- RDP ----

namespace {

Bytes tpkt(const Bytes& tpdu) {
  Bytes b{0x03, 0x00};
  put16(b, uint16_t(4 + tpdu.size()));
  append(b, tpdu);
  return b;
}

void put_u32_le(Bytes& b, uint32_t v) {
  for (int i = 0; i < 4; ++i) b.push_back(uint8_t(v >> (8 * i)));
}

// X.224 TPDU with the fixed part (LI, code, dst-ref, src-ref, class) and user data counted in LI.
Bytes x224(uint8_t code, uint16_t src_ref, const Bytes& user_data) {
  Bytes b;
  put8(b, uint8_t(6 + user_data.size()));
  put8(b, code);
  put16(b, 0);  // dst-ref
  put16(b, src_ref);
  put8(b, 0);  // class 0
  append(b, user_data);
  return b;
}

}  // namespace

Bytes build_rdp_connection_request(const RdpConnectionRequest& r) {
  Bytes data;
  if (r.cookie)
    append(data, "Cookie: mstshash=" + *r.cookie + "\r\n");
  else if (r.routing_token)
    append(data, *r.routing_token + "\r\n");
  if (r.requested_protocols) {
    put8(data, 0x01);  // TYPE_RDP_NEG_REQ
    put8(data, r.neg_flags);
    put8(data, 8);  // length, little endian
    put8(data, 0);
    put_u32_le(data, *r.requested_protocols);
  }
  return tpkt(x224(0xE0, 0, data));
}

Bytes build_rdp_connection_confirm(uint32_t protocol) {
  Bytes data{0x02, 0x00, 0x08, 0x00};  // TYPE_RDP_NEG_RSP, flags, length
  put_u32_le(data, protocol);
  return tpkt(x224(0xD0, 0x1234, data));
}

}  // namespace sg::simulate
