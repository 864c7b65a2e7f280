// EVE JSON records into probes: each event type, each DNS logging version, HTTP with and without request
// headers, JA3/JA4, the proto forms; what a record lacks is absent, never zero; and bad lines are counted
// skips that name the file and line, with the records around them kept.
#include "logs/eve.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "export/json.h"
#include "log_fixture.h"

namespace {

using sg::Probe;
using sg::logs::LineOutcome;
using sg::logs::parse_eve_line;

bool is_absent(const Probe& p, const std::string& key) {
  return std::find(p.absent.begin(), p.absent.end(), key) != p.absent.end();
}

const std::string kHead =
    R"({"timestamp":"2023-07-03T10:11:12.000123+0000","flow_id":1,"src_ip":"198.51.100.7","src_port":40000,)"
    R"("dest_ip":"192.0.2.1","dest_port":443,"proto":"TCP",)";

TEST(Eve, TlsWithJa3FillsWhatTheStringDetermines) {
  Probe p;
  auto o = parse_eve_line(kHead + R"("event_type":"tls","tls":{"sni":"example.com","version":"TLS 1.2",)"
                                  R"("ja3":{"hash":"abc","string":"771,4865-4866,0-10-11,29-23,0"},)"
                                  R"("ja4":"t13d0203h2_aaa_bbb"}})",
                          p);
  ASSERT_EQ(o.kind, LineOutcome::probe) << o.reason;
  EXPECT_EQ(p.source, sg::Source::eve);
  EXPECT_EQ(p.ts_us, 1688379072000123);
  EXPECT_EQ(p.service, sg::Service::tls);
  ASSERT_TRUE(p.tls);
  EXPECT_EQ(p.tls->version, 771);
  EXPECT_EQ(p.tls->ciphers, (std::vector<uint16_t>{4865, 4866}));
  EXPECT_EQ(p.tls->extensions, (std::vector<uint16_t>{0, 10, 11}));
  EXPECT_EQ(p.tls->supported_groups, (std::vector<uint16_t>{29, 23}));
  EXPECT_EQ(p.tls->ec_point_formats, (std::vector<uint8_t>{0}));
  EXPECT_EQ(p.tls->ja3, "771,4865-4866,0-10-11,29-23,0");
  EXPECT_EQ(p.tls->ja3_hash, "abc");
  EXPECT_EQ(p.tls->ja4, "t13d0203h2_aaa_bbb");
  EXPECT_EQ(p.tls->sni, "example.com");
  EXPECT_TRUE(is_absent(p, "tls.random"));
  EXPECT_TRUE(is_absent(p, "tls.alpn"));
  EXPECT_FALSE(is_absent(p, "tls.ciphers"));
  // The export leaves the absent keys out, and says where the probe came from.
  std::string json = sg::probe_to_jsonl(p);
  EXPECT_NE(json.find(R"("source":"eve")"), std::string::npos);
  EXPECT_EQ(json.find(R"("random")"), std::string::npos);
  EXPECT_EQ(json.find(R"("alpn")"), std::string::npos);
  EXPECT_NE(json.find(R"("ciphers":[4865,4866])"), std::string::npos);
  EXPECT_EQ(json.find(R"("syn")"), std::string::npos);
}

TEST(Eve, TlsWithoutJa3LeavesTheHelloAbsent) {
  Probe p;
  ASSERT_EQ(parse_eve_line(kHead + R"("event_type":"tls","tls":{"sni":"a.example"}})", p).kind, LineOutcome::probe);
  for (const char* k : {"tls.version", "tls.ciphers", "tls.ja3", "tls.ja3_hash", "tls.ja4"})
    EXPECT_TRUE(is_absent(p, k)) << k;
  std::string json = sg::probe_to_jsonl(p);
  EXPECT_EQ(json.find("ciphers"), std::string::npos);
  EXPECT_NE(json.find(R"("sni":"a.example")"), std::string::npos);
}

TEST(Eve, HttpWithAndWithoutRequestHeaders) {
  Probe p;
  ASSERT_EQ(
      parse_eve_line(kHead + R"("event_type":"http","tx_id":0,"http":{"hostname":"h","url":"/x?a=1",)"
                             R"("http_user_agent":"ua","http_method":"GET","protocol":"HTTP/1.1",)"
                             R"("request_headers":[{"name":"Host","value":"h"},{"name":"User-Agent","value":"ua"}]}})",
                     p)
          .kind,
      LineOutcome::probe);
  ASSERT_TRUE(p.http);
  EXPECT_EQ(p.http->method, "GET");
  EXPECT_EQ(p.http->uri, "/x?a=1");
  EXPECT_EQ(p.http->version, "HTTP/1.1");
  ASSERT_EQ(p.http->headers.size(), 2u);
  EXPECT_EQ(p.http->headers[1].first, "User-Agent");
  EXPECT_FALSE(is_absent(p, "http.headers"));
  EXPECT_TRUE(is_absent(p, "http.body_length"));

  ASSERT_EQ(parse_eve_line(kHead + R"("event_type":"http","http":{"url":"/","http_method":"HEAD"}})", p).kind,
            LineOutcome::probe);
  EXPECT_TRUE(is_absent(p, "http.headers"));
  EXPECT_TRUE(is_absent(p, "http.version"));
  EXPECT_EQ(sg::probe_to_jsonl(p).find("headers"), std::string::npos);
  // A later transaction on the same flow is not a first message.
  EXPECT_EQ(parse_eve_line(kHead + R"("event_type":"http","http":{"url":"/","http_method":"GET","tx_id":3}})", p).kind,
            LineOutcome::skipped);
}

TEST(Eve, DnsVersionsOneTwoAndThree) {
  const std::string udp =
      R"({"timestamp":"2019-01-01T00:00:00.5Z","src_ip":"2001:db8::1","src_port":5353,"dest_ip":"2001:db8::2",)"
      R"("dest_port":53,"proto":"017","event_type":"dns",)";
  Probe p;
  // v1 and v2 requests: "type":"query"
  ASSERT_EQ(
      parse_eve_line(udp + R"("dns":{"type":"query","id":4660,"rrname":"example.org","rrtype":"AAAA","tx_id":0}})", p)
          .kind,
      LineOutcome::probe);
  EXPECT_EQ(p.transport, sg::Transport::udp);
  EXPECT_EQ(p.src, "2001:db8::1");
  EXPECT_EQ(p.ts_us, 1546300800500000);
  EXPECT_EQ(p.dns->id, 4660);
  EXPECT_EQ(p.dns->qname, "example.org");
  EXPECT_EQ(p.dns->qtype, 28);
  EXPECT_TRUE(is_absent(p, "dns.flags"));
  EXPECT_TRUE(is_absent(p, "dns.qclass"));
  // answers (v1 per answer, v2 "answer", v3 "response") are not probes
  for (const char* t : {"answer", "response"})
    EXPECT_EQ(parse_eve_line(udp + R"("dns":{"version":2,"type":")" + t + R"(","id":1,"rrname":"x"}})", p).kind,
              LineOutcome::skipped);
  // v3: "request" with the queries in an array and the flags word in hex
  ASSERT_EQ(
      parse_eve_line(udp + R"("dns":{"version":3,"type":"request","tx_id":0,"id":7,"flags":"100","rd":true,)"
                           R"("opcode":0,"rcode":"NOERROR","queries":[{"rrname":"www.suricata.io","rrtype":"A"}]}})",
                     p)
          .kind,
      LineOutcome::probe);
  EXPECT_EQ(p.dns->qname, "www.suricata.io");
  EXPECT_EQ(p.dns->qtype, 1);
  EXPECT_EQ(p.dns->flags, 0x100);
  EXPECT_TRUE(p.dns->rd);
  EXPECT_FALSE(p.dns->qr);
  EXPECT_FALSE(is_absent(p, "dns.flags"));
}

TEST(Eve, SshBannerAndHassh) {
  Probe p;
  ASSERT_EQ(parse_eve_line(kHead + R"("event_type":"ssh","ssh":{"client":{"proto_version":"2.0",)"
                                   R"("software_version":"OpenSSH_8.9p1 Ubuntu-3","hassh":{"hash":"h",)"
                                   R"("string":"curve25519-sha256,ext-info-c;aes128-ctr;hmac-sha2-256;none"}}}})",
                           p)
                .kind,
            LineOutcome::probe);
  EXPECT_EQ(p.ssh->banner, "SSH-2.0-OpenSSH_8.9p1 Ubuntu-3");
  EXPECT_TRUE(p.ssh->kexinit);
  EXPECT_EQ(p.ssh->kex_algorithms, (std::vector<std::string>{"curve25519-sha256", "ext-info-c"}));
  EXPECT_EQ(p.ssh->hassh, "h");
  EXPECT_TRUE(is_absent(p, "ssh.host_key_algorithms"));
  ASSERT_EQ(parse_eve_line(
                kHead + R"("event_type":"ssh","ssh":{"client":{"proto_version":"1.99","software_version":"x"}}})", p)
                .kind,
            LineOutcome::probe);
  EXPECT_TRUE(is_absent(p, "ssh.kexinit"));
  EXPECT_EQ(sg::probe_to_jsonl(p).find("kexinit"), std::string::npos);
}

TEST(Eve, OtherEventTypesAreCountedByName) {
  Probe p;
  auto flow = parse_eve_line(kHead + R"("event_type":"flow","flow":{}})", p);
  EXPECT_EQ(flow.kind, LineOutcome::skipped);
  EXPECT_EQ(flow.reason, "eve: flow event");
  EXPECT_EQ(parse_eve_line(kHead + R"("event_type":"alert"})", p).reason, "eve: alert event");
  EXPECT_EQ(parse_eve_line(kHead + R"("event_type":"no-such-type"})", p).reason, "eve: other event type");
}

TEST(Eve, BadValuesAreErrors) {
  Probe p;
  auto bad = [&](const std::string& line) { return parse_eve_line(line, p).kind == LineOutcome::bad; };
  EXPECT_TRUE(bad(kHead.substr(0, 60)));  // truncated
  EXPECT_TRUE(bad("[1,2]"));
  EXPECT_TRUE(
      bad(R"({"timestamp":"yesterday","src_ip":"1.2.3.4","src_port":1,"dest_ip":"1.2.3.5","dest_port":2,)"
          R"("proto":"TCP","event_type":"ssh","ssh":{"client":{"proto_version":"2.0","software_version":"x"}}})"));
  EXPECT_TRUE(bad(
      R"({"timestamp":"2023-07-03T10:11:12Z","src_ip":"1.2.3.999","src_port":1,"dest_ip":"1.2.3.5",)"
      R"("dest_port":2,"proto":"TCP","event_type":"ssh","ssh":{"client":{"proto_version":"2.0","software_version":"x"}}})"));
  EXPECT_TRUE(bad(
      R"({"timestamp":"2023-07-03T10:11:12Z","src_ip":"1.2.3.4","src_port":70000,"dest_ip":"1.2.3.5",)"
      R"("dest_port":2,"proto":"TCP","event_type":"ssh","ssh":{"client":{"proto_version":"2.0","software_version":"x"}}})"));
  EXPECT_TRUE(bad(
      R"({"timestamp":"2023-07-03T10:11:12Z","src_ip":"1.2.3.4","src_port":1,"dest_ip":"1.2.3.5",)"
      R"("dest_port":2,"proto":"ICMP","event_type":"ssh","ssh":{"client":{"proto_version":"2.0","software_version":"x"}}})"));
}

TEST(Eve, OverLongFirstLineStillSniffsAsEve) {
  sgtest::TempDir dir("sg_eve");
  const std::string ssh =
      kHead + R"("event_type":"ssh","ssh":{"client":{"proto_version":"2.0","software_version":"a"}}})";
  auto run = sgtest::read_log_text(dir, "eve.json", std::string(3 << 20, '{') + "\n" + ssh + "\n");
  ASSERT_EQ(run.format, sg::logs::LogFormat::eve);
  EXPECT_EQ(run.probes.size(), 1u);
  ASSERT_EQ(run.bad.size(), 1u);
  EXPECT_EQ(run.bad[0], dir.file("eve.json") + ":1: eve: line too long");
}

TEST(Eve, BadLinesAreReportedWithFileAndLineAndNothingAroundThemIsLost) {
  sgtest::TempDir dir("sg_eve");
  const std::string ssh =
      kHead + R"("event_type":"ssh","ssh":{"client":{"proto_version":"2.0","software_version":"a"}}})";
  std::string text = ssh + "\n" + kHead.substr(0, 50) + "\n" + kHead + R"("event_type":"whatever"})" + "\n" +
                     std::string(2 << 20, ' ') + "\n" + ssh + "\n";
  auto run = sgtest::read_log_text(dir, "eve.json", text);
  ASSERT_EQ(run.format, sg::logs::LogFormat::eve);
  EXPECT_EQ(run.probes.size(), 2u);
  ASSERT_EQ(run.bad.size(), 2u);
  EXPECT_EQ(run.bad[0], dir.file("eve.json") + ":2: eve: truncated or invalid JSON");
  EXPECT_EQ(run.bad[1], dir.file("eve.json") + ":4: eve: line too long");
  EXPECT_EQ(run.stats.skipped.at("eve: other event type"), 1u);
  EXPECT_EQ(run.stats.skipped.at("eve: line too long"), 1u);
  EXPECT_EQ(run.stats.records, 5u);
  EXPECT_TRUE(run.stats.file_errors.empty());
}

}  // namespace
