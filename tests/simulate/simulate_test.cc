// The simulator's builders must produce what the project's own parsers read back, with valid lengths and
// checksums, and its scenarios must be deterministic and exact in size.
#include <gtest/gtest.h>
#include <pcap/pcap.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <string>
#include <vector>

#include "capture/packet.h"
#include "probe/dns.h"
#include "probe/http.h"
#include "probe/rdp.h"
#include "probe/ssh.h"
#include "probe/tls.h"
#include "simulate/payloads.h"
#include "simulate/pcap_writer.h"
#include "simulate/profiles.h"
#include "simulate/scenario.h"
#include "simulate/wire.h"
#include "support/temp_dir.h"

namespace fs = std::filesystem;
using namespace sg;
using namespace sg::sim;

namespace {

using sgtest::read_file;

struct TempDir : sgtest::TempDir {
  TempDir() : sgtest::TempDir("sg_simulate") {}
};

// A fresh directory per test, removed afterwards.
struct Frame {
  int64_t ts_us;
  Bytes data;
};

class VectorSink : public PacketSink {
 public:
  void packet(int64_t ts_us, ByteView frame) override { frames.push_back({ts_us, Bytes(frame.begin(), frame.end())}); }
  std::vector<Frame> frames;
};

std::vector<Frame> read_pcap(const std::string& path, int* linktype = nullptr) {
  char err[PCAP_ERRBUF_SIZE];
  pcap_t* p = pcap_open_offline(path.c_str(), err);
  EXPECT_NE(p, nullptr) << err;
  std::vector<Frame> out;
  if (!p) return out;
  if (linktype) *linktype = pcap_datalink(p);
  pcap_pkthdr* h;
  const u_char* data;
  while (pcap_next_ex(p, &h, &data) == 1)
    out.push_back({int64_t(h->ts.tv_sec) * 1000000 + h->ts.tv_usec, Bytes(data, data + h->caplen)});
  pcap_close(p);
  return out;
}

// Independent of the builder's implementation: a plain big-endian word sum.
uint16_t ones_sum(const Bytes& b) {
  uint32_t sum = 0;
  for (size_t i = 0; i < b.size(); i += 2) sum += uint32_t(b[i] << 8 | (i + 1 < b.size() ? b[i + 1] : 0));
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return uint16_t(sum);
}

// Checks the IPv4 header checksum and the TCP/UDP checksum of an Ethernet frame.
void expect_checksums_ok(const Bytes& f) {
  ASSERT_GE(f.size(), 14u);
  bool v4 = f[12] == 0x08 && f[13] == 0x00;
  size_t ip = 14, l4 = v4 ? ip + 20 : ip + 40;
  Bytes pseudo;
  uint8_t proto;
  size_t l4_len;
  if (v4) {
    EXPECT_EQ(ones_sum(Bytes(f.begin() + ip, f.begin() + ip + 20)), 0xffff) << "IPv4 header checksum";
    proto = f[ip + 9];
    l4_len = size_t(f[ip + 2] << 8 | f[ip + 3]) - 20;
    pseudo.assign(f.begin() + ip + 12, f.begin() + ip + 20);
    pseudo.insert(pseudo.end(), {0, proto, uint8_t(l4_len >> 8), uint8_t(l4_len)});
  } else {
    proto = f[ip + 6];
    l4_len = size_t(f[ip + 4] << 8 | f[ip + 5]);
    pseudo.assign(f.begin() + ip + 8, f.begin() + ip + 40);
    pseudo.insert(pseudo.end(), {0, 0, uint8_t(l4_len >> 8), uint8_t(l4_len), 0, 0, 0, proto});
  }
  ASSERT_EQ(f.size(), l4 + l4_len) << "frame length matches the IP length";
  Bytes all = pseudo;
  all.insert(all.end(), f.begin() + long(l4), f.end());
  EXPECT_EQ(ones_sum(all), 0xffff) << (proto == 6 ? "TCP" : "UDP") << " checksum";
}

Packet decode(const Bytes& f) {
  Packet p;
  const char* err = decode_packet(DLT_EN10MB, f, p);
  EXPECT_EQ(err, nullptr) << err;
  return p;
}

IpAddr addr(const char* s) {
  IpAddr a;
  EXPECT_TRUE(parse_ip(s, a));
  return a;
}

Flow v4_flow() { return {{addr("198.51.100.20"), 40000}, {addr("192.0.2.10"), 443}, 0}; }
Flow v6_flow() { return {{addr("2001:db8:100::5"), 40001}, {addr("2001:db8::10"), 80}, 0x12345}; }

}  // namespace

