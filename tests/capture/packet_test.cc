#include "capture/packet.h"

#include <gtest/gtest.h>
#include <pcap/dlt.h>

#include <random>

#include "capture/cidr.h"
#include "support/frames.h"

using namespace sgtest;

namespace {

sg::ByteView view(const Bytes& b) { return {b.data(), b.size()}; }

Bytes http_ipv4() {
  return ipv4({1, 2, 3, 4}, {5, 6, 7, 8}, 6, tcp(40000, 80, 7, 0, TCP_ACK, "GET / HTTP/1.0\r\n\r\n"));
}

void expect_http(const sg::Packet& p) {
  EXPECT_EQ(p.proto, 6);
  EXPECT_EQ(sg::to_string(p.src), "1.2.3.4");
  EXPECT_EQ(sg::to_string(p.dst), "5.6.7.8");
  EXPECT_EQ(p.sport, 40000);
  EXPECT_EQ(p.dport, 80);
  EXPECT_EQ(std::string(sg::as_chars(p.payload)), "GET / HTTP/1.0\r\n\r\n");
}

TEST(Decode, EthernetWithQinQAndPadding) {
  Bytes ip = http_ipv4();
  Bytes f = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 0x88, 0xa8, 0, 10, 0x81, 0x00, 0, 20, 0x08, 0x00};
  f.insert(f.end(), ip.begin(), ip.end());
  f.insert(f.end(), 6, 0);  // Ethernet padding must not become payload
  sg::Packet p;
  ASSERT_EQ(sg::decode_packet(DLT_EN10MB, view(f), p), nullptr);
  expect_http(p);
}

TEST(Decode, LinuxCookedV1AndV2RawAndLoopback) {
  Bytes ip = http_ipv4();
  Bytes sll(16, 0);
  sll[14] = 0x08;
  sll.insert(sll.end(), ip.begin(), ip.end());
  Bytes sll2(20, 0);
  sll2[0] = 0x08;
  sll2.insert(sll2.end(), ip.begin(), ip.end());
  Bytes null = {2, 0, 0, 0};
  null.insert(null.end(), ip.begin(), ip.end());
  sg::Packet p;
  ASSERT_EQ(sg::decode_packet(DLT_LINUX_SLL, view(sll), p), nullptr);
  expect_http(p);
  ASSERT_EQ(sg::decode_packet(DLT_LINUX_SLL2, view(sll2), p), nullptr);
  expect_http(p);
  ASSERT_EQ(sg::decode_packet(DLT_RAW, view(ip), p), nullptr);
  expect_http(p);
  ASSERT_EQ(sg::decode_packet(DLT_NULL, view(null), p), nullptr);
  expect_http(p);
}

TEST(Decode, Ipv6ExtensionHeadersAreWalked) {
  Bytes l4 = udp(5353, 53, Bytes{1, 2, 3});
  Bytes ext = {60, 0, 1, 4, 0, 0, 0, 0,   // hop-by-hop -> destination options (8 bytes)
               17, 0, 1, 4, 0, 0, 0, 0};  // destination options -> UDP
  Bytes ip6 = {0x60, 0, 0, 0};
  put16(ip6, uint16_t(ext.size() + l4.size()));
  ip6.push_back(0);  // next header: hop-by-hop
  ip6.push_back(64);
  for (int i = 0; i < 32; ++i) ip6.push_back(i < 16 ? 0x20 : 0x30);
  ip6.insert(ip6.end(), ext.begin(), ext.end());
  ip6.insert(ip6.end(), l4.begin(), l4.end());
  sg::Packet p;
  Bytes frame = ether(ip6, 0x86dd);
  ASSERT_EQ(sg::decode_packet(DLT_EN10MB, view(frame), p), nullptr);
  EXPECT_FALSE(p.src.v4);
  EXPECT_EQ(p.proto, 17);
  EXPECT_EQ(p.dport, 53);
  EXPECT_EQ(p.payload.size(), 3u);
  EXPECT_EQ(p.ttl, 64);
}

TEST(Decode, FragmentsAndOtherProtocolsAreCountedReasons) {
  sg::Packet p;
  Bytes frag = ipv4({1, 2, 3, 4}, {5, 6, 7, 8}, 17, udp(1, 2, Bytes(20, 0)), 64, 0x2000);  // MF set
  EXPECT_STREQ(sg::decode_packet(DLT_RAW, view(frag), p), "ip.fragment");
  Bytes icmp = ipv4({1, 2, 3, 4}, {5, 6, 7, 8}, 1, Bytes(8, 0));
  EXPECT_STREQ(sg::decode_packet(DLT_RAW, view(icmp), p), "ip.other_protocol");
  Bytes arp = ether(Bytes(28, 0), 0x0806);
  EXPECT_STREQ(sg::decode_packet(DLT_EN10MB, view(arp), p), "link.not_ip");
  EXPECT_STREQ(sg::decode_packet(147, view(arp), p), "link.unsupported");
}

