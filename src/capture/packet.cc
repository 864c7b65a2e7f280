#include "capture/packet.h"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <pcap/dlt.h>

#include <cstring>

namespace sg {

namespace {

constexpr int kMaxTunnelDepth = 4;  // GRE in VXLAN in ... : deeper nesting is garbage or an attack

const char* decode_ip(ByteView b, Packet& out, int depth);
const char* decode_ethernet(ByteView b, Packet& out, int depth);

uint16_t be16(const uint8_t* p) { return static_cast<uint16_t>(p[0] << 8 | p[1]); }
uint32_t be32(const uint8_t* p) { return uint32_t(p[0]) << 24 | uint32_t(p[1]) << 16 | uint32_t(p[2]) << 8 | p[3]; }

const char* decode_ethertype(uint16_t type, ByteView b, Packet& out, int depth) {
  switch (type) {
    case 0x0800:
    case 0x86dd:
      return decode_ip(b, out, depth);
    case 0x6558:  // transparent Ethernet bridging (GRE)
      return decode_ethernet(b, out, depth + 1);
    default:
      return "link.not_ip";
  }
}

const char* decode_mpls(ByteView b, Packet& out, int depth) {
  for (int labels = 0; labels < 16; ++labels) {
    if (b.size() < 4) return "link.truncated";
    bool bottom = b[2] & 1;
    b = b.subspan(4);
    if (bottom) {
      if (b.empty()) return "link.truncated";
      uint8_t version = b[0] >> 4;
      return version == 4 || version == 6 ? decode_ip(b, out, depth) : "link.not_ip";
    }
  }
  return "link.bad_mpls";
}

// PPPoE session (RFC 2516): a 6-byte header, then the PPP protocol number, which may be sent compressed to
// one byte (RFC 1661 section 6.5: a protocol whose first byte is odd is a single byte, 0x21 IPv4, 0x57 IPv6).
const char* decode_pppoe(ByteView b, Packet& out, int depth) {
  if (b.size() < 7) return "link.truncated";
  bool compressed = b[6] & 1;
  if (!compressed && b.size() < 8) return "link.truncated";
  uint16_t ppp = compressed ? b[6] : be16(&b[6]);
  b = b.subspan(compressed ? 7 : 8);
  return ppp == 0x0021 || ppp == 0x0057 ? decode_ip(b, out, depth) : "link.not_ip";  // IPv4, IPv6
}

// What follows an EtherType (Ethernet, 802.2 SNAP, Cisco HDLC): MPLS, PPPoE, or what decode_ethertype opens.
const char* decode_typed(uint16_t type, ByteView b, Packet& out, int depth) {
  if (type == 0x8847 || type == 0x8848) return decode_mpls(b, out, depth);
  if (type == 0x8864) return decode_pppoe(b, out, depth);
  return decode_ethertype(type, b, out, depth);
}

// IEEE 802.3 frame (the type field is a length, at most 1500) carrying 802.2 LLC: SNAP (DSAP = SSAP = 0xAA,
// control 0x03 UI, then a 3-byte OUI and a protocol id, RFC 1042) or IP on its own SAP (0x06, RFC 948).
const char* decode_llc(uint16_t length, ByteView b, Packet& out, int depth) {
  if (length < b.size()) b = b.first(length);  // the length excludes Ethernet padding
  if (b.size() < 3) return "link.truncated";
  if (b[0] == 0xaa && b[1] == 0xaa && b[2] == 0x03) {
    if (b.size() < 8) return "link.truncated";
    // OUI 00-00-00 (RFC 1042) or 00-00-F8 (802.1H): the protocol id is an EtherType; other OUIs are not
    if (b[3] != 0 || b[4] != 0 || (b[5] != 0 && b[5] != 0xf8)) return "link.not_ip";
    return decode_typed(be16(&b[6]), b.subspan(8), out, depth);
  }
  if (b[0] == 0x06 && b[1] == 0x06 && b[2] == 0x03) {
    ByteView ip = b.subspan(3);
    return !ip.empty() && (ip[0] >> 4) == 4 ? decode_ip(ip, out, depth) : "link.not_ip";
  }
  return "link.not_ip";
}

const char* decode_ethernet(ByteView b, Packet& out, int depth) {
  if (depth > kMaxTunnelDepth) return "tunnel.too_deep";
  if (b.size() < 14) return "link.truncated";
  uint16_t type = be16(&b[12]);
  b = b.subspan(14);
  // VLAN tags (802.1Q, 802.1ad QinQ, old 0x9100), bounded so a frame of tags cannot loop us long
  for (int tags = 0; tags < 8 && (type == 0x8100 || type == 0x88a8 || type == 0x9100); ++tags) {
    if (b.size() < 4) return "link.truncated";
    type = be16(&b[2]);
    b = b.subspan(4);
  }
  if (type <= 1500) return decode_llc(type, b, out, depth);
  return decode_typed(type, b, out, depth);
}

// Cisco HDLC (LINKTYPE_C_HDLC): address (0x0F unicast, 0x8F broadcast), control 0x00, then an EtherType.
const char* decode_chdlc(ByteView b, Packet& out) {
  if (b.size() < 4) return "link.truncated";
  return decode_typed(be16(&b[2]), b.subspan(4), out, 0);
}

// GRE (RFC 2784/2890) and the PPTP variant (version 1) that carries PPP.
const char* decode_gre(ByteView b, Packet& out, int depth) {
  if (b.size() < 4) return "tunnel.truncated";
  uint16_t flags = be16(&b[0]);
  uint16_t proto = be16(&b[2]);
  int version = flags & 7;
  size_t off = 4;
  if (version == 0) {
    if (flags & 0x8000) off += 4;  // checksum + reserved
    if (flags & 0x2000) off += 4;  // key
    if (flags & 0x1000) off += 4;  // sequence
  } else if (version == 1) {
    off += 4;                      // payload length + call id
    if (flags & 0x1000) off += 4;  // sequence
    if (flags & 0x0080) off += 4;  // acknowledgement
  } else {
    return "tunnel.bad_gre";
  }
  if (b.size() < off) return "tunnel.truncated";
  b = b.subspan(off);
  if (proto == 0x880b) {  // PPP, optionally with address/control bytes
    if (b.size() >= 2 && b[0] == 0xff && b[1] == 0x03) b = b.subspan(2);
    if (b.size() < 2) return "tunnel.truncated";
    uint16_t ppp = b[0] & 1 ? b[0] : be16(&b[0]);
    b = b.subspan(b[0] & 1 ? 1 : 2);
    return ppp == 0x21 || ppp == 0x57 ? decode_ip(b, out, depth + 1) : "tunnel.not_ip";
  }
  if (proto == 0x88be && b.size() >= 8) return decode_ethernet(b.subspan(8), out, depth + 1);  // ERSPAN II
  return decode_ethertype(proto, b, out, depth + 1);
}

// Teredo (RFC 4380) runs on any port pair once a client is qualified, so it is recognised by content:
// an IPv6 header whose length matches the datagram and whose source or destination is a Teredo address
// (2001:0::/32), possibly behind authentication and origin-indication headers.
ByteView teredo_inner(ByteView p) {
  if (p.size() >= 4 && p[0] == 0 && p[1] == 1) {
    size_t skip = 4 + size_t(p[2]) + p[3] + 8 + 1;
    if (p.size() < skip) return {};
    p = p.subspan(skip);
  }
  if (p.size() >= 8 && p[0] == 0 && p[1] == 0) p = p.subspan(8);
  if (p.size() < 40 || (p[0] >> 4) != 6 || size_t(be16(&p[4])) + 40 != p.size()) return {};
  auto teredo = [&](size_t off) { return p[off] == 0x20 && p[off + 1] == 0x01 && p[off + 2] == 0 && p[off + 3] == 0; };
  return teredo(8) || teredo(24) ? p : ByteView();
}

// UDP encapsulations. The tunnel is entered only when its header is well formed; a probe that merely
// targets a tunnel port (scanners probe 4789 too) then stays an ordinary UDP packet. Once entered, the
// inner packet's verdict stands, including its skip reason.
bool try_udp_tunnel(const Packet& outer, Packet& out, const char*& verdict, int depth) {
  ByteView p = outer.payload;
  Packet inner;
  if (outer.dport == 4789 && p.size() >= 22 && (p[0] & 0x08)) {  // VXLAN, then Ethernet
    uint16_t type = be16(&p[8 + 12]);
    if (type != 0x0800 && type != 0x86dd && type != 0x8100) return false;
    verdict = decode_ethernet(p.subspan(8), inner, depth + 1);
  } else if (outer.dport == 6081 && p.size() >= 8 && (p[0] >> 6) == 0) {  // Geneve
    size_t opt_len = size_t(p[0] & 0x3f) * 4;
    uint16_t type = be16(&p[2]);
    if (p.size() < 8 + opt_len || (type != 0x0800 && type != 0x86dd && type != 0x6558)) return false;
    verdict = decode_ethertype(type, p.subspan(8 + opt_len), inner, depth + 1);
  } else if (outer.dport == 4754 && p.size() >= 4 && (be16(&p[0]) & 0x4ff8) == 0) {  // GRE-in-UDP, RFC 8086
    uint16_t type = be16(&p[2]);
    if (type != 0x0800 && type != 0x86dd && type != 0x6558) return false;
    verdict = decode_gre(p, inner, depth);
  } else if (ByteView t = teredo_inner(p); !t.empty()) {
    verdict = decode_ip(t, inner, depth + 1);
  } else {
    return false;
  }
  out = inner;
  return true;
}

const char* decode_transport(uint8_t proto, ByteView b, Packet& out, int depth) {
  if (proto == 4 || proto == 41) return decode_ip(b, out, depth + 1);
  if (proto == 47) return decode_gre(b, out, depth);
  out.proto = proto;
  if (proto == 6) {
    if (b.size() < 20) return "tcp.truncated";
    size_t hlen = size_t(b[12] >> 4) * 4;
    if (hlen < 20 || hlen > b.size()) return "tcp.bad_header_length";
    out.sport = be16(&b[0]);
    out.dport = be16(&b[2]);
    out.seq = be32(&b[4]);
    out.ack = be32(&b[8]);
    out.tcp_flags = b[13];
    out.window = be16(&b[14]);
    out.tcp_options = b.subspan(20, hlen - 20);
    out.payload = b.subspan(hlen);
    return nullptr;
  }
  if (proto == 17) {
    if (b.size() < 8) return "udp.truncated";
    out.sport = be16(&b[0]);
    out.dport = be16(&b[2]);
    size_t len = be16(&b[4]);
    // a wrong UDP length is common in crafted probes: trust it only when it is consistent
    size_t plen = len >= 8 && len <= b.size() ? len - 8 : b.size() - 8;
    out.payload = b.subspan(8, plen);
    out.tcp_options = {};
    const char* verdict = nullptr;
    if (depth < kMaxTunnelDepth && try_udp_tunnel(Packet(out), out, verdict, depth)) return verdict;
    return nullptr;
  }
  return "ip.other_protocol";
}

const char* decode_ipv4(ByteView b, Packet& out, int depth) {
  if (b.size() < 20) return "ipv4.truncated";
  size_t ihl = size_t(b[0] & 15) * 4;
  if (ihl < 20 || ihl > b.size()) return "ipv4.bad_header_length";
  size_t total = be16(&b[2]);
  // Ethernet padding follows short packets; a total length beyond the capture means snaplen cut it.
  if (total >= ihl && total < b.size()) b = b.first(total);
  if (total < ihl) return "ipv4.bad_total_length";
  uint16_t frag = be16(&b[6]);
  if ((frag & 0x2000) || (frag & 0x1fff)) return "ip.fragment";
  out.src = IpAddr{};
  out.dst = IpAddr{};
  std::memcpy(out.src.b.data(), &b[12], 4);
  std::memcpy(out.dst.b.data(), &b[16], 4);
  out.src.v4 = out.dst.v4 = true;
  out.ttl = b[8];
  out.df = frag & 0x4000;
  out.ip_len = static_cast<uint16_t>(total);
  return decode_transport(b[9], b.subspan(ihl), out, depth);
}

const char* decode_ipv6(ByteView b, Packet& out, int depth) {
  if (b.size() < 40) return "ipv6.truncated";
  size_t plen = be16(&b[4]);
  uint8_t next = b[6];
  out.src = IpAddr{};
  out.dst = IpAddr{};
  std::memcpy(out.src.b.data(), &b[8], 16);
  std::memcpy(out.dst.b.data(), &b[24], 16);
  out.src.v4 = out.dst.v4 = false;
  out.ttl = b[7];
  out.df = false;
  out.ip_len = static_cast<uint16_t>(40 + plen);
  ByteView rest = b.subspan(40);
  if (plen != 0 && plen < rest.size()) rest = rest.first(plen);  // plen 0: jumbogram, keep all
  // Walk extension headers; their count is bounded so a chain of options cannot spin.
  for (int i = 0; i < 16; ++i) {
    switch (next) {
      case 0:     // hop-by-hop
      case 43:    // routing
      case 60: {  // destination options
        if (rest.size() < 8) return "ipv6.truncated";
        size_t len = (size_t(rest[1]) + 1) * 8;
        if (len > rest.size()) return "ipv6.bad_extension_length";
        next = rest[0];
        rest = rest.subspan(len);
        break;
      }
      case 44: {  // fragment: only an atomic fragment (offset 0, no more) can be read as is
        if (rest.size() < 8) return "ipv6.truncated";
        if ((be16(&rest[2]) & 0xfff9) != 0) return "ip.fragment";
        next = rest[0];
        rest = rest.subspan(8);
        break;
      }
      case 51: {  // authentication header: length in 4-byte units
        if (rest.size() < 8) return "ipv6.truncated";
        size_t len = (size_t(rest[1]) + 2) * 4;
        if (len > rest.size()) return "ipv6.bad_extension_length";
        next = rest[0];
        rest = rest.subspan(len);
        break;
      }
      case 59:
        return "ipv6.no_next_header";
      default:
        return decode_transport(next, rest, out, depth);
    }
  }
  return "ipv6.too_many_extensions";
}

const char* decode_ip(ByteView b, Packet& out, int depth) {
  if (depth > kMaxTunnelDepth) return "tunnel.too_deep";
  if (b.empty()) return "ip.truncated";
  switch (b[0] >> 4) {
    case 4:
      return decode_ipv4(b, out, depth);
    case 6:
      return decode_ipv6(b, out, depth);
    default:
      return "ip.bad_version";
  }
}

// NFLOG: a 4-byte header then TLVs (host-endian lengths, 4-byte aligned); type 9 carries the packet.
const char* decode_nflog(ByteView b, Packet& out) {
  if (b.size() < 4) return "link.truncated";
  size_t off = 4;
  while (off + 4 <= b.size()) {
    size_t len = size_t(b[off]) | size_t(b[off + 1]) << 8;
    uint16_t type = static_cast<uint16_t>(b[off + 2] | b[off + 3] << 8);
    if (len < 4 || off + len > b.size()) return "link.bad_nflog";
    if (type == 9) return decode_ip(b.subspan(off + 4, len - 4), out, 0);
    off += (len + 3) & ~size_t(3);
  }
  return "link.not_ip";
}

}  // namespace

const char* decode_packet(int linktype, ByteView f, Packet& out) {
  switch (linktype) {
    case DLT_EN10MB:
      return decode_ethernet(f, out, 0);
    case DLT_RAW:
    case DLT_IPV4:
    case DLT_IPV6:
    case 101:  // LINKTYPE_RAW as some writers leave it
      return decode_ip(f, out, 0);
    case DLT_NULL:
    case DLT_LOOP:  // 4-byte address family in either byte order; the IP version nibble decides
      return f.size() < 4 ? "link.truncated" : decode_ip(f.subspan(4), out, 0);
    case DLT_LINUX_SLL:
      if (f.size() < 16) return "link.truncated";
      return decode_ethertype(be16(&f[14]), f.subspan(16), out, 0);
    case DLT_LINUX_SLL2:
      if (f.size() < 20) return "link.truncated";
      return decode_ethertype(be16(&f[0]), f.subspan(20), out, 0);
    case DLT_NFLOG:
      return decode_nflog(f, out);
    case DLT_C_HDLC:
      return decode_chdlc(f, out);
    default:
      return "link.unsupported";
  }
}

std::string to_string(const IpAddr& a) {
  // inet_ntop formats IPv4 through sprintf, a visible cost at two calls per probe: dotted decimal by hand.
  if (a.v4) {
    char buf[16];
    size_t n = 0;
    for (int i = 0; i < 4; ++i) {
      unsigned v = a.b[i];
      if (i) buf[n++] = '.';
      if (v >= 100) buf[n++] = static_cast<char>('0' + v / 100);
      if (v >= 10) buf[n++] = static_cast<char>('0' + v / 10 % 10);
      buf[n++] = static_cast<char>('0' + v % 10);
    }
    return std::string(buf, n);
  }
  char buf[INET6_ADDRSTRLEN];
  inet_ntop(a.v4 ? AF_INET : AF_INET6, a.b.data(), buf, sizeof buf);
  return buf;
}

bool parse_ip(const std::string& text, IpAddr& out) {
  out = IpAddr{};
  if (inet_pton(AF_INET, text.c_str(), out.b.data()) == 1) {
    out.v4 = true;
    return true;
  }
  out = IpAddr{};
  out.v4 = false;
  return inet_pton(AF_INET6, text.c_str(), out.b.data()) == 1;
}

}  // namespace sg
