// The simulator's payload builders produce what the project's own analyzers parse back.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "probe/dns.h"
#include "probe/http.h"
#include "probe/rdp.h"
#include "probe/ssh.h"
#include "probe/tls.h"
#include "simulate/payloads.h"
#include "simulate/profiles.h"

#include "simulate/sim_frames.h"

using namespace simtest;
namespace fs = std::filesystem;

TEST(Payloads, HttpRequestParses) {
  HttpRequest r;
  r.method = "POST";
  r.uri = "/api/v1/ping?x=1";
  r.headers = {{"Host", "192.0.2.10:8080"},
               {"User-Agent", "Mozilla/5.0 zgrab/0.x"},
               {"X-Lower", "keep Case"},
               {"Content-Length", "10"}};
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