TEST(Decode, GreAndVxlanTunnelsAreOpened) {
  Bytes inner = http_ipv4();
  Bytes gre = {0, 0, 0x08, 0x00};
  gre.insert(gre.end(), inner.begin(), inner.end());
  sg::Packet p;  // decoded views point into the frame: keep each frame alive while it is checked
  Bytes gre_frame = ipv4({9, 9, 9, 9}, {8, 8, 8, 8}, 47, gre);
  ASSERT_EQ(sg::decode_packet(DLT_RAW, view(gre_frame), p), nullptr);
  expect_http(p);
  Bytes vx = {0x08, 0, 0, 0, 0, 0, 1, 0};
  Bytes eth = ether(inner);
  vx.insert(vx.end(), eth.begin(), eth.end());
  Bytes vx_frame = ipv4({9, 9, 9, 9}, {8, 8, 8, 8}, 17, udp(5555, 4789, vx));
  ASSERT_EQ(sg::decode_packet(DLT_RAW, view(vx_frame), p), nullptr);
  expect_http(p);
  // A scanner's probe to the VXLAN port that is not VXLAN stays a plain UDP packet.
  Bytes not_vx = ipv4({9, 9, 9, 9}, {8, 8, 8, 8}, 17, udp(5555, 4789, Bytes(4, 0xff)));
  ASSERT_EQ(sg::decode_packet(DLT_RAW, view(not_vx), p), nullptr);
  EXPECT_EQ(p.dport, 4789);
  EXPECT_EQ(p.payload.size(), 4u);
}

// Cisco HDLC (LINKTYPE_C_HDLC 104, as Wireshark and libpcap define it): address 0x0F unicast or 0x8F
// broadcast, control 0x00, then a big-endian EtherType.
TEST(Decode, CiscoHdlcCarriesIpv4AndIpv6) {
  Bytes ip = http_ipv4();
  Bytes f = {0x0f, 0x00, 0x08, 0x00};
  f.insert(f.end(), ip.begin(), ip.end());
  sg::Packet p;
  ASSERT_EQ(sg::decode_packet(DLT_C_HDLC, view(f), p), nullptr);
  expect_http(p);
  Bytes l4 = udp(5353, 53, Bytes{1, 2, 3});
  Bytes ip6 = {0x60, 0, 0, 0};
  put16(ip6, uint16_t(l4.size()));
  ip6.push_back(17);
  ip6.push_back(64);
  for (int i = 0; i < 32; ++i) ip6.push_back(i < 16 ? 0x20 : 0x30);
  ip6.insert(ip6.end(), l4.begin(), l4.end());
  Bytes f6 = {0x8f, 0x00, 0x86, 0xdd};
  f6.insert(f6.end(), ip6.begin(), ip6.end());
  ASSERT_EQ(sg::decode_packet(DLT_C_HDLC, view(f6), p), nullptr);
  EXPECT_FALSE(p.src.v4);
  EXPECT_EQ(p.dport, 53);
  Bytes slarp = {0x8f, 0x00, 0x80, 0x35, 0, 0, 0, 2};  // Cisco SLARP keepalive: not IP
  EXPECT_STREQ(sg::decode_packet(DLT_C_HDLC, view(slarp), p), "link.not_ip");
  Bytes cut = {0x0f, 0x00, 0x08};
  EXPECT_STREQ(sg::decode_packet(DLT_C_HDLC, view(cut), p), "link.truncated");
}

// IEEE 802.3 with 802.2 LLC: the type field is a length (<= 1500); SNAP (AA AA 03, OUI 00-00-00, EtherType,
// RFC 1042) and IP on SAP 0x06 (RFC 948) both carry IPv4. The length excludes Ethernet padding.
TEST(Decode, Ieee8023LlcSnapAndIpSap) {
  Bytes ip = http_ipv4();
  Bytes snap = {0xaa, 0xaa, 0x03, 0x00, 0x00, 0x00, 0x08, 0x00};
  snap.insert(snap.end(), ip.begin(), ip.end());
  Bytes f = ether(snap, uint16_t(snap.size()));
  f.insert(f.end(), 8, 0xee);  // padding beyond the 802.3 length
  sg::Packet p;
  ASSERT_EQ(sg::decode_packet(DLT_EN10MB, view(f), p), nullptr);
  expect_http(p);
  // 802.1Q tag in front of an 802.3 length field
  Bytes tagged = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 0x81, 0x00, 0, 10};
  put16(tagged, uint16_t(snap.size()));
  tagged.insert(tagged.end(), snap.begin(), snap.end());
  ASSERT_EQ(sg::decode_packet(DLT_EN10MB, view(tagged), p), nullptr);
  expect_http(p);
  Bytes sap = {0x06, 0x06, 0x03};
  sap.insert(sap.end(), ip.begin(), ip.end());
  Bytes f2 = ether(sap, uint16_t(sap.size()));
  ASSERT_EQ(sg::decode_packet(DLT_EN10MB, view(f2), p), nullptr);
  expect_http(p);
  // Spanning tree (LLC 42 42 03) and Cisco's SNAP OUI (CDP) are not IP
  Bytes stp = ether(Bytes{0x42, 0x42, 0x03, 0, 0, 0, 0}, 7);
  EXPECT_STREQ(sg::decode_packet(DLT_EN10MB, view(stp), p), "link.not_ip");
  Bytes cdp = ether(Bytes{0xaa, 0xaa, 0x03, 0x00, 0x00, 0x0c, 0x20, 0x00, 2, 180}, 10);
  EXPECT_STREQ(sg::decode_packet(DLT_EN10MB, view(cdp), p), "link.not_ip");
  Bytes short_snap = ether(Bytes{0xaa, 0xaa, 0x03, 0x00, 0x00}, 5);
  EXPECT_STREQ(sg::decode_packet(DLT_EN10MB, view(short_snap), p), "link.truncated");
}

