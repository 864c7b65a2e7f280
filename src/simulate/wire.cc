#include "simulate/wire.h"

#include <algorithm>
#include <bit>
#include <cstring>

namespace sg::simulate {

namespace {

constexpr size_t kEth = 14, kIp4 = 20, kIp6 = 40, kTcp = 20, kUdp = 8;
constexpr size_t kMaxFrame = 65536 + 128;
constexpr uint8_t kProtoTcp = 6, kProtoUdp = 17;
// Locally administered MACs: the upstream router and the sensor's NIC.
constexpr uint8_t kRouterMac[6] = {0x02, 0x00, 0x5e, 0x10, 0x00, 0x01};
constexpr uint8_t kSensorMac[6] = {0x02, 0x00, 0x5e, 0x10, 0x00, 0x02};

void put16(uint8_t* p, uint16_t v) {
  p[0] = uint8_t(v >> 8);
  p[1] = uint8_t(v);
}
void put32(uint8_t* p, uint32_t v) {
  put16(p, uint16_t(v >> 16));
  put16(p + 2, uint16_t(v));
}

// One's-complement sum of 16-bit words in host byte order. RFC 1071 §2(B): the sum is byte-order
// independent, so summing native words and storing the folded result natively gives the network value
// without swapping every word. Regions before the last must have even length.
uint64_t sum_native(const uint8_t* p, size_t n, uint64_t acc) {
  for (; n >= 8; p += 8, n -= 8) {
    uint64_t w;
    std::memcpy(&w, p, 8);
    acc += (w & 0xffffffffu) + (w >> 32);
  }
  for (; n >= 2; p += 2, n -= 2) {
    uint16_t w;
    std::memcpy(&w, p, 2);
    acc += w;
  }
  if (n) {
    uint8_t last[2] = {*p, 0};
    uint16_t w;
    std::memcpy(&w, last, 2);
    acc += w;
  }
  return acc;
}

uint16_t fold_native(uint64_t acc) {
  while (acc >> 16) acc = (acc & 0xffff) + (acc >> 16);
  return uint16_t(~acc);
}

void store_native(uint8_t* p, uint16_t v) { std::memcpy(p, &v, 2); }

const IpAddr& src_ip(const Flow& f, Dir d) { return d == Dir::to_server ? f.client.ip : f.server.ip; }
const IpAddr& dst_ip(const Flow& f, Dir d) { return d == Dir::to_server ? f.server.ip : f.client.ip; }
uint16_t src_port(const Flow& f, Dir d) { return d == Dir::to_server ? f.client.port : f.server.port; }
uint16_t dst_port(const Flow& f, Dir d) { return d == Dir::to_server ? f.server.port : f.client.port; }

size_t option_size(uint8_t kind) {
  switch (kind) {
    case tcpopt::eol:
    case tcpopt::nop:
      return 1;
    case tcpopt::mss:
      return 4;
    case tcpopt::wscale:
      return 3;
    case tcpopt::timestamp:
      return 10;
    default:
      return 2;  // SACK-permitted and any other kind without data
  }
}

// Writes the options at p (at most 40 bytes); returns the padded length.
size_t write_options(uint8_t* p, std::span<const uint8_t> kinds, const TcpOptionValues& v) {
  size_t n = 0;
  for (uint8_t kind : kinds) {
    size_t len = option_size(kind);
    if (n + len > 40) break;
    p[n] = kind;
    if (len > 1) p[n + 1] = uint8_t(len);
    if (kind == tcpopt::mss) put16(p + n + 2, v.mss);
    if (kind == tcpopt::wscale) p[n + 2] = v.wscale;
    if (kind == tcpopt::timestamp) {
      put32(p + n + 2, v.tsval);
      put32(p + n + 6, v.tsecr);
    }
    n += len;
  }
  while (n % 4) p[n++] = tcpopt::eol;
  return n;
}

}  // namespace

uint16_t internet_checksum(ByteView data) {
  uint16_t v = fold_native(sum_native(data.data(), data.size(), 0));
  return std::endian::native == std::endian::little ? __builtin_bswap16(v) : v;
}

FrameBuilder::FrameBuilder() : buf_(kMaxFrame) {}

size_t FrameBuilder::ip_header(const Flow& flow, Dir dir, const IpFields& ip, uint8_t proto, size_t l4_len) {
  uint8_t* e = buf_.data();
  bool v4 = flow.client.ip.v4;
  std::memcpy(e, dir == Dir::to_server ? kSensorMac : kRouterMac, 6);
  std::memcpy(e + 6, dir == Dir::to_server ? kRouterMac : kSensorMac, 6);
  put16(e + 12, v4 ? 0x0800 : 0x86dd);
  uint8_t* h = e + kEth;
  const IpAddr& src = src_ip(flow, dir);
  const IpAddr& dst = dst_ip(flow, dir);
  if (!v4) {
    put32(h, 6u << 28 | (flow.flow_label & 0xfffff));
    put16(h + 4, uint16_t(l4_len));
    h[6] = proto;
    h[7] = ip.ttl;
    std::memcpy(h + 8, src.b.data(), 16);
    std::memcpy(h + 24, dst.b.data(), 16);
    return kEth + kIp6;
  }
  h[0] = 0x45;
  h[1] = 0;
  put16(h + 2, uint16_t(kIp4 + l4_len));
  put16(h + 4, ip.id);
  put16(h + 6, ip.df ? 0x4000 : 0);
  h[8] = ip.ttl;
  h[9] = proto;
  h[10] = h[11] = 0;
  std::memcpy(h + 12, src.b.data(), 4);
  std::memcpy(h + 16, dst.b.data(), 4);
  store_native(h + 10, fold_native(sum_native(h, kIp4, 0)));
  return kEth + kIp4;
}

// Fills the TCP/UDP checksum at sum_off over the pseudo-header (RFC 793 / RFC 8200 §8.1) and the segment.
void FrameBuilder::l4_checksum(const Flow& flow, size_t l4_off, size_t l4_len, uint8_t proto, size_t sum_off) {
  const uint8_t* ip = buf_.data() + kEth;
  uint8_t tail[8] = {};
  uint64_t acc;
  if (flow.client.ip.v4) {
    acc = sum_native(ip + 12, 8, 0);  // source and destination
    tail[1] = proto;
    put16(tail + 2, uint16_t(l4_len));
    acc = sum_native(tail, 4, acc);
  } else {
    acc = sum_native(ip + 8, 32, 0);
    put32(tail, uint32_t(l4_len));
    tail[7] = proto;
    acc = sum_native(tail, 8, acc);
  }
  uint8_t* l4 = buf_.data() + l4_off;
  l4[sum_off] = l4[sum_off + 1] = 0;
  uint16_t sum = fold_native(sum_native(l4, l4_len, acc));
  if (proto == kProtoUdp && sum == 0) sum = 0xffff;  // RFC 768: zero means "no checksum"
  store_native(l4 + sum_off, sum);
}

ByteView FrameBuilder::tcp(const Flow& flow, Dir dir, const IpFields& ip, const TcpSegment& seg) {
  uint8_t opts[40 + 4];
  size_t opt_len = write_options(opts, seg.options, seg.values);
  size_t payload = std::min(seg.payload.size(), kMaxFrame - kEth - kIp6 - kTcp - 40);
  size_t l4_len = kTcp + opt_len + payload;
  size_t off = ip_header(flow, dir, ip, kProtoTcp, l4_len);
  uint8_t* t = buf_.data() + off;
  put16(t, src_port(flow, dir));
  put16(t + 2, dst_port(flow, dir));
  put32(t + 4, seg.seq);
  put32(t + 8, seg.ack);
  t[12] = uint8_t((kTcp + opt_len) / 4 << 4);
  t[13] = seg.flags;
  put16(t + 14, seg.window);
  put16(t + 18, 0);  // urgent pointer
  std::memcpy(t + kTcp, opts, opt_len);
  if (payload) std::memcpy(t + kTcp + opt_len, seg.payload.data(), payload);
  l4_checksum(flow, off, l4_len, kProtoTcp, 16);
  return {buf_.data(), off + l4_len};
}

ByteView FrameBuilder::udp(const Flow& flow, Dir dir, const IpFields& ip, ByteView payload) {
  size_t len = std::min(payload.size(), size_t(65535 - kUdp));
  size_t l4_len = kUdp + len;
  size_t off = ip_header(flow, dir, ip, kProtoUdp, l4_len);
  uint8_t* u = buf_.data() + off;
  put16(u, src_port(flow, dir));
  put16(u + 2, dst_port(flow, dir));
  put16(u + 4, uint16_t(l4_len));
  if (len) std::memcpy(u + kUdp, payload.data(), len);
  l4_checksum(flow, off, l4_len, kProtoUdp, 6);
  return {buf_.data(), off + l4_len};
}

namespace {

constexpr int64_t kSegmentGapUs = 12;  // back-to-back segments of one write, as they arrive
constexpr int64_t kRtoUs = 200000;     // Linux's minimum retransmission timeout
constexpr int64_t kAppDelayUs = 250;   // the sensor's service preparing an answer
constexpr int64_t kClientGapUs = 20;   // the client's ACK and its first data leave together

using namespace tcpopt;
// Linux SYN-ACK option layouts (tcp_options_write order), indexed by sack | ts << 1 | ws << 2 of the SYN.
constexpr uint8_t kSa0[] = {mss};
constexpr uint8_t kSa1[] = {mss, nop, nop, sack_ok};
constexpr uint8_t kSa2[] = {mss, nop, nop, timestamp};
constexpr uint8_t kSa3[] = {mss, sack_ok, timestamp};
constexpr uint8_t kSa4[] = {mss, nop, wscale};
constexpr uint8_t kSa5[] = {mss, nop, wscale, nop, nop, sack_ok};
constexpr uint8_t kSa6[] = {mss, nop, nop, timestamp, nop, wscale};
constexpr uint8_t kSa7[] = {mss, sack_ok, timestamp, nop, wscale};
constexpr std::span<const uint8_t> kSynAck[] = {kSa0, kSa1, kSa2, kSa3, kSa4, kSa5, kSa6, kSa7};
constexpr uint8_t kTsOnly[] = {nop, nop, timestamp};

bool offers(std::span<const uint8_t> kinds, uint8_t kind) {
  return std::find(kinds.begin(), kinds.end(), kind) != kinds.end();
}

// Plays one TcpSession into a sink, keeping each side's sequence, ack, IP id and timestamp clock.
class TcpRun {
 public:
  TcpRun(const TcpSession& s, FrameBuilder& frames, PacketSink& sink) : s_(s), frames_(frames), sink_(sink) {
    auto kinds = s.client.syn_options;
    bool sack = offers(kinds, sack_ok), ts = offers(kinds, timestamp), ws = offers(kinds, wscale);
    synack_ = kSynAck[int(sack) | int(ts) << 1 | int(ws) << 2];
    ts_ = ts;
    client_ = {&s.client, s.client.isn, 0, s.client.ip_id, 0};
    server_ = {&s.server, s.server.isn, 0, s.server.ip_id, 0};
  }

