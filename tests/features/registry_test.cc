// The field registry: every field of docs/FIELDS.md is covered, each kind extracts what the export wrote, and
// hostile records give "absent", never a crash.
#include <gtest/gtest.h>

#include <map>
#include <random>
#include <set>

#include "export/json.h"
#include "feature_fixtures.h"
#include "features/tokenize.h"

using namespace sg;
using namespace sg::features;

namespace {

std::set<std::string> covered(Service s) {
  std::set<std::string> out;
  for (const FieldSpec& f : service_fields(s))
    for (const char* src : f.sources) out.insert(src);
  return out;
}

FieldValue field(const ProbeDoc& d, Service s, const std::string& name) {
  const FieldSpec* f = find_field(s, name);
  EXPECT_NE(f, nullptr) << name;
  return f ? extract_field(*f, d, s) : FieldValue{};
}

ProbeDoc doc(const Probe& p) {
  ProbeDoc d;
  EXPECT_TRUE(d.parse(probe_to_jsonl(p)));
  return d;
}

}  // namespace

TEST(Registry, CoversEveryDesignField) {
  // docs/FIELDS.md "Per-service fields", in the export's key names.
  const std::map<Service, std::vector<std::string>> design = {
      {Service::http, {"method", "uri", "version", "headers", "user_agent", "host", "body_length"}},
      {Service::tls,
       {"record_version", "version", "random", "gmt_unix_time", "session_id", "ciphers", "compression_methods",
        "extensions", "sni", "alpn", "supported_groups", "ec_point_formats", "signature_algorithms",
        "supported_versions", "ja3", "ja3_hash", "ja4"}},
      {Service::dns,
       {"id",    "qr",      "opcode",  "aa",      "tc",      "rd",    "ra",    "z",      "ad",   "cd",
        "rcode", "qdcount", "ancount", "nscount", "arcount", "qname", "qtype", "qclass", "edns", "flags"}},
      {Service::ssh,
       {"banner", "kex_algorithms", "host_key_algorithms", "encryption_c2s", "mac_c2s", "compression_c2s", "hassh"}},
      {Service::rdp, {"cookie", "routing_token", "requested_protocols"}},
      {Service::syn, {"ttl", "window", "mss", "wscale", "options", "df"}},
  };
  for (const auto& [svc, keys] : design) {
    std::set<std::string> have = covered(svc);
    for (const std::string& k : keys)
      EXPECT_TRUE(have.count(std::string(service_name(svc)) + "." + k)) << service_name(svc) << "." << k;
  }
  // The TCP SYN signature is a field of every TCP service.
  for (Service s : {Service::http, Service::tls, Service::ssh, Service::rdp})
    EXPECT_NE(find_field(s, "syn_sig"), nullptr) << service_name(s);
  for (Service s : feature_services()) {
    const auto& f = service_fields(s);
    for (size_t i = 1; i < f.size(); ++i) EXPECT_LT(std::string(f[i - 1].name), f[i].name);  // alphabetical
    for (const FieldSpec& spec : f) {
      if (spec.kind == FieldKind::option)
        EXPECT_EQ(spec.width, 0) << spec.name;
      else
        EXPECT_GT(spec.width, 0) << spec.name;
    }
  }
  EXPECT_EQ(find_field(Service::dns, "qname")->width, 32);
  EXPECT_EQ(find_field(Service::http, "uri")->width, 10);
}