// ---- payload builders against the project's parsers ----

TEST(Payloads, HttpRequestParses) {
  HttpRequest r;
  r.method = "POST";
  r.uri = "/api/v1/ping?x=1";
  r.headers = {{"Host", "192.0.2.10:8080"}, {"User-Agent", "Mozilla/5.0 zgrab/0.x"},
               {"X-Lower", "keep Case"}, {"Content-Length", "10"}};
  r.body = "{\"ping\":1}";
  Bytes b = build_http_request(r);
  EXPECT_EQ(http_state(b), MessageState::complete);
  HttpProbe h;
  ASSERT_TRUE(parse_http_request(b, h).ok());
  EXPECT_EQ(h.method, "POST");
  EXPECT_EQ(h.uri, "/api/v1/ping?x=1");
  EXPECT_EQ(h.version, "HTTP/1.1");
  EXPECT_EQ(h.headers, r.headers);
  EXPECT_EQ(h.user_agent, "Mozilla/5.0 zgrab/0.x");
  EXPECT_EQ(h.host, "192.0.2.10:8080");
  EXPECT_EQ(h.body_length, 10u);
}

TEST(Payloads, Http09RequestLine) {
  HttpRequest r;
  r.version = "";
  Bytes b = build_http_request(r);
  EXPECT_EQ(std::string(b.begin(), b.end()), "GET /\r\n");
  HttpProbe h;
  ASSERT_TRUE(parse_http_request(b, h).ok());
  EXPECT_EQ(h.uri, "/");
  EXPECT_EQ(h.version, "");
}

TEST(Payloads, GoClientHelloParses) {
  ClientHello c = go_client_hello();
  for (size_t i = 0; i < 32; ++i) c.random[i] = uint8_t(0xa0 + i);
  c.session_id = Bytes(32, 0x5a);
  c.server_name = "scan.example.net";
  c.alpn = {"h2", "http/1.1"};
  Bytes b = build_client_hello(c);
  EXPECT_EQ(tls_state(b), MessageState::complete);
  TlsProbe t;
  ASSERT_TRUE(parse_tls_client_hello(b, t).ok()) << parse_tls_client_hello(b, t).error;
  EXPECT_EQ(t.record_version, 0x0301);
  EXPECT_EQ(t.version, 0x0303);
  EXPECT_EQ(t.random, Bytes(c.random.begin(), c.random.end()));
  EXPECT_EQ(t.gmt_unix_time, 0xa0a1a2a3u);
  EXPECT_EQ(t.session_id, c.session_id);
  EXPECT_EQ(t.ciphers, c.ciphers);
  EXPECT_EQ(t.compression_methods, Bytes{0});
  EXPECT_EQ(t.extensions, c.extensions);
  EXPECT_EQ(t.sni, "scan.example.net");
  EXPECT_EQ(t.alpn, c.alpn);
  EXPECT_EQ(t.supported_groups, c.supported_groups);
  EXPECT_EQ(t.ec_point_formats, Bytes{0});
  EXPECT_EQ(t.signature_algorithms, c.signature_algorithms);
  EXPECT_EQ(t.supported_versions, c.supported_versions);
  EXPECT_FALSE(t.ja3_hash.empty());
  EXPECT_EQ(t.ja4.substr(0, 10), "t13d1912h2");  // TCP, TLS 1.3, SNI, 19 ciphers, 12 extensions, h2
}

TEST(Payloads, ClientHelloWithoutSniOrAlpnLeavesThoseExtensionsOut) {
  ClientHello c = go_client_hello();
  Bytes b = build_client_hello(c);
  TlsProbe t;
  ASSERT_TRUE(parse_tls_client_hello(b, t).ok());
  EXPECT_FALSE(t.sni);
  EXPECT_TRUE(t.alpn.empty());
  EXPECT_EQ(std::count(t.extensions.begin(), t.extensions.end(), tlsext::server_name), 0);
  EXPECT_EQ(std::count(t.extensions.begin(), t.extensions.end(), tlsext::alpn), 0);
  EXPECT_EQ(t.extensions.size(), c.extensions.size() - 2);
}

