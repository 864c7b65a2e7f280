// Frames and whole sessions from the simulator's wire builders: valid lengths and checksums, what the capture
// stage decodes, sequence numbers across retransmission and reordering.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "probe/dns.h"
#include "simulate/payloads.h"
#include "simulate/profiles.h"
#include "simulate/wire.h"

#include "simulate/sim_frames.h"

using namespace simtest;
namespace fs = std::filesystem;

TEST(Wire, TcpFrameV4WithLinuxOptions) {
  FrameBuilder fb;
  TcpSegment seg;
  seg.seq = 0x01020304;
  seg.flags = tcpflag::syn;
  seg.window = 64240;
  seg.options = kLinuxSyn;
  seg.values = {1460, 7, 0x11223344, 0};
  Bytes f = Bytes(std::begin(fb.tcp(v4_flow(), Dir::to_server, {50, true, 0x4242}, seg)),
                  std::end(fb.tcp(v4_flow(), Dir::to_server, {50, true, 0x4242}, seg)));
  expect_checksums_ok(f);
  Packet p = decode(f);
  EXPECT_EQ(to_string(p.src), "198.51.100.20");
  EXPECT_EQ(to_string(p.dst), "192.0.2.10");
  EXPECT_EQ(p.sport, 40000);
  EXPECT_EQ(p.dport, 443);
  EXPECT_EQ(p.ttl, 50);
  EXPECT_TRUE(p.df);
  EXPECT_EQ(p.seq, 0x01020304u);
  EXPECT_EQ(p.tcp_flags, tcpflag::syn);
  EXPECT_EQ(p.window, 64240);
  EXPECT_EQ(p.ip_len, 60);
  Bytes opts(p.tcp_options.begin(), p.tcp_options.end());
  EXPECT_EQ(opts, (Bytes{2, 4, 0x05, 0xb4, 4, 2, 8, 10, 0x11, 0x22, 0x33, 0x44, 0, 0, 0, 0, 1, 3, 3, 7}));
}

TEST(Wire, OptionsArePaddedWithEol) {
  FrameBuilder fb;
  TcpSegment seg;
  seg.flags = tcpflag::syn;
  static constexpr uint8_t kinds[] = {tcpopt::mss, tcpopt::nop, tcpopt::wscale};
  seg.options = kinds;
  seg.values.wscale = 8;
  ByteView v = fb.tcp(v4_flow(), Dir::to_server, {}, seg);
  Bytes f(v.begin(), v.end());
  expect_checksums_ok(f);
  Packet p = decode(f);
  EXPECT_EQ(Bytes(p.tcp_options.begin(), p.tcp_options.end()), (Bytes{2, 4, 0x05, 0xb4, 1, 3, 3, 8}));
}

TEST(Wire, TcpFrameV6WithPayload) {
  FrameBuilder fb;
  TcpSegment seg;
  seg.seq = 100;
  seg.ack = 200;
  seg.flags = tcpflag::ack | tcpflag::psh;
  seg.window = 502;
  Bytes payload = {'G', 'E', 'T', ' ', '/', '\r', '\n'};  // odd length on purpose
  seg.payload = payload;
  ByteView v = fb.tcp(v6_flow(), Dir::to_client, {64, true, 0}, seg);
  Bytes f(v.begin(), v.end());
  expect_checksums_ok(f);
  Packet p = decode(f);
  EXPECT_EQ(to_string(p.src), "2001:db8::10");  // to_client: the server sends
  EXPECT_EQ(to_string(p.dst), "2001:db8:100::5");
  EXPECT_EQ(p.sport, 80);
  EXPECT_EQ(p.ack, 200u);
  EXPECT_EQ(Bytes(p.payload.begin(), p.payload.end()), payload);
  EXPECT_EQ(f[14 + 1] & 0x0f, 0x01);  // flow label high bits
}

