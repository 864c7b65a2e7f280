#include "probe/dns.h"

#include <gtest/gtest.h>

#include "probe/proto_fixtures.h"

namespace sg {
namespace {

using test::Buf;
using test::concat;
using test::from_hex;
using test::view;

// dig www.example.com A +noedns, id 0x1234, RD.
const Buf kSimple = from_hex(
    "1234 0100 0001 0000 0000 0000"
    "03 777777 07 6578616d706c65 03 636f6d 00"
    "0001 0001");

// dig example.net TYPE65534 with EDNS: OPT RR, udp 1232, DO set, a COOKIE option (10) and a padding
// option (12).
const Buf kEdns = from_hex(
    "6bb3 0120 0001 0000 0000 0001"
    "07 6578616d706c65 03 6e6574 00 fffe 0001"
    "00 0029 04d0 00 00 8000 0014"
    "000a 0008 0102030405060708"
    "000c 0004 00000000");

DnsProbe parse_ok(const Buf& b) {
  DnsProbe d;
  ParseStatus st = parse_dns_query(view(b), d);
  EXPECT_TRUE(st.ok()) << st.error;
  return d;
}

const char* parse_error(const Buf& b) {
  DnsProbe d;
  return parse_dns_query(view(b), d).error;
}

Buf tcp(const Buf& msg) {
  Buf b = {uint8_t(msg.size() >> 8), uint8_t(msg.size())};
  return concat(b, msg);
}

TEST(DnsParse, SimpleQuery) {
  DnsProbe d = parse_ok(kSimple);
  EXPECT_EQ(d.id, 0x1234);
  EXPECT_EQ(d.flags, 0x0100);
  EXPECT_FALSE(d.qr);
  EXPECT_EQ(d.opcode, 0);
  EXPECT_TRUE(d.rd);
  EXPECT_FALSE(d.aa || d.tc || d.ra || d.z || d.ad || d.cd);
  EXPECT_EQ(d.rcode, 0);
  EXPECT_EQ(d.qdcount, 1);
  EXPECT_EQ(d.ancount + d.nscount + d.arcount, 0);
  EXPECT_EQ(d.qname, "www.example.com");
  EXPECT_EQ(d.qtype, 1);
  EXPECT_EQ(d.qclass, 1);
  EXPECT_FALSE(d.edns.has_value());
  EXPECT_EQ(dns_match(view(kSimple)), Match::yes);
}

TEST(DnsParse, EdnsFromOptRecord) {
  DnsProbe d = parse_ok(kEdns);
  EXPECT_EQ(d.id, 27571);
  EXPECT_EQ(d.qname, "example.net");
  EXPECT_EQ(d.qtype, 65534);
  EXPECT_TRUE(d.rd);
  EXPECT_TRUE(d.ad);
  EXPECT_EQ(d.arcount, 1);
  ASSERT_TRUE(d.edns.has_value());
  EXPECT_EQ(d.edns->udp_size, 1232);
  EXPECT_TRUE(d.edns->do_bit);
  EXPECT_EQ(d.edns->version, 0);
  EXPECT_EQ(d.edns->extended_rcode, 0);
  EXPECT_EQ(d.edns->options, (std::vector<uint16_t>{10, 12}));
}

TEST(DnsParse, OptAfterOtherAdditionalRecordsAndVersion) {
  // An A record with a compressed owner name (pointer to the qname) precedes the OPT RR.
  Buf b = from_hex(
      "0001 0000 0001 0000 0000 0002"
      "01 61 00 0001 0001"
      "c00c 0001 0001 00000e10 0004 0a000001"
      "00 0029 1000 05 01 0000 0000");
  DnsProbe d = parse_ok(b);
  ASSERT_TRUE(d.edns.has_value());
  EXPECT_EQ(d.edns->udp_size, 4096);
  EXPECT_EQ(d.edns->extended_rcode, 5);
  EXPECT_EQ(d.edns->version, 1);
  EXPECT_FALSE(d.edns->do_bit);
  EXPECT_TRUE(d.edns->options.empty());
}

TEST(DnsParse, OptInAnswerSectionIsNotEdns) {
  Buf b = from_hex(
      "0001 0000 0001 0001 0000 0000"
      "01 61 00 0001 0001"
      "00 0029 1000 00 00 0000 0000");
  EXPECT_FALSE(parse_ok(b).edns.has_value());
}

TEST(DnsParse, CompressionLoopInAdditionalSection) {
  // The additional record's owner name points at itself; the question still stands.
  Buf self = from_hex(
      "abcd 0100 0001 0000 0000 0001"
      "01 61 00 0001 0001"
      "c013 0029 1000 0000 0000 0000");
  DnsProbe d = parse_ok(self);
  EXPECT_EQ(d.qname, "a");
  EXPECT_FALSE(d.edns.has_value());
  // Two pointers chasing each other.
  Buf pair = from_hex(
      "abcd 0100 0001 0000 0000 0002"
      "01 61 00 0001 0001"
      "c01f 0001 0001 00000000 0000"
      "c013 0029 1000 0000 0000 0000");
  EXPECT_EQ(parse_ok(pair).qname, "a");
  EXPECT_EQ(dns_match(view(pair)), Match::yes);
}

TEST(DnsParse, CompressionLoopInQuestion) {
  Buf b = from_hex("0001 0000 0001 0000 0000 0000 c00c 0001 0001");
  EXPECT_STREQ(parse_error(b), "dns.pointer_loop");
  EXPECT_EQ(dns_match(view(b)), Match::no);
}

TEST(DnsParse, ForwardPointerInQuestion) {
  // Legal encoders only point backwards, but a pointer elsewhere is followed when it ends well.
  Buf b = from_hex("0001 0000 0001 0000 0000 0000 c012 0001 0001 03 66 6f 6f 00");
  EXPECT_EQ(parse_ok(b).qname, "foo");
}

TEST(DnsParse, OddLabelBytesEscaped) {
  // Labels "a.b", "\x00\xff", "sp ace", "back\\slash", "UPPER".
  Buf b = from_hex(
      "0001 0000 0001 0000 0000 0000"
      "03 612e62 02 00ff 06 737020616365 0a 6261636b5c736c617368 05 5550504552 00"
      "0010 0001");
  EXPECT_EQ(parse_ok(b).qname, "a\\046b.\\000\\255.sp ace.back\\092slash.UPPER");
}

TEST(DnsParse, CaseKeptAsSent) {
  Buf b = from_hex("0001 0000 0001 0000 0000 0000 03 5777 57 07 4578416d706c65 00 0001 0001");
  EXPECT_EQ(parse_ok(b).qname, "WwW.ExAmple");
}

TEST(DnsParse, RootName) {
  Buf b = from_hex("0001 0000 0001 0000 0000 0000 00 0002 0001");
  DnsProbe d = parse_ok(b);
  EXPECT_EQ(d.qname, "");
  EXPECT_EQ(d.qtype, 2);
}

TEST(DnsParse, EveryFlagBit) {
  Buf b = kSimple;
  b[2] = 0x7f;  // opcode 15, AA, TC, RD
  b[3] = 0xff;  // RA, Z, AD, CD, rcode 15
  DnsProbe d = parse_ok(b);
  EXPECT_EQ(d.flags, 0x7fff);
  EXPECT_FALSE(d.qr);
  EXPECT_EQ(d.opcode, 15);
  EXPECT_TRUE(d.aa && d.tc && d.rd && d.ra && d.z && d.ad && d.cd);
  EXPECT_EQ(d.rcode, 15);
  // suricata-verify dns-z-bit: RD and Z only.
  b[2] = 0x01;
  b[3] = 0x40;
  d = parse_ok(b);
  EXPECT_TRUE(d.rd && d.z);
  EXPECT_FALSE(d.aa || d.tc || d.ra || d.ad || d.cd);
  EXPECT_EQ(d.opcode, 0);
  EXPECT_EQ(d.rcode, 0);
}

TEST(DnsParse, RealQueries) {
  // suricata-verify dns/bug-1158: a TXT query of a tunnelling tool.
  Buf tunnel =
      from_hex("c22f010000010000000000000a41414141414f316b5141053d61757468037372760674756e6e656c03636f6d0000100001");
  DnsProbe d = parse_ok(tunnel);
  EXPECT_EQ(d.id, 49711);
  EXPECT_EQ(d.qname, "AAAAAO1kQA.=auth.srv.tunnel.com");
  EXPECT_EQ(d.qtype, 16);
  // suricata-verify dns-invalid-opcode: opcode 9 is still a query.
  Buf opcode9 = from_hex("0001 4800 0001 0000 0000 0000 08 7375726963617461 02 696f 00 0001 0001");
  d = parse_ok(opcode9);
  EXPECT_EQ(d.opcode, 9);
  EXPECT_EQ(d.qname, "suricata.io");
  EXPECT_EQ(dns_match(view(opcode9)), Match::yes);
}

TEST(DnsMatch, RejectsNonQueries) {
  Buf response = kSimple;
  response[2] |= 0x80;
  EXPECT_EQ(dns_match(view(response)), Match::no);
  Buf no_question = kSimple;
  no_question[5] = 0;
  EXPECT_EQ(dns_match(view(no_question)), Match::no);
  EXPECT_STREQ(parse_error(no_question), "dns.no_question");
  Buf short_header(kSimple.begin(), kSimple.begin() + 11);
  EXPECT_EQ(dns_match(view(short_header)), Match::no);
  EXPECT_STREQ(parse_error(short_header), "dns.short_header");
  Buf extended_label = from_hex("0001 0000 0001 0000 0000 0000 41 00 0001 0001");
  EXPECT_EQ(dns_match(view(extended_label)), Match::no);
  EXPECT_STREQ(parse_error(extended_label), "dns.bad_label");
  Buf no_type(kSimple.begin(), kSimple.end() - 3);
  EXPECT_EQ(dns_match(view(no_type)), Match::no);
  EXPECT_STREQ(parse_error(no_type), "dns.truncated_question");
  Buf text = test::bytes_of("GET / HTTP/1.1\r\n\r\n");
  EXPECT_EQ(dns_match(view(text)), Match::no);
}

TEST(DnsParse, NameTooLong) {
  Buf b = from_hex("0001 0000 0001 0000 0000 0000");
  for (int i = 0; i < 5; ++i) {
    b.push_back(63);
    b.insert(b.end(), 63, 'x');
  }
  b.insert(b.end(), {0, 0, 1, 0, 1});
  EXPECT_STREQ(parse_error(b), "dns.name_too_long");
}

TEST(DnsParse, EveryPrefix) {
  for (const Buf* full : {&kSimple, &kEdns}) {
    for (size_t n = 0; n < full->size(); ++n) {
      Buf b(full->begin(), full->begin() + n);
      DnsProbe d;
      ParseStatus st = parse_dns_query(view(b), d);
      // Once the question is whole the records after it are optional extras.
      bool question_whole = n >= (full == &kSimple ? kSimple.size() : 29);
      EXPECT_EQ(st.ok(), question_whole) << n;
      EXPECT_EQ(dns_match(view(b)), question_whole ? Match::yes : Match::no) << n;
      if (st.ok()) {
        EXPECT_FALSE(d.edns.has_value()) << n;
      }
    }
  }
}

TEST(DnsTcp, LengthPrefixedQuery) {
  Buf b = tcp(kEdns);
  EXPECT_EQ(dns_tcp_match(view(b)), Match::yes);
  EXPECT_EQ(dns_tcp_state(view(b)), MessageState::complete);
  DnsProbe d;
  ASSERT_TRUE(parse_dns_tcp_query(view(b), d).ok());
  EXPECT_EQ(d.qname, "example.net");
  ASSERT_TRUE(d.edns.has_value());
  EXPECT_EQ(d.edns->options.size(), 2u);
  // A second pipelined query is not part of the first message.
  Buf two = concat(b, tcp(kSimple));
  EXPECT_EQ(dns_tcp_state(view(two)), MessageState::complete);
  ASSERT_TRUE(parse_dns_tcp_query(view(two), d).ok());
  EXPECT_EQ(d.qname, "example.net");
}

TEST(DnsTcp, EveryPrefixNeedsMore) {
  Buf full = tcp(kEdns);
  for (size_t n = 0; n < full.size(); ++n) {
    Buf b(full.begin(), full.begin() + n);
    EXPECT_EQ(dns_tcp_match(view(b)), n >= 2 + 29 ? Match::yes : Match::need_more) << n;
    EXPECT_EQ(dns_tcp_state(view(b)), MessageState::need_more) << n;
    DnsProbe d;
    parse_dns_tcp_query(view(b), d);
  }
}

TEST(DnsTcp, RejectsNonQueries) {
  Buf tiny = {0x00, 0x05, 1, 2, 3, 4, 5};
  EXPECT_EQ(dns_tcp_match(view(tiny)), Match::no);
  EXPECT_EQ(dns_tcp_state(view(tiny)), MessageState::invalid);
  Buf response = kSimple;
  response[2] |= 0x80;
  Buf r = tcp(response);
  EXPECT_EQ(dns_tcp_match(view(r)), Match::no);
  Buf head(r.begin(), r.begin() + 5);
  EXPECT_EQ(dns_tcp_match(view(head)), Match::no);  // QR already visible
  Buf bad_label = tcp(from_hex("0001 0000 0001 0000 0000 0000 80 00 0001 0001"));
  EXPECT_EQ(dns_tcp_match(view(bad_label)), Match::no);
  EXPECT_EQ(dns_tcp_state(view(bad_label)), MessageState::invalid);
  DnsProbe d;
  Buf one = {0x00};
  EXPECT_STREQ(parse_dns_tcp_query(view(one), d).error, "dns.short_tcp_length");
}

TEST(DnsParse, RandomGarbageNeverCrashes) {
  test::Garbage g(77);
  Buf header = from_hex("0001 0000 0001 0003 0003 0003");
  for (int i = 0; i < 30000; ++i) {
    Buf b;
    switch (i % 4) {
      case 0:
        b = g.random(120);
        break;
      case 1:
        b = g.mutate(kEdns);
        break;
      case 2:
        b = concat(header, g.random(100));
        break;  // lying counts over random records
      default:
        b = tcp(g.mutate(kSimple));
        break;
    }
    DnsProbe d;
    dns_match(view(b));
    parse_dns_query(view(b), d);
    dns_tcp_match(view(b));
    dns_tcp_state(view(b));
    parse_dns_tcp_query(view(b), d);
  }
}

}  // namespace
}  // namespace sg

namespace {

// Driftnet's NFS probe (an ONC RPC record mark, then the call) once passed as a DNS-over-TCP query with
// 43,850 questions; the bytes are its first 16 from the Zeek modbus trace.
TEST(DnsTcpMatch, RpcRecordMarkIsNotDns) {
  const uint8_t rpc[] = {0x80, 0x00, 0x00, 0x28, 0x7e, 0x86, 0xab, 0x4a,
                         0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02};
  EXPECT_EQ(sg::dns_tcp_match(sg::ByteView(rpc, sizeof rpc)), sg::Match::no);
  EXPECT_EQ(sg::dns_match(sg::ByteView(rpc + 2, sizeof rpc - 2)), sg::Match::no);
}

}  // namespace
