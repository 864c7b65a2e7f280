#include "session/tracker.h"

#include <gtest/gtest.h>

#include "capture/packet.h"

namespace {

using sg::Packet;
using sg::Probe;
using sg::Service;

constexpr uint8_t FIN = 1, SYN = 2, RST = 4, ACK = 16;

Packet tcp(const char* src, uint16_t sport, const char* dst, uint16_t dport, uint32_t seq, uint8_t flags,
           const std::string& payload = "") {
  static std::vector<std::string> keep;  // payload storage that outlives the Packet views
  keep.push_back(payload);
  Packet p;
  sg::parse_ip(src, p.src);
  sg::parse_ip(dst, p.dst);
  p.proto = 6;
  p.sport = sport;
  p.dport = dport;
  p.seq = seq;
  p.tcp_flags = flags;
  p.ttl = 51;
  p.window = 1024;
  p.payload = sg::as_bytes(keep.back());
  return p;
}

Packet udp(const char* src, uint16_t sport, const char* dst, uint16_t dport, const std::string& payload) {
  Packet p = tcp(src, sport, dst, dport, 0, 0, payload);
  p.proto = 17;
  return p;
}

struct Harness {
  sg::IngestStats stats;
  std::vector<Probe> probes;
  sg::SessionTracker tracker;
  explicit Harness(sg::SessionConfig cfg = {})
      : tracker(
            cfg, [this](Probe& p) { probes.push_back(p); }, stats) {}
  void add(int64_t ts, const Packet& p) { tracker.add(ts, p); }
};

const std::string kGet = "GET /index.html HTTP/1.1\r\nHost: x\r\nUser-Agent: zgrab\r\n\r\n";
const std::string kDnsQuery =
    std::string("\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00", 12) + std::string(
                                                                              "\x07"
                                                                              "example"
                                                                              "\x03"
                                                                              "com"
                                                                              "\x00"
                                                                              "\x00\x01\x00\x01",
                                                                              17);

TEST(Tracker, HttpSplitAcrossSegmentsIsReassembled) {
  Harness h;
  h.add(1, tcp("198.51.100.7", 40000, "192.0.2.1", 8080, 100, SYN));
  h.add(2, tcp("198.51.100.7", 40000, "192.0.2.1", 8080, 101, ACK, kGet.substr(0, 5)));
  EXPECT_TRUE(h.probes.empty());
  h.add(3, tcp("198.51.100.7", 40000, "192.0.2.1", 8080, 106, ACK, kGet.substr(5, 20)));
  h.add(4, tcp("198.51.100.7", 40000, "192.0.2.1", 8080, 126, ACK, kGet.substr(25)));
  ASSERT_EQ(h.probes.size(), 1u);  // emitted as soon as the header block is whole
  const Probe& p = h.probes[0];
  EXPECT_EQ(p.service, Service::http);
  EXPECT_EQ(p.src, "198.51.100.7");
  EXPECT_EQ(p.dport, 8080);
  EXPECT_EQ(p.ts_us, 2);
  EXPECT_EQ(p.http->uri, "/index.html");
  EXPECT_EQ(p.http->user_agent, "zgrab");
  ASSERT_TRUE(p.syn.has_value());
  EXPECT_EQ(p.syn->ttl, 51);
  EXPECT_FALSE(p.truncated);
  h.tracker.finish();
  EXPECT_EQ(h.probes.size(), 1u);
}

// A version-less request line whose header block has begun in the same segment is not finished at the end
// of its line (libhtp reads the headers that follow; Suricata logs the user agent from the next segment).
TEST(Tracker, VersionlessRequestWaitsForItsHeaderBlock) {
  Harness h;
  const std::string first = "GET /cgi-bin/status\r\nHost: 192.0.2.1\r\n";
  const std::string second = "User-Agent: masscan/1.3\r\n\r\n";
  h.add(1, tcp("198.51.100.7", 40000, "192.0.2.1", 80, 100, SYN));
  h.add(2, tcp("198.51.100.7", 40000, "192.0.2.1", 80, 101, ACK, first));
  EXPECT_TRUE(h.probes.empty());
  h.add(3, tcp("198.51.100.7", 40000, "192.0.2.1", 80, 101 + uint32_t(first.size()), ACK, second));
  ASSERT_EQ(h.probes.size(), 1u);
  const Probe& p = h.probes[0];
  EXPECT_EQ(p.service, Service::http);
  EXPECT_EQ(p.http->uri, "/cgi-bin/status");
  EXPECT_EQ(p.http->version, "");
  EXPECT_EQ(p.http->host, "192.0.2.1");
  EXPECT_EQ(p.http->user_agent, "masscan/1.3");
  EXPECT_FALSE(p.truncated);
}

// CVE-2018-6794: a server sends data after its SYN-ACK, before the client has completed the handshake,
// here all it has to say, FIN included. Clients accept it, and a FIN closes only the server's direction
// (RFC 9293 3.6, half-close): the client's request that follows is still the session's first probe (Arkime
// parses it), and the client stays the side that sent the SYN.
TEST(Tracker, ServerDataBeforeHandshakeCompletesKeepsTheClientRequest) {
  const std::string banner = "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nevil";
  for (bool syn_captured : {true, false}) {
    for (bool server_fin : {false, true}) {
      SCOPED_TRACE(testing::Message() << "syn " << syn_captured << " fin " << server_fin);
      Harness h;
      if (syn_captured) h.add(1, tcp("198.51.100.7", 53649, "192.0.2.1", 8089, 100, SYN));
      Packet synack = tcp("192.0.2.1", 8089, "198.51.100.7", 53649, 7000, SYN | ACK);
      synack.ack = 101;
      h.add(2, synack);
      uint8_t flags = ACK | 8 /* PSH */ | (server_fin ? FIN : 0);
      Packet early = tcp("192.0.2.1", 8089, "198.51.100.7", 53649, 7001, flags, banner);
      early.ack = 101;
      h.add(3, early);
      Packet ack = tcp("198.51.100.7", 53649, "192.0.2.1", 8089, 101, ACK);
      ack.ack = 7001 + uint32_t(banner.size()) + (server_fin ? 1 : 0);
      h.add(4, ack);
      EXPECT_TRUE(h.probes.empty());
      Packet get = tcp("198.51.100.7", 53649, "192.0.2.1", 8089, 101, ACK | 8, kGet);
      get.ack = ack.ack;
      h.add(5, get);
      ASSERT_EQ(h.probes.size(), 1u);
      const Probe& p = h.probes[0];
      EXPECT_EQ(p.service, Service::http);
      EXPECT_EQ(p.src, "198.51.100.7");
      EXPECT_EQ(p.dport, 8089);
      EXPECT_EQ(p.ts_us, 5);
      EXPECT_EQ(p.http->user_agent, "zgrab");
      EXPECT_EQ(p.syn.has_value(), syn_captured);
      h.tracker.finish();
      EXPECT_EQ(h.probes.size(), 1u);
    }
  }
}

// The server's FIN closes only its own direction: a SYN-only session still ends as `syn` when it goes idle
// or the capture ends, and the client's FIN still ends an incomplete message at once.
TEST(Tracker, ServerFinAloneDoesNotEndTheClientSide) {
  Harness h;
  h.add(1, tcp("198.51.100.7", 40000, "192.0.2.1", 22, 100, SYN));
  h.add(2, tcp("192.0.2.1", 22, "198.51.100.7", 40000, 7000, SYN | ACK));
  h.add(3, tcp("192.0.2.1", 22, "198.51.100.7", 40000, 7001, FIN | ACK, "SSH-2.0-OpenSSH_9.6\r\n"));
  EXPECT_TRUE(h.probes.empty());
  h.tracker.finish();
  ASSERT_EQ(h.probes.size(), 1u);
  EXPECT_EQ(h.probes[0].service, Service::syn);
}

TEST(Tracker, OutOfOrderAndRetransmittedSegments) {
  Harness h;
  h.add(1, tcp("198.51.100.7", 40000, "192.0.2.1", 80, 100, SYN));
  h.add(2, tcp("198.51.100.7", 40000, "192.0.2.1", 80, 111, ACK, kGet.substr(10)));  // arrives first
  h.add(3, tcp("198.51.100.7", 40000, "192.0.2.1", 80, 101, ACK, kGet.substr(0, 4)));
  h.add(4, tcp("198.51.100.7", 40000, "192.0.2.1", 80, 101, ACK, kGet.substr(0, 10)));  // overlaps
  ASSERT_EQ(h.probes.size(), 1u);
  EXPECT_EQ(h.probes[0].http->uri, "/index.html");
  EXPECT_EQ(h.probes[0].http->headers.size(), 2u);
}

TEST(Tracker, ByteCapEndsAnEndlessMessage) {
  sg::SessionConfig cfg;
  cfg.byte_cap = 256;
  Harness h(cfg);
  h.add(1, tcp("198.51.100.7", 40000, "192.0.2.1", 80, 100, SYN));
  std::string big = "GET /" + std::string(400, 'a');
  h.add(2, tcp("198.51.100.7", 40000, "192.0.2.1", 80, 101, ACK, big));
  ASSERT_EQ(h.probes.size(), 1u);
  EXPECT_TRUE(h.probes[0].truncated);
}

TEST(Tracker, WithoutSynTheHigherPortIsTheClientUnlessSensorNetsSayOtherwise) {
  Harness h;
  h.add(1, tcp("192.0.2.1", 80, "198.51.100.7", 51000, 9000, ACK, "HTTP/1.1 200 OK\r\n\r\n"));  // server talks
  h.add(2, tcp("198.51.100.7", 51000, "192.0.2.1", 80, 5000, ACK, kGet));
  ASSERT_EQ(h.probes.size(), 1u);
  EXPECT_EQ(h.probes[0].src, "198.51.100.7");
  EXPECT_FALSE(h.probes[0].syn.has_value());

  sg::SessionConfig cfg;
  sg::Cidr net;
  sg::parse_cidr("192.0.2.0/24", net);
  cfg.sensor_nets = {net};
  Harness s(cfg);
  // odd ports: the lower-port rule would pick the sensor; the sensor net picks the scanner
  s.add(1, tcp("198.51.100.7", 22, "192.0.2.1", 50000, 5000, ACK, kGet));
  ASSERT_EQ(s.probes.size(), 1u);
  EXPECT_EQ(s.probes[0].src, "198.51.100.7");
  // sessions the sensor itself opens are not probes
  s.add(2, tcp("192.0.2.1", 40000, "203.0.113.5", 443, 1, SYN));
  s.add(3, tcp("192.0.2.1", 40000, "203.0.113.5", 443, 2, ACK, kGet));
  s.tracker.finish();
  EXPECT_EQ(s.probes.size(), 1u);
  EXPECT_EQ(s.stats.skipped["session.outbound_from_sensor"], 1u);
}

TEST(Tracker, SynOnlySessionsCarryTheirSignature) {
  Harness h;
  Packet syn = tcp("203.0.113.9", 61000, "192.0.2.1", 3389, 77, SYN);
  static const uint8_t opts[] = {2, 4, 0x05, 0xb4, 1, 3, 3, 7, 4, 2};
  syn.tcp_options = sg::ByteView(opts, sizeof opts);
  h.add(10, syn);
  h.add(11, tcp("192.0.2.1", 3389, "203.0.113.9", 61000, 5, RST | ACK));
  ASSERT_EQ(h.probes.size(), 1u);
  const Probe& p = h.probes[0];
  EXPECT_EQ(p.service, Service::syn);
  EXPECT_EQ(p.ts_us, 10);
  EXPECT_EQ(p.syn->mss, 1460);
  EXPECT_EQ(p.syn->wscale, 7);
  EXPECT_EQ(p.syn->options, (std::vector<uint8_t>{2, 1, 3, 4}));

  sg::SessionConfig cfg;
  cfg.syn_only = false;
  Harness quiet(cfg);
  quiet.add(10, syn);
  quiet.tracker.finish();
  EXPECT_TRUE(quiet.probes.empty());
}

TEST(Tracker, ClientRstBeforeDataDoesNotHideTheRequest) {
  Harness h;
  h.add(1, tcp("198.51.100.7", 40000, "192.0.2.1", 80, 100, SYN));
  h.add(2, tcp("198.51.100.7", 40000, "192.0.2.1", 80, 101, RST | ACK));
  h.add(3, tcp("198.51.100.7", 40000, "192.0.2.1", 80, 101, ACK, kGet));
  ASSERT_EQ(h.probes.size(), 1u);
  EXPECT_EQ(h.probes[0].service, Service::http);
}

TEST(Tracker, FinEndsAnIncompleteMessageAndLaterPacketsAreIgnored) {
  Harness h;
  h.add(1, tcp("198.51.100.7", 40000, "192.0.2.1", 80, 100, SYN));
  h.add(2, tcp("198.51.100.7", 40000, "192.0.2.1", 80, 101, ACK, "GET / HTTP/1.1\r\nHost: a\r\n"));
  h.add(3, tcp("198.51.100.7", 40000, "192.0.2.1", 80, 126, FIN | ACK));
  ASSERT_EQ(h.probes.size(), 1u);
  EXPECT_TRUE(h.probes[0].truncated);
  EXPECT_EQ(h.probes[0].http->host, "a");
  h.add(4, tcp("198.51.100.7", 40000, "192.0.2.1", 80, 126, ACK, "more"));
  h.tracker.finish();
  EXPECT_EQ(h.probes.size(), 1u);
}

TEST(Tracker, PortReuseWithNewIsnIsANewSession) {
  Harness h;
  h.add(1, tcp("198.51.100.7", 40000, "192.0.2.1", 80, 100, SYN));
  h.add(2, tcp("198.51.100.7", 40000, "192.0.2.1", 80, 101, ACK, kGet));
  h.add(3, tcp("198.51.100.7", 40000, "192.0.2.1", 80, 900000, SYN));
  h.add(4, tcp("198.51.100.7", 40000, "192.0.2.1", 80, 900001, ACK, kGet));
  EXPECT_EQ(h.probes.size(), 2u);
}

TEST(Tracker, UnknownPayloadIsKeptAsOther) {
  Harness h;
  h.add(1, tcp("198.51.100.7", 40000, "192.0.2.1", 5432, 100, SYN));
  h.add(2, tcp("198.51.100.7", 40000, "192.0.2.1", 5432, 101, ACK, std::string("\x00\x00\x00\x08\x04\xd2\x16\x2f", 8)));
  ASSERT_EQ(h.probes.size(), 1u);
  EXPECT_EQ(h.probes[0].service, Service::other);
  EXPECT_EQ(h.probes[0].other->head.size(), 8u);
}

TEST(Tracker, UdpFirstDatagramPerTupleWithinIdleTimeout) {
  Harness h;
  h.add(1'000'000, udp("198.51.100.7", 5353, "192.0.2.1", 53, kDnsQuery));
  h.add(1'000'100, udp("192.0.2.1", 53, "198.51.100.7", 5353, kDnsQuery));  // the answer
  h.add(2'000'000, udp("198.51.100.7", 5353, "192.0.2.1", 53, kDnsQuery));  // repeat inside the timeout
  ASSERT_EQ(h.probes.size(), 1u);
  EXPECT_EQ(h.probes[0].service, Service::dns);
  EXPECT_EQ(h.probes[0].dns->qname, "example.com");
  h.add(200'000'000, udp("198.51.100.7", 5353, "192.0.2.1", 53, kDnsQuery));  // after 60 s idle: new
  EXPECT_EQ(h.probes.size(), 2u);
}

TEST(Tracker, TableSizeIsBoundedAndEvictedSessionsStillEmit) {
  sg::SessionConfig cfg;
  cfg.max_sessions = 100;
  Harness h(cfg);
  for (uint16_t i = 0; i < 1000; ++i) {
    h.add(i, tcp("198.51.100.7", static_cast<uint16_t>(20000 + i), "192.0.2.1", 80, 5, SYN));
    EXPECT_LE(h.tracker.active(), 100u);
  }
  h.tracker.finish();
  EXPECT_EQ(h.probes.size(), 1000u);
  EXPECT_EQ(h.tracker.active(), 0u);
}

TEST(Tracker, IdleSessionsAreEvictedInCaptureTime) {
  Harness h;
  h.add(0, tcp("198.51.100.7", 40000, "192.0.2.1", 80, 100, SYN));
  h.add(1, tcp("198.51.100.7", 40000, "192.0.2.1", 80, 101, ACK, "GET /"));
  EXPECT_EQ(h.tracker.active(), 1u);
  h.add(10LL * 60 * 1000000, udp("198.51.100.8", 1, "192.0.2.1", 53, kDnsQuery));
  EXPECT_EQ(h.probes.size(), 2u);  // the stalled HTTP session was closed and emitted
  EXPECT_EQ(h.probes[0].service, Service::http);
  EXPECT_TRUE(h.probes[0].truncated);
}

// The session index is an open-addressing table: enough tuples to grow it several times, half of them then
// removed by idle eviction (deletion shifts later entries back), and every remaining tuple must still be found
// (a repeat is not a new probe) while every removed one counts as new.
TEST(Tracker, SessionIndexFindsEveryTupleThroughGrowthAndDeletion) {
  sg::IngestStats stats;
  size_t probes = 0;
  sg::SessionTracker tracker(
      {}, [&](Probe&) { ++probes; }, stats);
  const Packet base = udp("198.51.100.1", 1000, "192.0.2.1", 53, kDnsQuery);
  auto from = [&](uint32_t i) {
    Packet p = base;
    p.src.b[1] = static_cast<uint8_t>(i >> 16);
    p.src.b[2] = static_cast<uint8_t>(i >> 8);
    p.src.b[3] = static_cast<uint8_t>(i);
    return p;
  };
  constexpr uint32_t n = 150'000;
  for (uint32_t i = 0; i < n; ++i) tracker.add(1'000'000, from(i));
  EXPECT_EQ(probes, n);
  EXPECT_EQ(tracker.active(), n);
  for (uint32_t i = 0; i < n; ++i) tracker.add(2'000'000, from(i));
  EXPECT_EQ(probes, n);  // all found again
  for (uint32_t i = 1; i < n; i += 2) tracker.add(30'000'000, from(i));
  // 61 s after the even tuples were last seen: they are evicted, the odd ones (seen at 30 s) stay.
  tracker.add(63'000'000, udp("203.0.113.9", 7, "192.0.2.1", 53, kDnsQuery));
  EXPECT_EQ(tracker.active(), n / 2 + 1);
  EXPECT_EQ(probes, n + 1);
  for (uint32_t i = 1; i < n; i += 2) tracker.add(64'000'000, from(i));
  EXPECT_EQ(probes, n + 1);  // the survivors are still found after the deletions
  for (uint32_t i = 0; i < n; i += 2) tracker.add(64'000'000, from(i));
  EXPECT_EQ(probes, n + 1 + n / 2);  // the evicted ones are new sessions
  EXPECT_EQ(tracker.active(), n + 1);
}

}  // namespace