TEST(Wire, UdpFramesBothFamilies) {
  FrameBuilder fb;
  Bytes payload(37, 0xab);
  for (Flow flow : {v4_flow(), v6_flow()}) {
    ByteView v = fb.udp(flow, Dir::to_server, {60, false, 9}, payload);
    Bytes f(v.begin(), v.end());
    expect_checksums_ok(f);
    Packet p = decode(f);
    EXPECT_EQ(p.proto, 17);
    EXPECT_EQ(Bytes(p.payload.begin(), p.payload.end()), payload);
  }
}

TEST(Wire, InternetChecksumKnownValue) {
  // RFC 1071 §3 example: the sum of these words is 0xddf2, the checksum its complement.
  Bytes b = {0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7};
  EXPECT_EQ(internet_checksum(b), uint16_t(~0xddf2));
}

// ---- sessions ----

namespace {

TcpSession sample_session(ByteView client, ByteView server) {
  TcpSession s;
  s.flow = v4_flow();
  s.start_us = 1000000;
  s.rtt_us = 30000;
  s.client = linux_stack(10, false);
  s.client.isn = 0xfffffff0;  // wraps during the session
  s.client.tsval = 1000;
  s.server = sensor_stack(false);
  s.server.isn = 5000;
  s.client_payload = client;
  s.server_payload = server;
  return s;
}

// Client payload bytes put back in sequence order (what the session tracker will do).
Bytes reassemble_client(const std::vector<Frame>& frames, uint32_t isn) {
  std::map<uint32_t, Bytes> by_offset;
  for (const auto& f : frames) {
    Packet p = decode(f.data);
    if (p.sport == 40000 && !p.payload.empty()) by_offset[p.seq - isn - 1] = Bytes(p.payload.begin(), p.payload.end());
  }
  Bytes out;
  for (const auto& [off, data] : by_offset) {
    if (off > out.size()) break;
    out.resize(off);
    out.insert(out.end(), data.begin(), data.end());
  }
  return out;
}

}  // namespace

TEST(Session, FullExchangeWithFin) {
  HttpRequest r;
  r.headers = {{"Host", "192.0.2.10"}};
  Bytes client = build_http_request(r), server = build_http_response(200, "OK", {}, "hi");
  TcpSession s = sample_session(client, server);
  VectorSink sink;
  SessionWriter w;
  uint64_t n = w.write(s, sink);
  ASSERT_EQ(n, sink.frames.size());
  // SYN, SYN-ACK, ACK, request, ACK, answer, FIN, FIN, ACK
  ASSERT_EQ(n, 9u);
  std::vector<uint8_t> flags;
  for (const auto& f : sink.frames) {
    expect_checksums_ok(f.data);
    flags.push_back(decode(f.data).tcp_flags);
  }
  using namespace tcpflag;
  EXPECT_EQ(flags, (std::vector<uint8_t>{syn, syn | ack, ack, ack | psh, ack, ack | psh, fin | ack, fin | ack, ack}));
  for (size_t i = 1; i < n; ++i) EXPECT_LE(sink.frames[i - 1].ts_us, sink.frames[i].ts_us);
  Packet synack = decode(sink.frames[1].data);
  EXPECT_EQ(synack.ack, s.client.isn + 1);
  EXPECT_EQ(synack.seq, 5000u);
  // The sensor mirrors what the client offered, in Linux's layout.
  EXPECT_EQ(Bytes(synack.tcp_options.begin(), synack.tcp_options.end()).size(), 20u);
  Packet req = decode(sink.frames[3].data);
  EXPECT_EQ(req.seq, s.client.isn + 1);
  EXPECT_EQ(req.ack, 5001u);
  EXPECT_EQ(Bytes(req.payload.begin(), req.payload.end()), client);
  EXPECT_EQ(decode(sink.frames[4].data).ack, s.client.isn + 1 + uint32_t(client.size()));
  Packet last = decode(sink.frames[8].data);
  EXPECT_EQ(last.seq, s.client.isn + 2 + uint32_t(client.size()));
  EXPECT_EQ(last.ack, 5000u + 2 + uint32_t(server.size()));
  // Timestamps: the SYN-ACK's TSecr echoes the SYN's TSval (the client clock started at 1000).
  auto be32 = [](ByteView b, size_t i) {
    return uint32_t(b[i]) << 24 | uint32_t(b[i + 1]) << 16 | uint32_t(b[i + 2]) << 8 | b[i + 3];
  };
  EXPECT_EQ(be32(synack.tcp_options, 12), 1000u);
  Packet ack = decode(sink.frames[2].data);
  ASSERT_EQ(ack.tcp_options.size(), 12u);  // NOP, NOP, TS
  EXPECT_EQ(be32(ack.tcp_options, 8), be32(synack.tcp_options, 8));
}

