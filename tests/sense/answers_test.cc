// The sensor's answers: DNS (what is answered, the amplification bound, hostile questions), HTTP, the
// sensor id of tags and the per-source rate limiter.
#include <gtest/gtest.h>

#include <string>

#include "labels/tagging.h"
#include "probe/dns.h"
#include "probe/http.h"
#include "sense/answer_dns.h"
#include "sense/answer_http.h"
#include "sense/limits.h"
#include "sense/tag.h"

using namespace sg;
using namespace sg::sense;

namespace {

std::string query(std::string_view name, uint16_t qtype, uint16_t qclass, uint16_t flags = 0x0100) {
  std::string q = {char(0x12), char(0x34), char(flags >> 8), char(flags & 0xff), 0, 1, 0, 0, 0, 0, 0, 0};
  size_t start = 0;
  while (start <= name.size()) {
    size_t dot = name.find('.', start);
    if (dot == std::string_view::npos) dot = name.size();
    q += char(dot - start);
    q += name.substr(start, dot - start);
    start = dot + 1;
  }
  q += '\0';
  q += {char(qtype >> 8), char(qtype & 0xff), char(qclass >> 8), char(qclass & 0xff)};
  return q;
}

}  // namespace

TEST(DnsAnswer, VersionBindGetsTxtInChaos) {
  const std::string q = query("version.bind", 16, 3);
  auto a = dns_answer(as_bytes(q), "9.18", 3 * q.size());
  ASSERT_TRUE(a);
  // The answer parses as DNS: same id, QR and AA, one answer, the question echoed.
  EXPECT_EQ(uint8_t((*a)[0]), 0x12);
  EXPECT_EQ(uint8_t((*a)[1]), 0x34);
  EXPECT_EQ(uint8_t((*a)[2]) & 0x84, 0x84);  // QR, AA
  EXPECT_EQ(uint8_t((*a)[3]) & 0x0f, 0);     // NOERROR
  EXPECT_EQ((*a)[7], 1);                     // ANCOUNT
  EXPECT_EQ(a->substr(12, q.size() - 12), q.substr(12));
  EXPECT_NE(a->find("9.18"), std::string::npos);
  EXPECT_LE(a->size(), 3 * q.size());
}

TEST(DnsAnswer, OtherQueriesAreRefusedWithoutRecords) {
  const std::string q = query("example.com", 1, 1);
  auto a = dns_answer(as_bytes(q), "9.18", 3 * q.size());
  ASSERT_TRUE(a);
  EXPECT_EQ(uint8_t((*a)[3]) & 0x0f, 5);  // REFUSED
  EXPECT_EQ((*a)[7], 0);
  EXPECT_EQ(a->size(), q.size());  // header and question: never larger than the query
}

TEST(DnsAnswer, AnswerLargerThanTheBoundIsCutWithTc) {
  const std::string q = query("version.bind", 16, 3);
  auto a = dns_answer(as_bytes(q), std::string(200, 'v'), q.size());
  ASSERT_TRUE(a);
  EXPECT_LE(a->size(), q.size());
  EXPECT_EQ(uint8_t((*a)[2]) & 0x02, 0x02);  // TC
  EXPECT_EQ((*a)[7], 0);
}

TEST(DnsAnswer, NotAQueryOrMalformedIsNotAnswered) {
  std::string q = query("version.bind", 16, 3);
  std::string resp = q;
  resp[2] = char(resp[2] | 0x80);  // QR: an answer, never answered (no reflection loops)
  EXPECT_FALSE(dns_answer(as_bytes(resp), "x", 1000));
  EXPECT_FALSE(dns_answer(as_bytes(q.substr(0, 20)), "x", 1000));  // cut in the name
  std::string ptr = q.substr(0, 12) + "\xc0\x0c" + q.substr(q.size() - 4);
  EXPECT_FALSE(dns_answer(as_bytes(ptr), "x", 1000));  // a compression pointer in the question
  std::string two = q;
  two[5] = 2;  // QDCOUNT 2
  EXPECT_FALSE(dns_answer(as_bytes(two), "x", 1000));
  EXPECT_FALSE(dns_answer(ByteView{}, "x", 1000));
  for (size_t n = 0; n < q.size(); ++n) dns_answer(as_bytes(q.substr(0, n)), "x", 1000);  // no crash on any prefix
}