TEST(Payloads, GreaseClientHelloParses) {
  ClientHello c = chrome_client_hello();
  for (size_t i = 0; i < 32; ++i) c.random[i] = uint8_t(i * 37);
  c.server_name = "www.example.com";
  c.padding_length = 100;
  Bytes b = build_client_hello(c);
  TlsProbe t;
  ASSERT_TRUE(parse_tls_client_hello(b, t).ok()) << parse_tls_client_hello(b, t).error;
  ASSERT_EQ(t.ciphers.size(), c.ciphers.size() + 1);
  EXPECT_TRUE(is_grease(t.ciphers[0]));
  EXPECT_TRUE(std::equal(c.ciphers.begin(), c.ciphers.end(), t.ciphers.begin() + 1));
  ASSERT_EQ(t.extensions.size(), c.extensions.size() + 2);
  EXPECT_TRUE(is_grease(t.extensions.front()));
  EXPECT_TRUE(is_grease(t.extensions.back()));
  EXPECT_NE(t.extensions.front(), t.extensions.back());
  EXPECT_TRUE(std::equal(c.extensions.begin(), c.extensions.end(), t.extensions.begin() + 1));
  ASSERT_FALSE(t.supported_groups.empty());
  EXPECT_TRUE(is_grease(t.supported_groups[0]));
  EXPECT_TRUE(is_grease(t.supported_versions[0]));
  EXPECT_EQ(t.sni, "www.example.com");
  EXPECT_EQ(t.alpn, (std::vector<std::string>{"h2", "http/1.1"}));
  // JA3 drops GREASE: the cipher field starts with the first real suite.
  EXPECT_EQ(t.ja3.substr(0, 10), "771,4865-4");
}

TEST(Payloads, ClientHelloAcrossRecords) {
  ClientHello c = openssl_client_hello();
  c.key_share = {0x11ec, 0x001d};  // a post-quantum share makes the hello big
  c.max_record = 300;
  c.server_name = "big.example.org";
  Bytes b = build_client_hello(c);
  EXPECT_GT(b.size(), 1500u);
  EXPECT_EQ(b[300 + 5], 0x16);  // the second record header
  TlsProbe t;
  ASSERT_TRUE(parse_tls_client_hello(b, t).ok()) << parse_tls_client_hello(b, t).error;
  EXPECT_EQ(t.extensions, c.extensions);
  EXPECT_EQ(t.ciphers, c.ciphers);
}

TEST(Payloads, Sslv3HelloWithoutExtensions) {
  Bytes b = build_client_hello(sslv3_client_hello());
  TlsProbe t;
  ASSERT_TRUE(parse_tls_client_hello(b, t).ok()) << parse_tls_client_hello(b, t).error;
  EXPECT_EQ(t.record_version, 0x0300);
  EXPECT_EQ(t.version, 0x0300);
  EXPECT_TRUE(t.extensions.empty());
  EXPECT_EQ(t.ciphers.size(), 21u);
}

TEST(Payloads, DnsQueryParses) {
  DnsQuery q;
  q.id = 0xbeef;
  q.flags = 0x0120;  // RD, AD
  q.qname = "a1b2c3.census.example.net";
  q.qtype = 28;
  q.edns = EdnsSpec{4096, true, {{10, Bytes(8, 0x42)}}};
  Bytes b = build_dns_query(q);
  DnsProbe d;
  ASSERT_TRUE(parse_dns_query(b, d).ok());
  EXPECT_EQ(d.id, 0xbeef);
  EXPECT_EQ(d.flags, 0x0120);
  EXPECT_TRUE(d.rd);
  EXPECT_TRUE(d.ad);
  EXPECT_FALSE(d.qr);
  EXPECT_EQ(d.qdcount, 1);
  EXPECT_EQ(d.arcount, 1);
  EXPECT_EQ(d.qname, "a1b2c3.census.example.net");
  EXPECT_EQ(d.qtype, 28);
  EXPECT_EQ(d.qclass, 1);
  ASSERT_TRUE(d.edns);
  EXPECT_EQ(d.edns->udp_size, 4096);
  EXPECT_TRUE(d.edns->do_bit);
  EXPECT_EQ(d.edns->options, std::vector<uint16_t>{10});
}

