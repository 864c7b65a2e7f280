#include "probe/rdp.h"

#include <gtest/gtest.h>

#include "probe/proto_fixtures.h"

namespace sg {
namespace {

using test::Buf;
using test::bytes_of;
using test::concat;
using test::from_hex;
using test::view;

// Arkime's arkime_synthetic.pcap: cookie "rdpuser", RDP_NEG_REQ asking for TLS | CredSSP.
const Buf kArkime = from_hex(
    "0300002d 28 e0 0000 0001 00"
    "436f6f6b69653a206d737473686173683d726470757365720d0a"
    "01 00 0800 03000000");

// nmap's TerminalServerCookie probe.
const Buf kNmapCookie = concat(from_hex("0300002a 25 e0 0000 0000 00"),
                               concat(bytes_of("Cookie: mstshash=nmap\r\n"), from_hex("01 00 0800 03000000")));

// nmap's TerminalServer probe: the bare connection request.
const Buf kBare = from_hex("0300000b 06 e0 0000 0000 00");

RdpProbe parse_ok(const Buf& b) {
  RdpProbe r;
  ParseStatus st = parse_rdp(view(b), r);
  EXPECT_TRUE(st.ok()) << st.error;
  return r;
}

const char* parse_error(const Buf& b) {
  RdpProbe r;
  return parse_rdp(view(b), r).error;
}

TEST(RdpParse, CookieAndNegReq) {
  RdpProbe r = parse_ok(kArkime);
  EXPECT_EQ(r.cookie, "rdpuser");
  EXPECT_FALSE(r.routing_token.has_value());
  EXPECT_EQ(r.requested_protocols, 3u);
  EXPECT_EQ(r.neg_flags, 0);
  EXPECT_EQ(rdp_match(view(kArkime)), Match::yes);
  EXPECT_EQ(rdp_state(view(kArkime)), MessageState::complete);

  RdpProbe n = parse_ok(kNmapCookie);
  EXPECT_EQ(n.cookie, "nmap");
  EXPECT_EQ(n.requested_protocols, 3u);
}

TEST(RdpParse, BareConnectionRequest) {
  RdpProbe r = parse_ok(kBare);
  EXPECT_FALSE(r.cookie.has_value());
  EXPECT_FALSE(r.routing_token.has_value());
  EXPECT_FALSE(r.requested_protocols.has_value());
  EXPECT_EQ(rdp_state(view(kBare)), MessageState::complete);
}

TEST(RdpParse, NegReqWithoutCookie) {
  // mstsc to a load balancer-less host: RDP_NEG_REQ only, flags set, requesting RDSTLS | HYBRID_EX | SSL.
  Buf b = from_hex("03000013 0e e0 0000 0000 00 01 08 0800 19000000");
  RdpProbe r = parse_ok(b);
  EXPECT_FALSE(r.cookie.has_value());
  EXPECT_EQ(r.neg_flags, 0x08);
  EXPECT_EQ(r.requested_protocols, 0x19u);
}

TEST(RdpParse, RoutingToken) {
  Buf b = concat(from_hex("03000033 2e e0 0000 0000 00"),
                 concat(bytes_of("Cookie: msts=3640205228.15629.0000\r\n"), from_hex("01 00 0800 0b000000")));
  b[3] = uint8_t(b.size());
  RdpProbe r = parse_ok(b);
  EXPECT_FALSE(r.cookie.has_value());
  EXPECT_EQ(r.routing_token, "Cookie: msts=3640205228.15629.0000");
  EXPECT_EQ(r.requested_protocols, 0xbu);
}

TEST(RdpParse, CookieWithoutNegReq) {
  Buf b = concat(from_hex("03000000 00 e0 0000 0000 00"), bytes_of("Cookie: mstshash=Administr\r\n"));
  b[3] = uint8_t(b.size());
  b[4] = uint8_t(b.size() - 5);
  RdpProbe r = parse_ok(b);
  EXPECT_EQ(r.cookie, "Administr");
  EXPECT_FALSE(r.requested_protocols.has_value());
}

TEST(RdpParse, CookieWithoutLineEndKept) {
  Buf b = concat(from_hex("03000000 00 e0 0000 0000 00"), bytes_of("Cookie: mstshash=hello"));
  b[3] = uint8_t(b.size());
  b[4] = uint8_t(b.size() - 5);
  EXPECT_EQ(parse_ok(b).cookie, "hello");
}

TEST(RdpParse, LengthIndicatorCoveringOnlyFixedPart) {
  Buf b = kNmapCookie;
  b[4] = 6;  // LI = fixed part only; the TPKT length still bounds the user data
  RdpProbe r = parse_ok(b);
  EXPECT_EQ(r.cookie, "nmap");
  EXPECT_EQ(r.requested_protocols, 3u);
}

TEST(RdpParse, TrailingBytesBeyondTpktIgnored) {
  Buf b = concat(kArkime, from_hex("16030100"));
  EXPECT_EQ(parse_ok(b).requested_protocols, 3u);
  EXPECT_EQ(rdp_state(view(b)), MessageState::complete);
}

TEST(RdpParse, BadUserData) {
  Buf token_no_crlf = concat(from_hex("03000000 00 e0 0000 0000 00"), bytes_of("garbage"));
  token_no_crlf[3] = uint8_t(token_no_crlf.size());
  token_no_crlf[4] = uint8_t(token_no_crlf.size() - 5);
  EXPECT_STREQ(parse_error(token_no_crlf), "rdp.bad_user_data");

  Buf bad_neg_len = kArkime;
  bad_neg_len[bad_neg_len.size() - 6] = 9;  // RDP_NEG_REQ length must be 8
  EXPECT_STREQ(parse_error(bad_neg_len), "rdp.bad_neg_req");

  Buf short_neg = from_hex("03000010 0b e0 0000 0000 00 01 00 0800 03");
  EXPECT_STREQ(parse_error(short_neg), "rdp.truncated_neg_req");

  // Another negotiation structure type after the cookie is not ours to read.
  Buf other_type = kArkime;
  other_type[other_type.size() - 8] = 0x06;
  RdpProbe r = parse_ok(other_type);
  EXPECT_EQ(r.cookie, "rdpuser");
  EXPECT_FALSE(r.requested_protocols.has_value());
}

TEST(RdpMatch, Rejects) {
  auto match = [](const Buf& b) { return rdp_match(view(b)); };
  EXPECT_EQ(match(from_hex("")), Match::need_more);
  EXPECT_EQ(match(from_hex("03")), Match::need_more);
  EXPECT_EQ(match(from_hex("0300")), Match::need_more);
  EXPECT_EQ(match(from_hex("030000")), Match::need_more);
  EXPECT_EQ(match(from_hex("0300000b")), Match::need_more);
  EXPECT_EQ(match(from_hex("0300000b06")), Match::need_more);
  EXPECT_EQ(match(from_hex("04")), Match::no);
  EXPECT_EQ(match(from_hex("0301")), Match::no);
  EXPECT_EQ(match(from_hex("0300000a")), Match::no);        // shorter than a CR
  EXPECT_EQ(match(from_hex("0300000b 06 d0")), Match::no);  // a disconnect request, not CR
  EXPECT_EQ(match(from_hex("0300000b 05 e0")), Match::no);  // LI below the fixed part
  EXPECT_EQ(match(from_hex("0300000b 07 e0")), Match::no);  // LI past the TPKT
  EXPECT_EQ(match(from_hex("16030100")), Match::no);        // TLS
  EXPECT_EQ(match(bytes_of("GET / HTTP/1.1\r\n")), Match::no);
  RdpProbe r;
  Buf tls = from_hex("16030100");
  EXPECT_STREQ(parse_rdp(view(tls), r).error, "rdp.not_connection_request");
  EXPECT_EQ(rdp_state(view(tls)), MessageState::invalid);
}

TEST(RdpState, EveryPrefix) {
  for (const Buf* full : {&kArkime, &kNmapCookie, &kBare}) {
    for (size_t n = 0; n < full->size(); ++n) {
      Buf b(full->begin(), full->begin() + n);
      EXPECT_EQ(rdp_match(view(b)), n < 6 ? Match::need_more : Match::yes) << n;
      EXPECT_EQ(rdp_state(view(b)), MessageState::need_more) << n;
      RdpProbe r;
      parse_rdp(view(b), r);  // a cut message may or may not parse; it must not crash
    }
  }
}

TEST(RdpParse, RandomGarbageNeverCrashes) {
  test::Garbage g(3389);
  for (int i = 0; i < 20000; ++i) {
    Buf b = i % 2 ? g.mutate(kArkime) : concat(from_hex("030000"), g.random(60));
    if (b.size() > 5 && i % 4 == 0) b[4] = uint8_t(b.size() - 5), b[5] = 0xe0;
    RdpProbe r;
    rdp_match(view(b));
    rdp_state(view(b));
    parse_rdp(view(b), r);
  }
}

}  // namespace
}  // namespace sg