TEST(Registry, HttpFields) {
  Probe p = sgtest::http_probe(sgtest::kT0, "198.51.100.7", "Mozilla/5.0 zgrab/0.x",
                               {{"Accept-Encoding", "gzip, deflate"}, {"Connection", "close"}});
  p.http->body_length = 70000;
  p.syn = SynSignature{50, 64240, 1460, 7, {2, 4, 8, 1, 3}, 60, true};
  ProbeDoc d = doc(p);
  EXPECT_EQ(field(d, Service::http, "accept").tokens, (std::vector<std::string>{"*/*"}));
  EXPECT_EQ(field(d, Service::http, "accept_encoding").tokens, (std::vector<std::string>{"gzip", "deflate"}));
  EXPECT_EQ(field(d, Service::http, "accept_encoding").label, "gzip, deflate");
  EXPECT_EQ(field(d, Service::http, "header_names").tokens,
            (std::vector<std::string>{"Host", "User-Agent", "Accept", "Accept-Encoding", "Connection"}));
  EXPECT_EQ(field(d, Service::http, "header_order").tokens,
            (std::vector<std::string>{"Host,User-Agent,Accept,Accept-Encoding,Connection"}));
  EXPECT_EQ(field(d, Service::http, "header_values").tokens, (std::vector<std::string>{"Connection: close"}));
  EXPECT_EQ(field(d, Service::http, "host").bytes, "192.0.2.1");
  EXPECT_EQ(field(d, Service::http, "uri").bytes, "/");
  EXPECT_EQ(field(d, Service::http, "method").tokens, (std::vector<std::string>{"GET"}));
  EXPECT_EQ(field(d, Service::http, "version").tokens, (std::vector<std::string>{"HTTP/1.1"}));
  EXPECT_EQ(field(d, Service::http, "body_length").number, 70000u);
  EXPECT_EQ(field(d, Service::http, "user_agent").label, "Mozilla/5.0 zgrab/0.x");
  EXPECT_EQ(field(d, Service::http, "syn_sig").tokens, (std::vector<std::string>{"64:64240:1460:7:2,4,8,1,3:df"}));
  p.syn.reset();
  EXPECT_FALSE(field(doc(p), Service::http, "syn_sig").present);
}

TEST(Registry, TlsFieldsNormaliseGrease) {
  Probe p = sgtest::tls_probe(sgtest::kT0, "198.51.100.8", {0x1a1a, 4865, 4866}, 7);
  p.tls->extensions = {0x2a2a, 0, 43};
  p.tls->supported_versions = {0x3a3a, 772, 771};
  p.tls->alpn = {"h2", "http/1.1"};
  ProbeDoc d = doc(p);
  EXPECT_EQ(field(d, Service::tls, "ciphers").tokens, (std::vector<std::string>{"grease", "4865", "4866"}));
  EXPECT_EQ(field(d, Service::tls, "ciphers").label, "grease,4865,4866");
  EXPECT_EQ(field(d, Service::tls, "extensions").tokens, (std::vector<std::string>{"grease", "0", "43"}));
  EXPECT_EQ(field(d, Service::tls, "alpn").tokens, (std::vector<std::string>{"h2", "http/1.1"}));
  EXPECT_EQ(field(d, Service::tls, "version").tokens, (std::vector<std::string>{"771"}));
  EXPECT_EQ(field(d, Service::tls, "record_version").tokens, (std::vector<std::string>{"769"}));
  FieldValue random = field(d, Service::tls, "random");
  ASSERT_EQ(random.bytes.size(), 32u);
  EXPECT_EQ(uint8_t(random.bytes[0]), p.tls->random[0]);
  EXPECT_EQ(field(d, Service::tls, "gmt_unix_time").number, p.tls->gmt_unix_time);
  EXPECT_EQ(field(d, Service::tls, "session_id_length").number, 32u);
  EXPECT_EQ(field(d, Service::tls, "ja3").tokens, (std::vector<std::string>{"00112233445566778899aabbccddeeff"}));
  EXPECT_EQ(field(d, Service::tls, "ja3").label, "771,x");
  EXPECT_FALSE(field(d, Service::tls, "sni").present);
  EXPECT_TRUE(field(d, Service::tls, "ec_point_formats").present);
}

