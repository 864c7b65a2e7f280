// Frame builders: Ethernet + IPv4/IPv6 + TCP/UDP with correct lengths and checksums, and session helpers
// that turn one scanner conversation (handshake, probe, answer, close) into timed frames as the sensor
// would capture them.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include "capture/packet.h"
#include "util/bytes.h"

namespace sg::simulate {

using Bytes = std::vector<uint8_t>;

namespace tcpopt {
constexpr uint8_t eol = 0, nop = 1, mss = 2, wscale = 3, sack_ok = 4, timestamp = 8;
}

// SYN option kinds in wire order; these differ between scanners and are part of their signature.
inline constexpr uint8_t kLinuxSyn[] = {tcpopt::mss, tcpopt::sack_ok, tcpopt::timestamp, tcpopt::nop, tcpopt::wscale};
inline constexpr uint8_t kWindowsSyn[] = {tcpopt::mss, tcpopt::nop, tcpopt::wscale,
                                          tcpopt::nop, tcpopt::nop, tcpopt::sack_ok};
inline constexpr uint8_t kMasscanSyn[] = {tcpopt::mss};
// nmap's first OS-detection probe layout (WS, NOP, MSS, TS, SACK), which nmap also uses for service scans.
inline constexpr uint8_t kNmapSyn[] = {tcpopt::wscale, tcpopt::nop, tcpopt::mss, tcpopt::timestamp, tcpopt::sack_ok};

struct Endpoint {
  IpAddr ip;
  uint16_t port = 0;
};

// One conversation; both addresses must be of the same family.
struct Flow {
  Endpoint client, server;
  uint32_t flow_label = 0;  // IPv6 only (20 bits)
};

enum class Dir : uint8_t { to_server, to_client };

struct IpFields {
  uint8_t ttl = 64;  // hop limit for IPv6
  bool df = true;
  uint16_t id = 0;
};

struct TcpOptionValues {
  uint16_t mss = 1460;
  uint8_t wscale = 7;
  uint32_t tsval = 0, tsecr = 0;
};

struct TcpSegment {
  uint32_t seq = 0, ack = 0;
  uint8_t flags = 0;  // tcpflag::*
  uint16_t window = 0;
  std::span<const uint8_t> options;  // kinds in order, padded with EOL to a 4-byte multiple
  TcpOptionValues values;
  ByteView payload;
};

// Builds frames into one reusable buffer; each returned view is valid until the next call.
class FrameBuilder {
 public:
  FrameBuilder();
  ByteView tcp(const Flow& flow, Dir dir, const IpFields& ip, const TcpSegment& seg);
  ByteView udp(const Flow& flow, Dir dir, const IpFields& ip, ByteView payload);

 private:
  size_t ip_header(const Flow& flow, Dir dir, const IpFields& ip, uint8_t proto, size_t l4_len);
  void l4_checksum(const Flow& flow, size_t l4_off, size_t l4_len, uint8_t proto, size_t sum_off);

  std::vector<uint8_t> buf_;
};

// RFC 1071 Internet checksum of `data` as a big-endian number; a region whose checksum field is already
// filled in gives 0.
uint16_t internet_checksum(ByteView data);

// Where frames go. Sessions emit their frames in time order; the sink sees one session after another.
class PacketSink {
 public:
  virtual ~PacketSink() = default;
  virtual void packet(int64_t ts_us, ByteView frame) = 0;
};

// One endpoint's TCP stack as it shows in the capture.
struct TcpStack {
  uint8_t ttl = 64;  // as it arrives (initial TTL minus hops for the client)
  bool df = true;
  uint16_t syn_window = 64240;
  uint16_t window = 502;  // later segments (already scaled down)
  uint16_t mss = 1460;
  uint8_t wscale = 7;
  std::span<const uint8_t> syn_options = kLinuxSyn;
  uint32_t isn = 0;
  uint16_t ip_id = 0;  // first IP id; later packets count up
  uint32_t tsval = 0;  // timestamp clock (ms) at the session start
};

enum class TcpClose : uint8_t { fin, client_rst, server_rst, none };

// A whole TCP conversation as seen at the sensor (the server). The sensor answers like Linux: its SYN-ACK
// options follow what the client offered, whatever `server.syn_options` says.
struct TcpSession {
  Flow flow;
  int64_t start_us = 0;
  int64_t rtt_us = 40000;        // sensor -> client -> sensor
  int64_t server_delay_us = 60;  // the sensor's reaction time
  TcpStack client, server;
  bool port_open = true;     // false: the SYN gets RST|ACK
  bool syn_only = false;     // the client resets after the SYN-ACK (masscan's kernel knows no such socket)
  ByteView server_greeting;  // sent first by the server (SSH banner)
  ByteView client_payload;
  ByteView server_payload;
  uint16_t segment_size = 0;    // client payload segment size; 0 = the negotiated MSS
  int retransmit_segment = -1;  // this client segment arrives again after an RTO
  int reorder_segment = -1;     // this client segment arrives after the next one
  TcpClose close = TcpClose::fin;
};

// A UDP query and its optional answer.
struct UdpExchange {
  Flow flow;
  int64_t start_us = 0;
  int64_t server_delay_us = 80;
  IpFields client_ip{64, false, 0}, server_ip{64, false, 0};
  ByteView query;
  ByteView answer;  // empty: no answer
};

class SessionWriter {
 public:
  // Each returns the number of frames handed to the sink.
  uint64_t write(const TcpSession& s, PacketSink& sink);
  uint64_t write(const UdpExchange& x, PacketSink& sink);
  // When the capture extractor will date the last written session's probe: the first client data segment
  // in sequence order (after a reordering, the late one), the SYN when the client sends no data, the query.
  int64_t probe_us() const { return probe_us_; }

 private:
  FrameBuilder frames_;
  int64_t probe_us_ = 0;
};

}  // namespace sg::simulate