TEST(Payloads, DnsVersionBindOverTcp) {
  DnsQuery q;
  q.id = 7;
  q.flags = 0;
  q.qname = "version.bind";
  q.qtype = 16;
  q.qclass = 3;
  Bytes b = build_dns_tcp_query(q);
  EXPECT_EQ(size_t(b[0] << 8 | b[1]), b.size() - 2);
  EXPECT_EQ(dns_tcp_state(b), MessageState::complete);
  DnsProbe d;
  ASSERT_TRUE(parse_dns_tcp_query(b, d).ok());
  EXPECT_EQ(d.qname, "version.bind");
  EXPECT_EQ(d.qtype, 16);
  EXPECT_EQ(d.qclass, 3);
  EXPECT_FALSE(d.edns);
  // The answer is a response (QR set), so the query analyzer refuses it.
  Bytes answer = build_dns_response(q, 0, dns_txt_rdata("9.18"));
  EXPECT_EQ(answer[2] & 0x80, 0x80);
  EXPECT_NE(dns_match(answer), Match::yes);
}

TEST(Payloads, SshHelloParses) {
  SshKexInit k = go_ssh_kexinit();
  k.cookie.fill(0x33);
  Bytes b = build_ssh_hello("SSH-2.0-Go", k);
  EXPECT_EQ(ssh_state(b), MessageState::complete);
  SshProbe s;
  ASSERT_TRUE(parse_ssh(b, s).ok()) << parse_ssh(b, s).error;
  EXPECT_EQ(s.banner, "SSH-2.0-Go");
  ASSERT_TRUE(s.kexinit);
  EXPECT_EQ(s.kex_algorithms, k.kex_algorithms);
  EXPECT_EQ(s.host_key_algorithms, k.host_key_algorithms);
  EXPECT_EQ(s.encryption_c2s, k.encryption_c2s);
  EXPECT_EQ(s.mac_s2c, k.mac_s2c);
  EXPECT_EQ(s.compression_c2s, std::vector<std::string>{"none"});
  EXPECT_EQ(s.hassh.size(), 32u);
  // RFC 4253 §6: padding of 4..255 bytes and a packet that is a multiple of 8 bytes.
  size_t packet = b.size() - std::string("SSH-2.0-Go\r\n").size();
  EXPECT_EQ(packet % 8, 0u);
  uint8_t padding = b[12 + 4];
  EXPECT_GE(padding, 4);
}

TEST(Payloads, SshBannerOnly) {
  Bytes b = build_ssh_hello("SSH-2.0-libssh_0.9.6", std::nullopt);
  SshProbe s;
  ASSERT_TRUE(parse_ssh(b, s).ok());
  EXPECT_EQ(s.banner, "SSH-2.0-libssh_0.9.6");
  EXPECT_FALSE(s.kexinit);
}

TEST(Payloads, RdpConnectionRequestParses) {
  RdpConnectionRequest r;
  r.cookie = "Administr";
  r.requested_protocols = 0x0b;
  Bytes b = build_rdp_connection_request(r);
  EXPECT_EQ(size_t(b[2] << 8 | b[3]), b.size());
  EXPECT_EQ(size_t(b[4]) + 5, b.size());  // LI counts everything after itself
  EXPECT_EQ(rdp_state(b), MessageState::complete);
  RdpProbe p;
  ASSERT_TRUE(parse_rdp(b, p).ok());
  EXPECT_EQ(p.cookie, "Administr");
  EXPECT_EQ(p.requested_protocols, 0x0bu);
  EXPECT_FALSE(p.routing_token);

  RdpConnectionRequest token;
  token.routing_token = "Cookie: msts=3640205228.15629.0000";
  ASSERT_TRUE(parse_rdp(build_rdp_connection_request(token), p).ok());
  EXPECT_EQ(p.routing_token, "Cookie: msts=3640205228.15629.0000");
  EXPECT_FALSE(p.requested_protocols);
}

// ---- frames ----

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

// ---- pcap writer ----

