// Link, network and transport decoding: one captured frame -> the TCP/UDP facts sessions need.
// Pure functions over the frame bytes; every header length is checked before it is read.
#pragma once

#include <array>
#include <cstdint>
#include <string>

#include "util/bytes.h"

namespace sg {

struct IpAddr {
  std::array<uint8_t, 16> b{};  // IPv4 uses the first 4 bytes, the rest stay zero
  bool v4 = true;
  bool operator==(const IpAddr&) const = default;
};

std::string to_string(const IpAddr& a);
// Parses dotted IPv4 or IPv6 text; false when it is neither.
bool parse_ip(const std::string& text, IpAddr& out);

struct Packet {
  IpAddr src, dst;
  uint8_t proto = 0;  // 6 TCP, 17 UDP
  uint8_t ttl = 0;    // IPv4 TTL or IPv6 hop limit of the innermost IP header
  bool df = false;
  uint16_t ip_len = 0;
  uint16_t sport = 0, dport = 0;
  uint32_t seq = 0, ack = 0;
  uint8_t tcp_flags = 0;
  uint16_t window = 0;
  ByteView tcp_options;
  ByteView payload;
};

namespace tcpflag {
constexpr uint8_t fin = 0x01, syn = 0x02, rst = 0x04, psh = 0x08, ack = 0x10;
}

// Decodes a frame of the given libpcap link type (DLT_*). Returns nullptr for a TCP or UDP packet, else a
// static reason ("link.unsupported", "ip.fragment", "ip.other_protocol", "tcp.bad_header", ...) that the
// caller counts. Tunnels (IP-in-IP, GRE, VXLAN, Geneve, Teredo) are opened and the inner packet returned.
const char* decode_packet(int linktype, ByteView frame, Packet& out);

}  // namespace sg