  int64_t probe_us() const { return probe_us_; }

  uint64_t run() {
    int64_t t = s_.start_us;
    probe_us_ = t;  // the SYN, unless client data follows
    send_next(Dir::to_server, t, tcpflag::syn);
    t += s_.server_delay_us;
    if (!s_.port_open) {
      send(Dir::to_client, t, tcpflag::rst | tcpflag::ack, 0, {});  // Linux answers a closed port with seq 0
      return count_;
    }
    send_next(Dir::to_client, t, tcpflag::syn | tcpflag::ack);
    t += s_.rtt_us;
    if (s_.syn_only) {
      send(Dir::to_server, t, tcpflag::rst, client_.next_seq, {});
      return count_;
    }
    send_next(Dir::to_server, t, tcpflag::ack);
    if (!s_.server_greeting.empty())
      t = send_data(Dir::to_client, t + kAppDelayUs, s_.server_greeting) + s_.rtt_us;
    else
      t += kClientGapUs;
    bool answered = false;
    if (!s_.client_payload.empty()) {
      t = client_data(t);
      answered = !s_.server_payload.empty();
      if (answered) t = send_data(Dir::to_client, t + kAppDelayUs, s_.server_payload);
    }
    close(t + s_.rtt_us);
    return count_;
  }

 private:
  struct Side {
    const TcpStack* stack;
    uint32_t next_seq, rcv_next;
    uint16_t ip_id;
    uint32_t last_tsval;
  };