TEST(Session, SegmentsRetransmissionAndReordering) {
  Bytes client(1000);
  for (size_t i = 0; i < client.size(); ++i) client[i] = uint8_t(i * 7);
  TcpSession s = sample_session(client, {});
  s.segment_size = 100;
  s.retransmit_segment = 3;
  s.reorder_segment = 5;
  s.close = TcpClose::client_rst;
  VectorSink sink;
  SessionWriter w;
  w.write(s, sink);
  std::vector<uint32_t> seqs;
  for (const auto& f : sink.frames) {
    Packet p = decode(f.data);
    if (p.sport == 40000 && !p.payload.empty()) seqs.push_back(p.seq - s.client.isn - 1);
  }
  EXPECT_EQ(seqs, (std::vector<uint32_t>{0, 100, 200, 300, 400, 600, 500, 700, 800, 900, 300}));
  EXPECT_EQ(reassemble_client(sink.frames, s.client.isn), client);
  EXPECT_EQ(decode(sink.frames.back().data).tcp_flags, tcpflag::rst | tcpflag::ack);
}

TEST(Session, SynOnlyAndClosedPort) {
  TcpSession s = sample_session({}, {});
  s.client = masscan_stack(10);
  s.syn_only = true;
  VectorSink sink;
  SessionWriter w;
  EXPECT_EQ(w.write(s, sink), 3u);
  EXPECT_EQ(decode(sink.frames[2].data).tcp_flags, tcpflag::rst);
  EXPECT_EQ(Bytes(decode(sink.frames[1].data).tcp_options.begin(), decode(sink.frames[1].data).tcp_options.end()),
            (Bytes{2, 4, 0x05, 0xb4}));
  s.port_open = false;
  VectorSink closed;
  EXPECT_EQ(w.write(s, closed), 2u);
  Packet rst = decode(closed.frames[1].data);
  EXPECT_EQ(rst.tcp_flags, tcpflag::rst | tcpflag::ack);
  EXPECT_EQ(rst.ack, s.client.isn + 1);
}

TEST(Session, ServerGreetingComesFirst) {
  Bytes banner = build_ssh_hello("SSH-2.0-OpenSSH_9.2p1", std::nullopt);
  Bytes client = build_ssh_hello("SSH-2.0-Go", go_ssh_kexinit());
  TcpSession s = sample_session(client, {});
  s.server_greeting = banner;
  VectorSink sink;
  SessionWriter w;
  w.write(s, sink);
  Packet first_data = decode(sink.frames[3].data);
  EXPECT_EQ(first_data.sport, 443);  // from the server
  EXPECT_EQ(Bytes(first_data.payload.begin(), first_data.payload.end()), banner);
  EXPECT_EQ(reassemble_client(sink.frames, s.client.isn), client);
}

TEST(Session, UdpExchange) {
  DnsQuery q;
  q.qname = "example.com";
  Bytes query = build_dns_query(q), answer = build_dns_response(q, 3, {});
  UdpExchange x;
  x.flow = v6_flow();
  x.query = query;
  x.answer = answer;
  VectorSink sink;
  SessionWriter w;
  ASSERT_EQ(w.write(x, sink), 2u);
  for (const auto& f : sink.frames) expect_checksums_ok(f.data);
  Packet p = decode(sink.frames[0].data);
  DnsProbe d;
  ASSERT_TRUE(parse_dns_query(p.payload, d).ok());
  EXPECT_EQ(d.qname, "example.com");
}