TEST(PcapWriterTest, WritesAtomicallyAndReadsBack) {
  TempDir dir;
  std::string path = dir.file("x.pcap");
  FrameBuilder fb;
  {
    PcapWriter w(path);
    TcpSegment seg;
    seg.flags = tcpflag::syn;
    w.write(1736121600123456, fb.tcp(v4_flow(), Dir::to_server, {}, seg));
    w.write(1736121601000001, fb.tcp(v4_flow(), Dir::to_client, {}, seg));
    EXPECT_FALSE(fs::exists(path)) << "not visible before close()";
    w.close();
    EXPECT_EQ(w.bytes(), fs::file_size(path));
  }
  int linktype = 0;
  auto frames = read_pcap(path, &linktype);
  EXPECT_EQ(linktype, DLT_EN10MB);
  ASSERT_EQ(frames.size(), 2u);
  EXPECT_EQ(frames[0].ts_us, 1736121600123456);
  EXPECT_EQ(frames[1].ts_us, 1736121601000001);
  EXPECT_EQ(std::distance(fs::directory_iterator(dir.path()), fs::directory_iterator{}), 1);
}

TEST(PcapWriterTest, AbandonedWriterLeavesNothing) {
  TempDir dir;
  std::string path = dir.file("y.pcap");
  { PcapWriter w(path); }
  EXPECT_FALSE(fs::exists(path));
  EXPECT_TRUE(fs::is_empty(dir.path()));
  EXPECT_THROW(PcapWriter(dir.file("missing/z.pcap")), std::runtime_error);
}

// ---- scenarios ----

SimulateOptions opts(const std::string& scenario, const std::string& out, uint64_t seed, uint64_t packets = 0) {
  SimulateOptions o;
  o.scenario = scenario;
  o.out = out;
  o.seed = seed;
  o.packets = packets;
  return o;
}

TEST(Scenario, DemoIsDeterministicPerSeed) {
  TempDir dir;
  SimulateResult a = simulate(opts("demo", dir.file("a.pcap"), 7));
  SimulateResult b = simulate(opts("demo", dir.file("b.pcap"), 7));
  SimulateResult c = simulate(opts("demo", dir.file("c.pcap"), 8));
  EXPECT_EQ(read_file(dir.file("a.pcap")), read_file(dir.file("b.pcap")));
  EXPECT_NE(read_file(dir.file("a.pcap")), read_file(dir.file("c.pcap")));
  EXPECT_EQ(a.packets, b.packets);
  EXPECT_EQ(a.bytes, fs::file_size(dir.file("a.pcap")));
  EXPECT_GE(a.sessions, 2000u);
  EXPECT_LE(a.sessions, 10000u);
  for (const char* service : {"http", "tls", "dns", "ssh", "syn"})
    EXPECT_GT(a.sessions_by_service[service], 20u) << service;
  uint64_t sum = 0;
  for (const auto& [k, v] : a.sessions_by_service) sum += v;
  EXPECT_EQ(sum, a.sessions);
}

TEST(Scenario, DemoFramesAreValidAndTimeOrdered) {
  TempDir dir;
  SimulateResult r = simulate(opts("demo", dir.file("demo.pcap"), 1));
  auto frames = read_pcap(dir.file("demo.pcap"));
  ASSERT_EQ(frames.size(), r.packets);
  EXPECT_GE(frames.front().ts_us, kDemoStartUs);
  EXPECT_LT(frames.back().ts_us, kDemoStartUs + int64_t(kDemoDays + 1) * 86400 * 1000000);
  size_t v6 = 0, dns_ok = 0, http_3389 = 0;
  std::map<std::string, size_t> sensors;
  for (size_t i = 0; i < frames.size(); ++i) {
    if (i) {
      ASSERT_LE(frames[i - 1].ts_us, frames[i].ts_us);
    }
    expect_checksums_ok(frames[i].data);
    Packet p = decode(frames[i].data);
    v6 += !p.src.v4;
    DnsProbe d;
    if (p.proto == 17 && p.dport == 53 && parse_dns_query(p.payload, d).ok()) {
      ++dns_ok;
      ++sensors[to_string(p.dst)];
    }
    HttpProbe h;
    if (p.dport == 3389 && http_match(p.payload) == Match::yes) ++http_3389;
    if (::testing::Test::HasFailure()) return;
  }
  EXPECT_GT(v6, 100u);
  EXPECT_GT(dns_ok, 100u);
  EXPECT_GE(sensors.size(), 8u) << "queries reach every IPv4 sensor";
  EXPECT_GT(http_3389, 5u) << "HTTP on a non-standard port";
}