// PPPoE session frames (EtherType 0x8864) carry PPP; RFC 1661 section 6.5 lets the protocol field be
// compressed to one byte when its first byte is odd (0x21 IPv4, 0x57 IPv6).
TEST(Decode, PppoeWithFullAndCompressedProtocolField) {
  Bytes ip = http_ipv4();
  for (bool compressed : {false, true}) {
    Bytes ppp = compressed ? Bytes{0x21} : Bytes{0x00, 0x21};
    ppp.insert(ppp.end(), ip.begin(), ip.end());
    Bytes pppoe = {0x11, 0x00, 0x12, 0x34};  // version/type, code 0 (session data), session id
    put16(pppoe, uint16_t(ppp.size()));
    pppoe.insert(pppoe.end(), ppp.begin(), ppp.end());
    Bytes f = ether(pppoe, 0x8864);
    sg::Packet p;
    ASSERT_EQ(sg::decode_packet(DLT_EN10MB, view(f), p), nullptr) << compressed;
    expect_http(p);
  }
  sg::Packet p;
  Bytes lcp = ether(Bytes{0x11, 0x00, 0x12, 0x34, 0x00, 0x06, 0xc0, 0x21, 9, 1, 0, 4}, 0x8864);  // LCP echo
  EXPECT_STREQ(sg::decode_packet(DLT_EN10MB, view(lcp), p), "link.not_ip");
  Bytes cut = ether(Bytes{0x11, 0x00, 0x12, 0x34, 0x00, 0x02}, 0x8864);
  EXPECT_STREQ(sg::decode_packet(DLT_EN10MB, view(cut), p), "link.truncated");
}

TEST(Decode, TruncatedPrefixesNeverCrashAndGarbageIsRejected) {
  Bytes f = ether(http_ipv4());
  sg::Packet p;
  for (size_t n = 0; n < f.size(); ++n) {
    Bytes cut(f.begin(), f.begin() + static_cast<long>(n));
    const char* why = sg::decode_packet(DLT_EN10MB, view(cut), p);
    if (n < 14 + 20 + 20) {
      EXPECT_NE(why, nullptr) << n;
    }
  }
  std::mt19937 rng(7);
  for (int i = 0; i < 20000; ++i) {
    Bytes g(rng() % 200);
    for (auto& b : g) b = static_cast<uint8_t>(rng());
    for (int lt : {DLT_EN10MB, DLT_RAW, DLT_NULL, DLT_LINUX_SLL, DLT_LINUX_SLL2, DLT_NFLOG, DLT_C_HDLC})
      (void)sg::decode_packet(lt, view(g), p);
  }
}

TEST(Cidr, ParsesAndMatches) {
  sg::Cidr c;
  ASSERT_TRUE(sg::parse_cidr("192.0.2.77/24", c));
  sg::IpAddr a;
  ASSERT_TRUE(sg::parse_ip("192.0.2.1", a));
  EXPECT_TRUE(c.contains(a));
  ASSERT_TRUE(sg::parse_ip("192.0.3.1", a));
  EXPECT_FALSE(c.contains(a));
  ASSERT_TRUE(sg::parse_cidr("2001:db8::/32", c));
  ASSERT_TRUE(sg::parse_ip("2001:db8:1::5", a));
  EXPECT_TRUE(c.contains(a));
  EXPECT_FALSE(sg::parse_cidr("10.0.0.0/33", c));
  EXPECT_FALSE(sg::parse_cidr("10.0.0/8", c));
  EXPECT_FALSE(sg::parse_cidr("10.0.0.0/", c));
  EXPECT_FALSE(sg::parse_cidr("nonsense", c));
}

}  // namespace