TEST(Registry, DnsSshRdpSyn) {
  Probe p;
  p.service = Service::dns;
  p.transport = Transport::udp;
  DnsProbe q;
  q.id = 0xabcd;
  q.rd = true;
  q.opcode = 2;
  q.qdcount = 1;
  q.arcount = 300;  // saturates at 8 bits in the image, the value itself is read as is
  q.qname = "version.bind";
  q.qtype = 16;
  q.qclass = 3;
  q.edns = DnsEdns{4096, 0, 0, true, {10}};
  p.dns = q;
  ProbeDoc d = doc(p);
  EXPECT_EQ(field(d, Service::dns, "id").number, 0xabcdu);
  EXPECT_EQ(field(d, Service::dns, "rd").number, 1u);
  EXPECT_EQ(field(d, Service::dns, "qr").number, 0u);
  EXPECT_TRUE(field(d, Service::dns, "qr").present);
  EXPECT_EQ(field(d, Service::dns, "opcode").number, 2u);
  EXPECT_EQ(field(d, Service::dns, "arcount").number, 300u);
  EXPECT_EQ(field(d, Service::dns, "qname").bytes, "version.bind");
  EXPECT_EQ(field(d, Service::dns, "qclass").number, 3u);
  EXPECT_EQ(field(d, Service::dns, "edns_udp_size").number, 4096u);
  EXPECT_EQ(field(d, Service::dns, "edns_do").number, 1u);
  EXPECT_EQ(field(d, Service::dns, "edns_options").tokens, (std::vector<std::string>{"10"}));
  p.dns->edns->options.clear();
  EXPECT_EQ(field(doc(p), Service::dns, "edns_options").tokens, (std::vector<std::string>{"none"}));
  p.dns->edns.reset();
  EXPECT_FALSE(field(doc(p), Service::dns, "edns_options").present);

  Probe s;
  s.service = Service::ssh;
  SshProbe ssh;
  ssh.banner = "SSH-2.0-Go";
  ssh.kexinit = true;
  ssh.kex_algorithms = {"curve25519-sha256", "ext-info-c"};
  ssh.hassh = "0123";
  s.ssh = ssh;
  d = doc(s);
  EXPECT_EQ(field(d, Service::ssh, "kex_algorithms").tokens,
            (std::vector<std::string>{"curve25519-sha256", "ext-info-c"}));
  EXPECT_EQ(field(d, Service::ssh, "hassh").tokens, (std::vector<std::string>{"0123"}));
  EXPECT_EQ(field(d, Service::ssh, "banner").tokens, (std::vector<std::string>{"SSH-2.0-Go", "SSH-2.0", "Go"}));

  Probe r;
  r.service = Service::rdp;
  r.rdp = RdpProbe{std::string("Administr"), std::nullopt, 3u, 0};
  d = doc(r);
  EXPECT_EQ(field(d, Service::rdp, "cookie").tokens, (std::vector<std::string>{"Administr"}));
  EXPECT_EQ(field(d, Service::rdp, "requested_protocols").tokens, (std::vector<std::string>{"3"}));
  EXPECT_FALSE(field(d, Service::rdp, "routing_token").present);

  Probe y;
  y.service = Service::syn;
  y.syn = SynSignature{234, 1024, 1460, std::nullopt, {2}, 44, false};
  d = doc(y);
  EXPECT_EQ(field(d, Service::syn, "ttl").number, 255u);
  EXPECT_EQ(field(d, Service::syn, "window").number, 1024u);
  EXPECT_EQ(field(d, Service::syn, "options").tokens, (std::vector<std::string>{"2"}));
  EXPECT_FALSE(field(d, Service::syn, "wscale").present);
  EXPECT_EQ(field(d, Service::syn, "sig").tokens, (std::vector<std::string>{"255:1024:1460:*:2:"}));
}