TEST(DnsAnswer, TheProbeParserReadsTheAnswersQuestion) {
  const std::string q = query("version.bind", 16, 3);
  DnsProbe p;
  ASSERT_TRUE(parse_dns_query(as_bytes(q), p).ok());
  EXPECT_EQ(p.qname, "version.bind");
  EXPECT_EQ(p.qclass, 3);
}

TEST(HttpAnswer, IsAWholeResponseWithTheCookie) {
  std::string r = http_answer(true, "nginx/1.22.1", "sid=abc; Path=/; HttpOnly", 1'700'000'000'000'000);
  EXPECT_EQ(r.rfind("HTTP/1.1 200 OK\r\n", 0), 0u);
  EXPECT_NE(r.find("\r\nSet-Cookie: sid=abc; Path=/; HttpOnly\r\n"), std::string::npos);
  EXPECT_NE(r.find("Date: Tue, 14 Nov 2023 22:13:20 GMT\r\n"), std::string::npos);
  const size_t head = r.find("\r\n\r\n");
  ASSERT_NE(head, std::string::npos);
  const size_t cl = r.find("Content-Length: ");
  EXPECT_EQ(std::stoul(r.substr(cl + 16)), r.size() - head - 4);
  std::string bad = http_answer(false, "nginx", "", 0);
  EXPECT_EQ(bad.rfind("HTTP/1.1 400 Bad Request\r\n", 0), 0u);
  EXPECT_EQ(bad.find("Set-Cookie"), std::string::npos);
}

TEST(Tag, SensorIdIsTheNumberOrAHashOfTheName) {
  EXPECT_EQ(sensor_id("7"), 7u);
  EXPECT_EQ(sensor_id("4294967295"), 4294967295u);
  EXPECT_NE(sensor_id("4294967296"), 0u);  // too large for a number: hashed
  EXPECT_EQ(sensor_id("sensor-a"), sensor_id("sensor-a"));
  EXPECT_NE(sensor_id("sensor-a"), sensor_id("sensor-b"));
}

TEST(Tag, CookieOpensToTheRecord) {
  labels::TagKey key{};
  key[0] = 9;
  Tagger t(key, 42, "sid");
  IpAddr ip;
  ASSERT_TRUE(parse_ip("198.51.100.9", ip));
  const std::string c = t.set_cookie(1'700'000'000'000'000, 1234, ip);
  ASSERT_EQ(c.rfind("sid=", 0), 0u);
  auto rec = labels::open_tag(key, c.substr(4, labels::kTagChars));
  ASSERT_TRUE(rec);
  EXPECT_EQ(rec->sensor, 42u);
  EXPECT_EQ(rec->record, 1234u);
  EXPECT_EQ(rec->scanner, ip);
}

TEST(RateLimiter, BurstThenRate) {
  RateLimiter r(10, 5, 100);
  IpAddr a, b;
  ASSERT_TRUE(parse_ip("192.0.2.1", a));
  ASSERT_TRUE(parse_ip("192.0.2.2", b));
  int64_t t = 1'000'000;
  for (int i = 0; i < 5; ++i) EXPECT_TRUE(r.allow(a, t));
  EXPECT_FALSE(r.allow(a, t));
  EXPECT_TRUE(r.allow(b, t));            // another source has its own bucket
  EXPECT_TRUE(r.allow(a, t + 100'000));  // 0.1 s at 10/s: one token
  EXPECT_FALSE(r.allow(a, t + 100'000));
  r.sweep(t + 10'000'000);  // both refilled: forgotten
  EXPECT_EQ(r.sources(), 0u);
}

TEST(RateLimiter, FullTableRefusesNewSources) {
  RateLimiter r(1, 1, 2);
  IpAddr ip;
  for (int i = 1; i <= 3; ++i) {
    ASSERT_TRUE(parse_ip("192.0.2." + std::to_string(i), ip));
    EXPECT_EQ(r.allow(ip, 0), i <= 2);
  }
  EXPECT_EQ(r.sources(), 2u);
  RateLimiter off(0, 1, 1);
  for (int i = 0; i < 100; ++i) EXPECT_TRUE(off.allow(ip, 0));
}