  Side& side(Dir d) { return d == Dir::to_server ? client_ : server_; }
  Side& peer(Dir d) { return d == Dir::to_server ? server_ : client_; }

  void send(Dir d, int64_t t, uint8_t flags, uint32_t seq, ByteView payload) {
    Side& me = side(d);
    Side& other = peer(d);
    bool syn = flags & tcpflag::syn, rst = flags & tcpflag::rst;
    TcpSegment seg;
    seg.seq = seq;
    seg.ack = flags & tcpflag::ack ? me.rcv_next : 0;
    seg.flags = flags;
    seg.window = rst ? 0 : syn ? me.stack->syn_window : me.stack->window;
    if (syn)
      seg.options = d == Dir::to_server ? s_.client.syn_options : synack_;
    else if (ts_ && !rst)
      seg.options = kTsOnly;
    uint32_t tsval = me.stack->tsval + uint32_t((t - s_.start_us) / 1000);
    seg.values = {me.stack->mss, me.stack->wscale, tsval, flags == tcpflag::syn ? 0 : other.last_tsval};
    me.last_tsval = tsval;
    seg.payload = payload;
    sink_.packet(t, frames_.tcp(s_.flow, d, {me.stack->ttl, me.stack->df, me.ip_id++}, seg));
    ++count_;
    uint32_t end = seq + uint32_t(payload.size()) + syn + bool(flags & tcpflag::fin);
    // A later segment may arrive before an earlier one; the receiver's ack only moves forward.
    if (syn || int32_t(end - other.rcv_next) > 0) other.rcv_next = end;
  }

