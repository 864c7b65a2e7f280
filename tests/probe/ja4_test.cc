// FoxIO JA4 (TLS client): the worked example of technical_details/JA4.md, each rule of ja4_a, and the
// values FoxIO, Arkime and Suricata state for real captures.
#include <gtest/gtest.h>

#include "probe/ja4.h"
#include "probe/tls.h"
#include "probe/tls_builder.h"
#include "probe/tls_fixtures.h"

namespace sg {
namespace {

using test::from_hex;

// The hello of the spec's example section (JA4.md "Cipher hash" / "Extension hash").
TlsProbe spec_example() {
  TlsProbe p;
  p.version = 0x0303;
  p.ciphers = {0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9,
               0xcca8, 0xc013, 0xc014, 0x009c, 0x009d, 0x002f, 0x0035};
  p.extensions = {0x001b, 0x0000, 0x0033, 0x0010, 0x4469, 0x0017, 0x002d, 0x000d,
                  0x0005, 0x0023, 0x0012, 0x002b, 0xff01, 0x000b, 0x000a, 0x0015};
  p.signature_algorithms = {0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601};
  p.supported_versions = {0x0304, 0x0303};
  p.alpn = {"h2", "http/1.1"};
  p.sni = "example.com";
  return p;
}

std::string ja4_a(const TlsProbe& p, char transport = 't') { return ja4(p, transport).substr(0, 10); }

TlsProbe parse(const char* hex) {
  TlsProbe p;
  Bytes b = from_hex(hex);
  ParseStatus st = parse_tls_client_hello(ByteView(b.data(), b.size()), p);
  EXPECT_TRUE(st.ok()) << st.error;
  return p;
}

TEST(Ja4Spec, WorkedExample) { EXPECT_EQ(ja4(spec_example()), "t13d1516h2_8daaf6152771_e5627efa2ab1"); }

TEST(Ja4Spec, NoSignatureAlgorithmsMeansNoUnderscore) {
  TlsProbe p = spec_example();
  p.signature_algorithms.clear();
  EXPECT_EQ(ja4(p).substr(24), "6d807ffa2a79");  // the spec's value for the bare extension list
}

TEST(Ja4Spec, EmptyListsHashToZeros) {
  TlsProbe p;
  p.version = 0x0303;
  EXPECT_EQ(ja4(p), "t12i000000_000000000000_000000000000");
  p.extensions = {0x0000, 0x0010};  // only SNI and ALPN: nothing left to hash
  p.alpn = {"h2"};
  EXPECT_EQ(ja4(p), "t12d0002h2_000000000000_000000000000");
}

TEST(Ja4Spec, GreaseIgnoredEverywhere) {
  TlsProbe p = spec_example();
  p.ciphers.insert(p.ciphers.begin(), 0x0a0a);
  p.extensions.insert(p.extensions.begin(), 0x1a1a);
  p.extensions.push_back(0xfafa);
  p.signature_algorithms.insert(p.signature_algorithms.begin(), 0x2a2a);
  p.supported_versions.insert(p.supported_versions.begin(), 0x3a3a);
  EXPECT_EQ(ja4(p), "t13d1516h2_8daaf6152771_e5627efa2ab1");
}

TEST(Ja4Spec, TransportPrefix) {
  EXPECT_EQ(ja4(spec_example(), 'q')[0], 'q');
  EXPECT_EQ(ja4(spec_example(), 'd')[0], 'd');
}

TEST(Ja4Spec, VersionFromHighestSupportedVersionElseLegacy) {
  TlsProbe p = spec_example();
  p.supported_versions = {0x0302, 0x0304, 0x0303};  // not sorted on the wire
  EXPECT_EQ(ja4_a(p).substr(1, 2), "13");
  const std::pair<uint16_t, const char*> legacy[] = {{0x0304, "13"}, {0x0303, "12"}, {0x0302, "11"}, {0x0301, "10"},
                                                     {0x0300, "s3"}, {0x0002, "s2"}, {0xfeff, "d1"}, {0xfefd, "d2"},
                                                     {0xfefc, "d3"}, {0x0305, "00"}, {0x7f16, "00"}};
  for (const auto& [version, code] : legacy) {
    p.supported_versions.clear();
    p.version = version;
    EXPECT_EQ(ja4_a(p).substr(1, 2), code) << version;
  }
  p.version = 0x0301;
  p.supported_versions = {0x7a7a};  // only GREASE: fall back to the legacy version
  EXPECT_EQ(ja4_a(p).substr(1, 2), "10");
}

TEST(Ja4Spec, SniMarkerFollowsTheExtension) {
  TlsProbe p = spec_example();
  p.sni.reset();  // the name itself is not what counts
  EXPECT_EQ(ja4_a(p)[3], 'd');
  p.extensions.erase(p.extensions.begin() + 1);  // drop 0x0000
  EXPECT_EQ(ja4_a(p), "t13i1515h2");
}

TEST(Ja4Spec, CountsCapAt99) {
  TlsProbe p = spec_example();
  p.ciphers.clear();
  for (uint16_t c = 1; c <= 150; ++c) p.ciphers.push_back(c);
  for (uint16_t e = 0x100; e < 0x100 + 120; ++e) p.extensions.push_back(e);
  EXPECT_EQ(ja4_a(p), "t13d9999h2");
}

TEST(Ja4Spec, AlpnFirstAndLastCharacter) {
  TlsProbe p = spec_example();
  const std::pair<std::string, const char*> cases[] = {
      {"h2", "h2"},
      {"http/1.1", "h1"},
      {"H2", "H2"},  // case kept as sent
      {"z", "zz"},   // one character is both first and last
      {"", "00"},    // empty first value
      // A non-alphanumeric end byte switches to the first and last hex digits (the spec's examples).
      {"\xab", "ab"},
      {"\xab\xcd", "ad"},
      {"\x30\xab", "3b"},
      {"\x30\x31\xab\xcd", "3d"},
      {"\x30\xab\xcd\x31", "01"},
      {"h_", "6f"},
      {"_2", "52"},
  };
  for (const auto& [value, code] : cases) {
    p.alpn = {value, "h2"};
    EXPECT_EQ(ja4_a(p).substr(8), code) << value;
  }
  p.alpn.clear();
  EXPECT_EQ(ja4_a(p).substr(8), "00");
}

// The hex rule of JA4.md "ALPN Extension Value", from ClientHello bytes on the wire: a first ALPN value
// whose first or last byte is not 0-9A-Za-z is printed as the first and last characters of its hex form.
TEST(Ja4Spec, AlpnHexRuleFromWireBytes) {
  const std::pair<std::string, const char*> cases[] = {
      {std::string("\xab\xcd", 2), "ad"},
      {std::string("\x30\xab", 2), "3b"},
      {std::string("\x00", 1), "00"},
      {std::string("h2\x00", 3), "60"},
      {std::string("\xffh2", 3), "f2"},
      {std::string("\x30\xab\xcd\x31", 4), "01"},  // alphanumeric ends: the characters themselves
  };
  for (const auto& [value, code] : cases) {
    test::HelloSpec spec;
    spec.extensions = std::vector<test::Extension>{test::alpn_ext({value, "h2"}), test::sigalgs_ext({0x0403})};
    Bytes b = test::client_hello(spec);
    TlsProbe p;
    ASSERT_TRUE(parse_tls_client_hello(ByteView(b.data(), b.size()), p).ok());
    ASSERT_EQ(p.alpn.front(), value);
    EXPECT_EQ(p.ja4.substr(0, 10), std::string("t12i0102") + code) << code;
  }
}

// A TLS 1.0 ClientHello (no signature_algorithms: that extension is TLS 1.2's) hashes the sorted extension
// list alone, with no trailing underscore (JA4.md "Extension hash"); no extensions block at all gives zeros.
// sha256("000a,000b,0023,ff01") = 8640e6c8629f...; sha256("002f,0035,c009,c00a,c013,c014") = 4dc025c38c38...
TEST(Ja4Spec, Tls10HelloWithoutSignatureAlgorithms) {
  test::HelloSpec spec;
  spec.version = 0x0301;
  spec.ciphers = {0xc00a, 0xc014, 0x0035, 0xc009, 0xc013, 0x002f};
  spec.extensions = std::vector<test::Extension>{test::sni_ext("example.com"),
                                                 test::point_formats_ext({0}),
                                                 test::groups_ext({0x0017, 0x0018}),
                                                 {0x0023, {}},
                                                 {0xff01, {0}}};
  Bytes b = test::client_hello(spec);
  TlsProbe p;
  ASSERT_TRUE(parse_tls_client_hello(ByteView(b.data(), b.size()), p).ok());
  EXPECT_TRUE(p.signature_algorithms.empty());
  EXPECT_EQ(p.ja4, "t10d060500_4dc025c38c38_8640e6c8629f");
  spec.extensions.reset();
  b = test::client_hello(spec);
  ASSERT_TRUE(parse_tls_client_hello(ByteView(b.data(), b.size()), p).ok());
  EXPECT_EQ(p.ja4, "t10i060000_4dc025c38c38_000000000000");
}

// ---- real captures: values FoxIO's, Arkime's and Suricata's test suites state ---------------------

TEST(Ja4Oracle, ArkimeBadCurveballKeepsUpperCaseAlpn) {
  EXPECT_EQ(parse(test::kArkimeBadCurveball).ja4, "t13d1615H2_46e7e9700bed_45f260be83e2");
}

// FoxIO's copy of badcurveball differs from Arkime's in one byte: the ALPN value is "h2".
TEST(Ja4Oracle, FoxioBadCurveball) {
  Bytes b = from_hex(test::kArkimeBadCurveball);
  ASSERT_EQ(b[190], 'H');
  b[190] = 'h';
  TlsProbe p;
  ASSERT_TRUE(parse_tls_client_hello(ByteView(b.data(), b.size()), p).ok());
  EXPECT_EQ(p.ja4, "t13d1615h2_46e7e9700bed_45f260be83e2");
}

TEST(Ja4Oracle, ArkimeCaptures) {
  EXPECT_EQ(parse(test::kArkimeSessionId).ja4, "t10d1408s1_4228c87f9d3a_16587fedcc33");
  EXPECT_EQ(parse(test::kArkimeSsl3).ja4, "ts3i460000_234845559c90_000000000000");
  EXPECT_EQ(parse(test::kArkimeSynthetic13).ja4, "t13d030200_55b375c5d22e_b9a491fefe05");
}

TEST(Ja4Oracle, SuricataJa4Tls) {
  TlsProbe p = parse(test::kSuricataJa4Tls);
  EXPECT_FALSE(p.sni.has_value());
  EXPECT_EQ(p.alpn.front(), "spdy/3.1");
  EXPECT_EQ(p.ja4, "t12i1810s1_27d4652c4487_06a4338d0495");
}

TEST(Ja4Oracle, FoxioCaptures) {
  TlsProbe tls12 = parse(test::kFoxioLatestTls12);
  EXPECT_EQ(tls12.sni, std::optional<std::string>("discovery.cem.cloud.us"));
  EXPECT_EQ(tls12.ja4, "t12d190800_d83cc789557e_7af1ed941c26");
  TlsProbe macos = parse(test::kFoxioMacos);
  EXPECT_EQ(macos.sni, std::optional<std::string>("venarisecurity.com"));
  EXPECT_EQ(macos.ja4, "t13d2613h2_2802a3db6c62_845d286b0d67");
}

}  // namespace
}  // namespace sg
