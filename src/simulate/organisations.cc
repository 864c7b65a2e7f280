#include "simulate/organisations.h"

#include <algorithm>
#include <ctime>
#include <string>

#include "simulate/profiles.h"

namespace sg::simulate {

void Rng::fill(uint8_t* p, size_t n) {
  for (size_t i = 0; i < n; i += 8) {
    uint64_t v = gen_();
    for (size_t j = 0; j < 8 && i + j < n; ++j, v >>= 8) p[i + j] = uint8_t(v);
  }
}

void Plan::bind() {
  if (udp) {
    dgram.query = client;
    dgram.answer = server;
    return;
  }
  tcp.client_payload = client;
  tcp.server_payload = server;
  tcp.server_greeting = greeting;
}

namespace {

// ---- addresses ----

IpAddr ip(const char* text) {
  IpAddr a;
  parse_ip(text, a);
  return a;
}

}  // namespace

// Adds `index` into the host bits of `c` (at most the low 64 bits).
IpAddr host_in(const Cidr& c, uint64_t index) {
  IpAddr a = c.net;
  int total = a.v4 ? 32 : 128;
  int host_bits = std::min(total - c.bits, 64);
  if (host_bits < 64) index &= (uint64_t(1) << host_bits) - 1;
  int bytes = a.v4 ? 4 : 16;
  unsigned carry = 0;
  for (int i = bytes - 1; i >= 0 && (index || carry); --i, index >>= 8) {
    unsigned sum = a.b[size_t(i)] + unsigned(index & 0xff) + carry;
    a.b[size_t(i)] = uint8_t(sum);
    carry = sum >> 8;
  }
  return a;
}

namespace {

Cidr cidr(const char* text) {
  Cidr c;
  parse_cidr(text, c);
  return c;
}

}  // namespace

uint32_t addr_hash(const IpAddr& a) {
  uint32_t h = 2166136261u;  // FNV-1a
  for (uint8_t b : a.b) h = (h ^ b) * 16777619u;
  return h;
}

namespace {

// ---- per-session basics ----

uint16_t linux_port(Rng& r) { return uint16_t(r.between(32768, 60999)); }
uint16_t windows_port(Rng& r) { return uint16_t(r.between(49152, 65535)); }

}  // namespace

std::string host_header(const IpAddr& a, uint16_t port, uint16_t default_port) {
  std::string h = a.v4 ? to_string(a) : "[" + to_string(a) + "]";
  return port == default_port ? h : h + ":" + std::to_string(port);
}

namespace {

// The path between scanner and sensor sometimes retransmits, reorders or splits the probe.
void network_quirks(Rng& r, TcpSession& s) {
  if (r.chance(0.02)) s.retransmit_segment = 0;
  if (r.chance(0.02)) s.reorder_segment = 0;
  if (r.chance(0.03)) s.segment_size = uint16_t(r.between(8, 64));
}

}  // namespace

void tcp_plan(SessionCtx& c, Plan& p, TcpStack client, uint16_t sport, uint16_t dport) {
  bool v6 = !c.src.v4;
  p.udp = false;
  p.spans.clear();
  p.greeting.clear();
  TcpSession& s = p.tcp;
  s = TcpSession{};
  s.flow = {{c.src, sport}, {c.dst, dport}, v6 ? uint32_t(c.rng.below(1 << 20)) : 0};
  s.start_us = c.start_us;
  s.rtt_us = c.rtt_us;
  s.server_delay_us = c.rng.between(30, 90);
  s.client = client;
  s.client.isn = uint32_t(c.rng.next());
  s.client.ip_id = uint16_t(c.rng.next());
  s.client.tsval = uint32_t(c.rng.next());
  s.server = sensor_stack(v6);
  s.server.isn = uint32_t(c.rng.next());
  s.server.ip_id = uint16_t(c.rng.next());
  s.server.tsval = uint32_t(c.rng.next());
  network_quirks(c.rng, s);
}

namespace {

std::string http_date(int64_t ts_us) {
  std::time_t t = std::time_t(ts_us / 1000000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  return buf;
}

}  // namespace

// The sensor's web server: a small page for "/", 404 elsewhere.
Bytes http_answer(const std::string& uri, int64_t ts_us) {
  bool found = uri == "/";
  std::string body = found ? "<html><head><title>Welcome</title></head><body>It works.</body></html>\n"
                           : "<html><body><h1>404 Not Found</h1></body></html>\n";
  return build_http_response(found ? 200 : 404, found ? "OK" : "Not Found",
                             {{"Server", "nginx/1.22.1"},
                              {"Date", http_date(ts_us)},
                              {"Content-Type", "text/html"},
                              {"Content-Length", std::to_string(body.size())},
                              {"Connection", "close"}},
                             body);
}

void http_probe(SessionCtx& c, Plan& p, const HttpRequest& r) {
  p.service = "http";
  p.client = build_http_request(r);
  p.server = http_answer(r.uri, c.start_us);
}

namespace {

// The sensor's preference among TLS 1.2 suites; it answers with the first one the client offers.
uint16_t choose_cipher(const ClientHello& h) {
  static const uint16_t kPreferred[] = {0xc02f, 0xc030, 0xc02b, 0xc02c, 0xcca8, 0x009c, 0x002f, 0x0035, 0x000a};
  for (uint16_t c : kPreferred)
    if (std::find(h.ciphers.begin(), h.ciphers.end(), c) != h.ciphers.end()) return c;
  return 0x002f;
}

// BoringSSL pads a ClientHello that would otherwise be shorter than 512 bytes up to 512.
void pad_to_512(ClientHello& h) {
  h.padding_length = 0;
  size_t len = build_client_hello(h).size() - 5;
  if (len < 512) h.padding_length = uint16_t(512 - len);
}

constexpr uint32_t kRandomOff = 11;     // record header 5, handshake header 4, version 2
constexpr uint32_t kSessionIdOff = 44;  // random, then the session id length byte

}  // namespace

void tls_probe(SessionCtx& c, Plan& p, ClientHello h, bool session_id) {
  c.rng.fill(h.random.data(), h.random.size());
  if (session_id) {
    h.session_id.resize(32);
    c.rng.fill(h.session_id.data(), 32);
  }
  if (std::find(h.extensions.begin(), h.extensions.end(), tlsext::padding) != h.extensions.end()) pad_to_512(h);
  p.service = "tls";
  p.client = build_client_hello(h);
  std::array<uint8_t, 32> server_random;
  c.rng.fill(server_random.data(), 32);
  p.server = build_server_hello(choose_cipher(h), server_random, h.session_id);
  p.spans.push_back({kRandomOff, RandomSpan::kNone, 32});
  if (session_id) p.spans.push_back({kSessionIdOff, kSessionIdOff, 32});
}

void ssh_probe(SessionCtx& c, Plan& p, const std::string& banner, std::optional<SshKexInit> kex) {
  static const std::string kServerBanner = "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3";
  if (kex) c.rng.fill(kex->cookie.data(), kex->cookie.size());
  p.service = "ssh";
  p.client = build_ssh_hello(banner, kex);
  p.greeting = build_ssh_hello(kServerBanner, std::nullopt);
  SshKexInit server = openssh_server_kexinit();
  c.rng.fill(server.cookie.data(), server.cookie.size());
  p.server = build_ssh_kexinit(server);
  // banner CRLF, then packet_length (4), padding_length (1), message type (1), cookie (16)
  if (kex) p.spans.push_back({uint32_t(banner.size() + 2 + 6), RandomSpan::kNone, 16});
}

namespace {

void rdp_probe(Plan& p, const RdpConnectionRequest& r) {
  p.service = "rdp";
  p.client = build_rdp_connection_request(r);
  uint32_t requested = r.requested_protocols.value_or(0);
  p.server = build_rdp_connection_confirm(requested & 1);  // the sensor speaks TLS when asked, else plain RDP
}

}  // namespace

std::string random_label(Rng& r, size_t n) {
  static const char kChars[] = "abcdefghijklmnopqrstuvwxyz0123456789";
  std::string s(n, 'a');
  for (char& ch : s) ch = kChars[r.below(36)];
  return s;
}

namespace {

template <class T>
void shuffle(Rng& r, std::vector<T>& v) {
  for (size_t i = v.size(); i > 1; --i) std::swap(v[i - 1], v[r.below(i)]);
}

// ---- the organisations ----

const std::vector<uint16_t> kHttpPorts = {80, 80, 80, 80, 8080, 8080, 8000, 8888, 81, 3389, 5000, 8081};
const std::vector<uint16_t> kTlsPorts = {443, 443, 443, 443, 8443, 8443, 4443, 10443, 9443};

// zgrab-like: HTTP GET / with the zgrab UA, Go's ClientHello without SNI.
void northwind(SessionCtx& c, Plan& p) {
  bool tls = c.rng.chance(0.45);
  uint16_t port = c.rng.pick(tls ? kTlsPorts : kHttpPorts);
  tcp_plan(c, p, linux_stack(c.hops, !c.src.v4), linux_port(c.rng), port);
  if (tls) return tls_probe(c, p, go_client_hello(), true);
  HttpRequest r;
  r.headers = {{"Host", host_header(c.dst, port, 80)},
               {"User-Agent", "Mozilla/5.0 zgrab/0.x"},
               {"Accept", "*/*"},
               {"Accept-Encoding", "gzip"}};
  http_probe(c, p, r);
}

// masscan-like: SYN only, its own tiny stack; its kernel resets the SYN-ACK.
void blueheron(SessionCtx& c, Plan& p) {
  static const std::vector<uint16_t> kPorts = {21,   22,   23,   25,   53,   80,    110,  135,  139,
                                               143,  443,  445,  993,  1433, 1723,  3306, 3389, 5432,
                                               5900, 6379, 8080, 8443, 9200, 11211, 27017};
  uint16_t sport = uint16_t(40000 + (addr_hash(c.src) + uint32_t(c.start_us / 86400000000LL)) % 20000);
  tcp_plan(c, p, masscan_stack(c.hops), sport, c.rng.pick(kPorts));
  p.tcp.syn_only = true;
  p.tcp.port_open = c.rng.chance(0.6);
  p.service = "syn";
  p.client.clear();
  p.server.clear();
}

// curl-like: curl's three headers, OpenSSL's ClientHello.
void harbor(SessionCtx& c, Plan& p) {
  bool tls = c.rng.chance(0.4);
  uint16_t port = tls ? c.rng.pick(kTlsPorts) : c.rng.pick(std::vector<uint16_t>{80, 80, 8080, 9200, 5000, 3389});
  tcp_plan(c, p, linux_stack(c.hops, !c.src.v4), linux_port(c.rng), port);
  if (tls) return tls_probe(c, p, openssl_client_hello(), true);
  HttpRequest r;
  r.headers = {{"Host", host_header(c.dst, port, 80)},
               {"User-Agent", c.rng.chance(0.7) ? "curl/7.88.1" : "curl/8.5.0"},
               {"Accept", "*/*"}};
  http_probe(c, p, r);
}

// python-requests-like: path lists, requests' default headers, CPython's ClientHello.
void quillmark(SessionCtx& c, Plan& p) {
  static const std::vector<std::string> kPaths = {
      "/", "/", "/.env", "/.git/config", "/wp-login.php", "/admin", "/actuator/health", "/api/v1/status"};
  bool tls = c.rng.chance(0.3);
  uint16_t port = tls ? c.rng.pick(kTlsPorts) : c.rng.pick(std::vector<uint16_t>{80, 80, 8080, 5000, 8000, 9000});
  tcp_plan(c, p, linux_stack(c.hops, !c.src.v4), linux_port(c.rng), port);
  if (tls) return tls_probe(c, p, python_client_hello(), true);
  HttpRequest r;
  r.uri = c.rng.pick(kPaths);
  r.headers = {{"Host", host_header(c.dst, port, 80)},
               {"User-Agent", "python-requests/2.31.0"},
               {"Accept-Encoding", "gzip, deflate"},
               {"Accept", "*/*"},
               {"Connection", "keep-alive"}};
  http_probe(c, p, r);
}

DnsQuery cinder_query(Rng& r) {
  DnsQuery q;
  q.id = uint16_t(r.next());
  if (r.chance(0.4)) {  // the BIND version query: CHAOS TXT, no recursion
    q.flags = 0x0000;
    q.qname = "version.bind";
    q.qtype = 16;
    q.qclass = 3;
    return q;
  }
  q.qname = random_label(r, 10) + ".census.example.net";
  q.qtype = r.pick(std::vector<uint16_t>{1, 1, 1, 28, 16});
  if (r.chance(0.5)) {
    EdnsSpec e;
    e.udp_size = 4096;
    if (r.chance(0.5)) {  // a client COOKIE (RFC 7873), as dig sends
      Bytes cookie(8);
      r.fill(cookie.data(), cookie.size());
      e.options.push_back({10, cookie});
    }
    q.edns = e;
  }
  return q;
}

}  // namespace

Bytes dns_answer(const DnsQuery& q) {
  if (q.qclass == 3) return build_dns_response(q, 0, dns_txt_rdata("9.18.28-1~deb12u2-Debian"));
  return build_dns_response(q, 3, {});  // NXDOMAIN for the made-up names
}

void udp_plan(SessionCtx& c, Plan& p, uint16_t sport, uint16_t dport) {
  p.udp = true;
  p.spans.clear();
  p.greeting.clear();
  UdpExchange& x = p.dgram;
  x = UdpExchange{};
  x.flow = {{c.src, sport}, {c.dst, dport}, c.src.v4 ? 0 : uint32_t(c.rng.below(1 << 20))};
  x.start_us = c.start_us;
  x.server_delay_us = c.rng.between(40, 400);
  x.client_ip = {uint8_t(64 - c.hops), false, uint16_t(c.rng.next())};
  x.server_ip = {64, false, uint16_t(c.rng.next())};
}

namespace {

// DNS census: version.bind and random names, mostly over UDP, sometimes over TCP.
void cinder(SessionCtx& c, Plan& p) {
  DnsQuery q = cinder_query(c.rng);
  uint16_t port = c.rng.chance(0.9) ? 53 : 5353;
  p.service = "dns";
  if (c.rng.chance(0.1)) {
    tcp_plan(c, p, linux_stack(c.hops, !c.src.v4), linux_port(c.rng), port);
    p.client = build_dns_tcp_query(q);
    Bytes answer = dns_answer(q);
    p.server = {uint8_t(answer.size() >> 8), uint8_t(answer.size())};
    p.server.insert(p.server.end(), answer.begin(), answer.end());
    p.spans.push_back({2, 2, 2});
    return;
  }
  udp_plan(c, p, uint16_t(c.rng.between(1024, 65535)), port);
  p.client = build_dns_query(q);
  p.server = dns_answer(q);
  p.spans.push_back({0, 0, 2});
}

// SSH banner grabber: Go's x/crypto client, some libssh, some banner-only.
void glasswing(SessionCtx& c, Plan& p) {
  uint16_t port = c.rng.pick(std::vector<uint16_t>{22, 22, 22, 22, 22, 22, 22, 2222, 22222, 2022});
  tcp_plan(c, p, linux_stack(c.hops, !c.src.v4), linux_port(c.rng), port);
  double u = double(c.rng.below(100)) / 100;
  if (u < 0.6)
    ssh_probe(c, p, "SSH-2.0-Go", go_ssh_kexinit());
  else if (u < 0.85)
    ssh_probe(c, p, "SSH-2.0-libssh_0.9.6", libssh_kexinit());
  else
    ssh_probe(c, p, "SSH-2.0-Go", std::nullopt);
  p.tcp.close = u < 0.85 ? TcpClose::fin : TcpClose::client_rst;
}

// RDP cookie prober on a Windows stack.
void tallow(SessionCtx& c, Plan& p) {
  uint16_t port = c.rng.pick(std::vector<uint16_t>{3389, 3389, 3389, 3389, 3388, 33890, 13389});
  tcp_plan(c, p, windows_stack(c.hops, !c.src.v4), windows_port(c.rng), port);
  RdpConnectionRequest r;
  r.cookie = c.rng.pick(std::vector<std::string>{"Administr", "Administr", "admin", "test"});
  if (!c.rng.chance(0.1)) r.requested_protocols = c.rng.pick(std::vector<uint32_t>{0x0b, 0x03, 0x03, 0x00});
  rdp_probe(p, r);
  p.tcp.close = TcpClose::client_rst;
}

// nmap-like: version-scan probes and NSE requests from nmap's raw stack.
void kestrel(SessionCtx& c, Plan& p) {
  static const std::string kNse = "Mozilla/5.0 (compatible; Nmap Scripting Engine; https://nmap.org/book/nse.html)";
  int kind = int(c.rng.below(100));
  uint16_t port = kind < 70   ? c.rng.pick(std::vector<uint16_t>{80, 8080, 3389, 8000})
                  : kind < 85 ? c.rng.pick(std::vector<uint16_t>{443, 8443})
                              : 3389;
  tcp_plan(c, p, nmap_stack(c.hops), linux_port(c.rng), port);
  p.tcp.close = TcpClose::client_rst;
  if (kind >= 85) return rdp_probe(p, {std::string("nmap"), std::nullopt, 0x03, 0});
  if (kind >= 70) {
    ClientHello h = sslv3_client_hello();
    tls_probe(c, p, h, false);
    uint32_t now = uint32_t(c.start_us / 1000000);  // SSL 3.0 random starts with gmt_unix_time
    for (int i = 0; i < 4; ++i) p.client[kRandomOff + size_t(i)] = uint8_t(now >> (24 - 8 * i));
    return;
  }
  HttpRequest r;
  if (kind < 40) {
    r.version = "HTTP/1.0";  // nmap-service-probes GetRequest
  } else if (kind < 60) {
    r.headers = {{"Connection", "close"}, {"User-Agent", kNse}, {"Host", host_header(c.dst, port, 80)}};
  } else {
    r.uri = "/nice%20ports%2C/Tri%6Eity.txt%2ebak";
    r.version = "HTTP/1.0";
  }
  http_probe(c, p, r);
}

// Chrome-like crawler: Chrome's header order, GREASE and permuted extensions, keep-alive.
void meridian(SessionCtx& c, Plan& p) {
  static const std::vector<std::string> kNames = {"www.example.com", "example.org", "shop.example.net",
                                                  "mail.example.com"};
  bool tls = c.rng.chance(0.5);
  uint16_t port = tls ? c.rng.pick(std::vector<uint16_t>{443, 443, 443, 8443}) : 80;
  tcp_plan(c, p, windows_stack(c.hops, !c.src.v4), windows_port(c.rng), port);
  p.tcp.close = c.rng.chance(0.5) ? TcpClose::none : TcpClose::fin;
  const std::string& name = c.rng.pick(kNames);
  if (tls) {
    ClientHello h = chrome_client_hello();
    h.server_name = name;
    shuffle(c.rng, h.extensions);
    return tls_probe(c, p, h, true);
  }
  HttpRequest r;
  r.headers = {{"Host", name},
               {"Connection", "keep-alive"},
               {"Upgrade-Insecure-Requests", "1"},
               {"User-Agent",
                "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
                "Chrome/120.0.0.0 Safari/537.36"},
               {"Accept",
                "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;"
                "q=0.8,application/signed-exchange;v=b3;q=0.7"},
               {"Accept-Encoding", "gzip, deflate"},
               {"Accept-Language", "en-US,en;q=0.9"}};
  http_probe(c, p, r);
}

// A scanner nobody lists: env-file hunting, proxy checks and API pokes, HTTP on odd ports too.
void unlisted(SessionCtx& c, Plan& p) {
  static const std::vector<std::string> kPaths = {"/.env",          "/.env", "/config.json", "/.aws/credentials",
                                                  "/server-status", "/"};
  uint16_t port = c.rng.pick(std::vector<uint16_t>{80, 80, 8080, 3389, 8443, 5555, 7547});
  tcp_plan(c, p, linux_stack(c.hops, false), linux_port(c.rng), port);
  std::string host = host_header(c.dst, port, 80);
  HttpRequest r;
  int kind = int(c.rng.below(100));
  if (kind < 55) {
    r.uri = c.rng.pick(kPaths);
    r.headers = {{"Host", host},
                 {"User-Agent",
                  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
                  "Chrome/91.0.4472.124 Safari/537.36"},
                 {"Accept-Encoding", "gzip"}};
  } else if (kind < 75) {
    r.method = "CONNECT";
    r.uri = "www.example.com:443";
    r.headers = {{"Host", "www.example.com:443"}};
  } else if (kind < 90) {
    r.method = "POST";
    r.uri = "/api/v1/ping";
    r.body = "{\"ping\":1}";
    r.headers = {
        {"Host", host}, {"Content-Type", "application/json"}, {"Content-Length", std::to_string(r.body.size())}};
  } else {
    r.method = "HEAD";
    r.version = "HTTP/1.0";
  }
  http_probe(c, p, r);
}

}  // namespace

const std::vector<Org>& scale_archetypes() {
  static const std::vector<Org> orgs = {
      {"northwind-survey", "198.51.100.16/28", "2001:db8:100::/64", 0.2, {50}, northwind},
      {"blueheron-sweep", "203.0.113.200/30", nullptr, 0, {320, 0x04, 3, 1}, blueheron},  // Wednesdays
      {"harbor-labs", "203.0.113.40/29", nullptr, 0, {12, 0x1f, 8, 10}, harbor},          // office hours
      {"quillmark", "198.51.100.128/28", "2001:db8:200::/64", 0.25, {25}, quillmark},
      {"cinder-census", "203.0.113.64/28", "2001:db8:300::/64", 0.15, {35}, cinder},
      {"glasswing", "198.51.100.208/28", nullptr, 0, {20}, glasswing},
      {"tallow-net", "203.0.113.96/28", nullptr, 0, {15}, tallow},
      {"kestrel-audit", "203.0.113.152/30", nullptr, 0, {45, 0x20, 14, 2}, kestrel},  // Saturdays
      {"meridian-crawler", "198.51.100.160/28", "2001:db8:400::/64", 0.3, {10}, meridian},
      {"", "203.0.113.0/27", nullptr, 0, {15}, unlisted},
  };
  return orgs;
}

const std::vector<IpAddr>& sensor_addresses(bool v6) {
  static const std::vector<IpAddr> v4s = [] {
    std::vector<IpAddr> out;
    for (int i = 0; i < 16; ++i) out.push_back(ip(("192.0.2." + std::to_string(10 + i)).c_str()));
    return out;
  }();
  static const std::vector<IpAddr> v6s = {ip("2001:db8::10"), ip("2001:db8::11"), ip("2001:db8::12"),
                                          ip("2001:db8::13")};
  return v6 ? v6s : v4s;
}

IpAddr pick_source(Rng& rng, const Org& org, bool v6) {
  if (v6 && org.v6) return host_in(cidr(org.v6), 1 + rng.below(16));
  Cidr c = cidr(org.v4);
  uint64_t size = uint64_t(1) << (32 - c.bits);
  return host_in(c, size > 2 ? 1 + rng.below(size - 2) : rng.below(size));  // skip network and broadcast
}

SessionCtx make_ctx(Rng& rng, int64_t start_us, const IpAddr& src) {
  uint32_t h = addr_hash(src);
  int64_t rtt = 8000 + int64_t(h >> 8) % 240000;
  const IpAddr& dst = rng.pick(sensor_addresses(!src.v4));
  return SessionCtx{rng, start_us, src, dst, uint8_t(6 + h % 18), rtt + rng.between(-rtt / 20, rtt / 20)};
}

}  // namespace sg::simulate