  void send_next(Dir d, int64_t t, uint8_t flags, ByteView payload = {}) {
    Side& me = side(d);
    send(d, t, flags, me.next_seq, payload);
    me.next_seq += uint32_t(payload.size()) + bool(flags & tcpflag::syn) + bool(flags & tcpflag::fin);
  }

  size_t segment_size(Dir d) const {
    size_t mss = std::min(s_.client.mss, s_.server.mss);
    if (d == Dir::to_server && s_.segment_size) return s_.segment_size;
    return std::max<size_t>(mss, 1);
  }

  // Sends `data` as consecutive segments (PSH on the last); returns the time of the last one.
  int64_t send_data(Dir d, int64_t t, ByteView data) {
    size_t seg = segment_size(d);
    for (size_t off = 0; off < data.size(); off += seg, t += kSegmentGapUs) {
      size_t len = std::min(seg, data.size() - off);
      uint8_t flags = tcpflag::ack | (off + len == data.size() ? tcpflag::psh : 0);
      send_next(d, t, flags, data.subspan(off, len));
    }
    return t - kSegmentGapUs;
  }

  // The probe: segments in order except for the optional swap, the sensor's ACK, the optional
  // retransmission and its duplicate ACK. Returns the time the sensor has everything.
  int64_t client_data(int64_t t) {
    ByteView p = s_.client_payload;
    size_t seg = segment_size(Dir::to_server);
    size_t n = (p.size() + seg - 1) / seg;
    uint32_t base = client_.next_seq;
    bool first_sent = false;
    auto send_segment = [&](size_t i, int64_t at) {
      size_t off = i * seg, len = std::min(seg, p.size() - off);
      uint8_t flags = tcpflag::ack | (i + 1 == n ? tcpflag::psh : 0);
      send(Dir::to_server, at, flags, base + uint32_t(off), p.subspan(off, len));
      if (i == 0 && !first_sent) {  // the segment that starts the message; a retransmission comes later
        probe_us_ = at;
        first_sent = true;
      }
    };
    size_t swap = s_.reorder_segment >= 0 && size_t(s_.reorder_segment) + 1 < n ? size_t(s_.reorder_segment) : n;
    for (size_t k = 0; k < n; ++k, t += kSegmentGapUs) send_segment(k == swap ? k + 1 : k == swap + 1 ? swap : k, t);
    client_.next_seq = base + uint32_t(p.size());
    t += s_.server_delay_us - kSegmentGapUs;
    send_next(Dir::to_client, t, tcpflag::ack);
    if (s_.retransmit_segment >= 0 && size_t(s_.retransmit_segment) < n) {
      t += kRtoUs;
      send_segment(size_t(s_.retransmit_segment), t);
      t += s_.server_delay_us;
      send_next(Dir::to_client, t, tcpflag::ack);
    }
    return t;
  }

  void close(int64_t t) {
    switch (s_.close) {
      case TcpClose::fin:
        send_next(Dir::to_server, t, tcpflag::fin | tcpflag::ack);
        send_next(Dir::to_client, t + s_.server_delay_us, tcpflag::fin | tcpflag::ack);
        send_next(Dir::to_server, t + s_.server_delay_us + s_.rtt_us, tcpflag::ack);
        break;
      case TcpClose::client_rst:
        send_next(Dir::to_server, t, tcpflag::rst | tcpflag::ack);
        break;
      case TcpClose::server_rst:
        send_next(Dir::to_client, t - s_.rtt_us + s_.server_delay_us, tcpflag::rst | tcpflag::ack);
        break;
      case TcpClose::none:
        break;
    }
  }

  const TcpSession& s_;
  FrameBuilder& frames_;
  PacketSink& sink_;
  std::span<const uint8_t> synack_;
  bool ts_ = false;
  Side client_{}, server_{};
  uint64_t count_ = 0;
  int64_t probe_us_ = 0;
};

}  // namespace

uint64_t SessionWriter::write(const TcpSession& s, PacketSink& sink) {
  TcpRun run(s, frames_, sink);
  uint64_t n = run.run();
  probe_us_ = run.probe_us();
  return n;
}

uint64_t SessionWriter::write(const UdpExchange& x, PacketSink& sink) {
  probe_us_ = x.start_us;
  sink.packet(x.start_us, frames_.udp(x.flow, Dir::to_server, x.client_ip, x.query));
  if (x.answer.empty()) return 1;
  sink.packet(x.start_us + x.server_delay_us, frames_.udp(x.flow, Dir::to_client, x.server_ip, x.answer));
  return 2;
}

}  // namespace sg::simulate