TEST(Registry, HostileRecordsAreAbsentNotCrashes) {
  ProbeDoc d;
  EXPECT_FALSE(d.parse("not json"));
  EXPECT_FALSE(d.parse("[1,2]"));
  ASSERT_TRUE(d.parse(R"({"service":"http","http":{"headers":"x","user_agent":5,"body_length":"a","method":[],
    "uri":{"a":1},"host":null},"syn":{"ttl":"x","options":[-1,"a",{}]}})"));
  for (const FieldSpec& f : service_fields(Service::http)) {
    FieldValue v = extract_field(f, d, Service::http);
    EXPECT_FALSE(v.present) << f.name;
  }
  ASSERT_TRUE(d.parse(R"({"service":"http","http":{"headers":[["a"],["b",1],[1,2],"x",["Accept","gzip"]]}})"));
  EXPECT_EQ(field(d, Service::http, "header_names").tokens, (std::vector<std::string>{"Accept"}));
  ASSERT_TRUE(d.parse(R"({"service":"tls","tls":{"ciphers":[1,-5,1.5,"x",70000],"random":"zz1"}})"));
  EXPECT_EQ(field(d, Service::tls, "ciphers").tokens, (std::vector<std::string>{"1", "x", "70000"}));
  EXPECT_TRUE(field(d, Service::tls, "random").present);  // odd or non-hex digits give bytes, not a crash

  // Random byte damage to real records: whatever still parses is read without a crash.
  std::vector<std::string> records = {
      probe_to_jsonl(sgtest::http_probe(sgtest::kT0, "198.51.100.7", "Mozilla/5.0 (X11; Linux) Firefox/1.0",
                                        {{"Accept-Encoding", "gzip"}})),
      probe_to_jsonl(sgtest::tls_probe(sgtest::kT0, "198.51.100.8", {0x1a1a, 4865}, 3))};
  std::mt19937 rng(1);
  int parsed = 0;
  for (int i = 0; i < 4000; ++i) {
    std::string r = records[size_t(i) % records.size()];
    for (int k = 0; k < 3; ++k) r[rng() % r.size()] = "{}[]\",:0a\\"[rng() % 10];
    if (!d.parse(r)) continue;
    ++parsed;
    for (Service s : feature_services())
      for (const FieldSpec& f : service_fields(s)) extract_field(f, d, s);
  }
  EXPECT_GT(parsed, 100);
}

TEST(ProbeDoc, MemoryDoesNotGrowWithProbesParsed) {
  ProbeDoc d;
  Probe big = sgtest::http_probe(sgtest::kT0, "198.51.100.7", std::string(3000, 'u'));
  for (int i = 0; i < 200; ++i) big.http->headers.push_back({"X-" + std::to_string(i), std::string(100, 'v')});
  std::string text = probe_to_jsonl(big);
  ASSERT_TRUE(d.parse(text));
  size_t after_one = d.pool_bytes();
  for (int i = 0; i < 5000; ++i) ASSERT_TRUE(d.parse(text));
  EXPECT_EQ(d.pool_bytes(), after_one);
  ASSERT_TRUE(d.parse(probe_to_jsonl(sgtest::tls_probe(sgtest::kT0, "198.51.100.8", {4865}, 1))));
  EXPECT_LE(d.pool_bytes(), after_one);
  EXPECT_EQ(field(d, Service::tls, "ciphers").tokens, (std::vector<std::string>{"4865"}));
}

TEST(Registry, LongHeaderOrderIsOneBoundedToken) {
  Probe p = sgtest::http_probe(sgtest::kT0, "198.51.100.7", "x");
  for (int i = 0; i < 40; ++i) p.http->headers.push_back({"X-Header-" + std::to_string(i), "1"});
  ProbeDoc d;
  ASSERT_TRUE(d.parse(probe_to_jsonl(p)));
  FieldValue v = field(d, Service::http, "header_order");
  ASSERT_EQ(v.tokens.size(), 1u);
  EXPECT_LE(v.tokens[0].size(), kMaxTokenBytes);
  EXPECT_GT(v.label.size(), kMaxTokenBytes);
  p.http->headers.back().first = "X-Other";  // a different order far past the cut gives another token
  ASSERT_TRUE(d.parse(probe_to_jsonl(p)));
  EXPECT_NE(field(d, Service::http, "header_order").tokens[0], v.tokens[0]);
}