TEST(Scenario, DemoIntoDirectoryWritesOneFilePerDayAndLabels) {
  TempDir dir;
  std::string out = dir.file("days") + "/";
  SimulateResult r = simulate(opts("demo", out, 1));
  ASSERT_GE(r.files.size(), size_t(kDemoDays));
  EXPECT_EQ(fs::path(r.files.front()).filename(), "2025-01-06.pcap");
  EXPECT_EQ(fs::path(r.files[kDemoDays - 1]).filename(), "2025-01-26.pcap");
  uint64_t packets = 0, bytes = 0;
  for (const auto& f : r.files) {
    packets += read_pcap(f).size();
    bytes += fs::file_size(f);
  }
  EXPECT_EQ(packets, r.packets);
  EXPECT_EQ(bytes, r.bytes);
  EXPECT_EQ(read_file(out + "labels.tsv"), demo_labels_tsv());
  EXPECT_EQ(r.sensor_nets, (std::vector<std::string>{"192.0.2.0/28", "2001:db8::/124"}));
  // Same content as the single-file run.
  SimulateResult single = simulate(opts("demo", dir.file("one.pcap"), 1));
  EXPECT_EQ(single.packets, r.packets);
}

TEST(Scenario, ScaleWritesExactlyN) {
  TempDir dir;
  for (uint64_t n : {1ull, 37ull, 100000ull}) {
    std::string path = dir.file("scale" + std::to_string(n) + ".pcap");
    SimulateResult r = simulate(opts("scale", path, 3, n));
    EXPECT_EQ(r.packets, n);
    auto frames = read_pcap(path);
    ASSERT_EQ(frames.size(), n);
    for (size_t i = 1; i < frames.size(); ++i) ASSERT_LE(frames[i - 1].ts_us, frames[i].ts_us);
    for (size_t i = 0; i < frames.size(); i += 97) expect_checksums_ok(frames[i].data);
  }
  SimulateResult r = simulate(opts("scale", dir.file("x.pcap"), 3, 100000));
  EXPECT_GT(r.sessions, 5000u);
  EXPECT_GE(r.sessions_by_service.size(), 6u);
}

TEST(Scenario, RejectsBadOptions) {
  TempDir dir;
  EXPECT_THROW(simulate(opts("nope", dir.file("a.pcap"), 1)), std::invalid_argument);
  EXPECT_THROW(simulate(opts("demo", "", 1)), std::invalid_argument);
  EXPECT_THROW(simulate(opts("demo", dir.file("a.pcap"), 1, 5)), std::invalid_argument);
  EXPECT_THROW(simulate(opts("replay", dir.file("a.pcap"), 1)), std::invalid_argument) << "replay without a skeleton";
  SimulateOptions o = opts("demo", dir.file("a.pcap"), 1);
  o.skeleton = dir.file("s.tsv");
  EXPECT_THROW(simulate(o), std::invalid_argument) << "a skeleton outside replay";
  EXPECT_THROW(simulate(opts("scale", dir.file("no/such/dir.pcap"), 1, 10)), std::runtime_error);
  EXPECT_TRUE(fs::is_empty(dir.path()));
}

TEST(Scenario, DemoLabels) {
  std::string tsv = demo_labels_tsv();
  EXPECT_EQ(tsv.substr(0, 25), "prefix\torg\tsource\tperiod\n");
  EXPECT_NE(tsv.find("198.51.100.32/28\tcensys\tsimulate-demo\tcurrent\n"), std::string::npos);
  EXPECT_NE(tsv.find("2001:db8:c::/64\tcensys\t"), std::string::npos);
  EXPECT_NE(tsv.find("198.51.100.112/28\tinternet_census\tsimulate-demo\t2025-01-01..2025-06-30\n"), std::string::npos);
  EXPECT_EQ(tsv.find("onyphe"), std::string::npos) << "the open-set organisation stays off the labels";
  EXPECT_EQ(tsv.find("203.0.113."), std::string::npos) << "the unknown population stays unknown";
}
