// TLS ClientHello analyzer: detection, completeness, field extraction, JA3, and robustness against
// fragmented, truncated and random input.
#include <gtest/gtest.h>

#include <random>

#include "probe/ja3.h"
#include "probe/tls.h"
#include "probe/tls_builder.h"
#include "probe/tls_fixtures.h"

namespace sg {
namespace {

using test::from_hex;
using test::HelloSpec;

ByteView view(const Bytes& b) { return ByteView(b.data(), b.size()); }

// A hello with every field the analyzer extracts, GREASE included in each list that can carry it.
HelloSpec full_spec() {
  HelloSpec s;
  s.record_version = 0x0301;
  s.version = 0x0303;
  s.random.clear();
  for (int i = 0; i < 32; ++i) s.random.push_back(uint8_t(i));
  s.session_id = Bytes(32, 0xaa);
  s.ciphers = {0x0a0a, 0x1301, 0x1302, 0xc02b, 0x00ff};
  s.compression = {0};
  s.extensions = std::vector<test::Extension>{
      {0x1a1a, {}},
      test::sni_ext("example.com"),
      {0x0017, {}},
      test::groups_ext({0x2a2a, 0x001d, 0x0017}),
      test::point_formats_ext({0}),
      test::sigalgs_ext({0x0403, 0x0804}),
      test::alpn_ext({"h2", "http/1.1"}),
      test::versions_ext({0x3a3a, 0x0304, 0x0303}),
      {0x4a4a, {0x00}},
  };
  return s;
}

TlsProbe parse_ok(const Bytes& stream) {
  TlsProbe p;
  ParseStatus st = parse_tls_client_hello(view(stream), p);
  EXPECT_TRUE(st.ok()) << st.error;
  return p;
}

const char* parse_error(const Bytes& stream) {
  TlsProbe p;
  ParseStatus st = parse_tls_client_hello(view(stream), p);
  EXPECT_FALSE(st.ok());
  return st.ok() ? "" : st.error;
}

// ---- tls_match ---------------------------------------------------------------------------------------

TEST(TlsMatch, ClientHelloRecordIsYes) {
  Bytes hello = test::client_hello(full_spec());
  EXPECT_EQ(tls_match(view(hello)), Match::yes);
  // The first six bytes decide.
  EXPECT_EQ(tls_match(ByteView(hello.data(), 6)), Match::yes);
}

TEST(TlsMatch, ShortPrefixesNeedMore) {
  Bytes hello = test::client_hello(full_spec());
  for (size_t n = 0; n < 6; ++n) EXPECT_EQ(tls_match(ByteView(hello.data(), n)), Match::need_more) << n;
}

TEST(TlsMatch, OtherBytesAreNo) {
  EXPECT_EQ(tls_match(as_bytes("GET / HTTP/1.1\r\n")), Match::no);
  EXPECT_EQ(tls_match(as_bytes("SSH-2.0-x\r\n")), Match::no);
  // Application data and alert records, a non-3 major version, a ServerHello.
  EXPECT_EQ(tls_match(view(from_hex("170303001001"))), Match::no);
  EXPECT_EQ(tls_match(view(from_hex("15"))), Match::no);
  EXPECT_EQ(tls_match(view(from_hex("1602"))), Match::no);
  EXPECT_EQ(tls_match(view(from_hex("160303004a02"))), Match::no);
  // SSLv2-compatible hello (2-byte header with the high bit set, message type 1): documented as no.
  EXPECT_EQ(tls_match(view(from_hex("802e0103010015000000100000"))), Match::no);
}

TEST(TlsMatch, ZeroLengthFirstRecordIsLeftToTheParser) {
  EXPECT_EQ(tls_match(view(from_hex("1603010000"))), Match::yes);
}

// ---- tls_state ---------------------------------------------------------------------------------------

TEST(TlsState, CompleteOnlyWithTheWholeMessage) {
  Bytes hello = test::client_hello(full_spec());
  for (size_t n = 0; n < hello.size(); ++n)
    EXPECT_EQ(tls_state(ByteView(hello.data(), n)), MessageState::need_more) << n;
  EXPECT_EQ(tls_state(view(hello)), MessageState::complete);
  Bytes more = hello;
  test::append(more, from_hex("140303000101"));  // a ChangeCipherSpec after the hello does not matter
  EXPECT_EQ(tls_state(view(more)), MessageState::complete);
}

TEST(TlsState, CompleteAcrossRecords) {
  Bytes hs = test::handshake(test::hello_body(full_spec()));
  for (size_t fragment : {1, 2, 3, 4, 5, 50}) {
    Bytes stream = test::records(hs, fragment);
    EXPECT_EQ(tls_state(view(stream)), MessageState::complete) << fragment;
    EXPECT_EQ(tls_state(ByteView(stream.data(), stream.size() - 1)), MessageState::need_more) << fragment;
  }
}

TEST(TlsState, GarbageIsInvalid) {
  EXPECT_EQ(tls_state(view(from_hex("1703030005"))), MessageState::invalid);
  EXPECT_EQ(tls_state(view(from_hex("1602010005"))), MessageState::invalid);          // major version 2
  EXPECT_EQ(tls_state(view(from_hex("160301000402000000"))), MessageState::invalid);  // ServerHello
  EXPECT_EQ(tls_state(view(from_hex("1603014801"))), MessageState::invalid);          // record > 2^14+2048
  EXPECT_EQ(tls_state(view(from_hex("160301000401030000"))), MessageState::invalid);  // hello > max body
  // A handshake record, then an alert before the hello is whole.
  Bytes hs = test::handshake(test::hello_body(full_spec()));
  Bytes stream = test::records(Bytes(hs.begin(), hs.begin() + 10));
  test::append(stream, from_hex("15030100020228"));
  EXPECT_EQ(tls_state(view(stream)), MessageState::invalid);
}

// ---- fields ------------------------------------------------------------------------------------------

TEST(TlsParse, EveryField) {
  TlsProbe p = parse_ok(test::client_hello(full_spec()));
  EXPECT_EQ(p.record_version, 0x0301);
  EXPECT_EQ(p.version, 771);
  EXPECT_EQ(p.random, full_spec().random);
  EXPECT_EQ(p.gmt_unix_time, 0x00010203u);
  EXPECT_EQ(p.session_id, Bytes(32, 0xaa));
  EXPECT_EQ(p.ciphers, (std::vector<uint16_t>{0x0a0a, 0x1301, 0x1302, 0xc02b, 0x00ff}));
  EXPECT_EQ(p.compression_methods, (std::vector<uint8_t>{0}));
  EXPECT_EQ(p.extensions, (std::vector<uint16_t>{0x1a1a, 0, 23, 10, 11, 13, 16, 43, 0x4a4a}));
  ASSERT_TRUE(p.sni.has_value());
  EXPECT_EQ(p.sni, std::optional<std::string>("example.com"));
  EXPECT_EQ(p.alpn, (std::vector<std::string>{"h2", "http/1.1"}));
  EXPECT_EQ(p.supported_groups, (std::vector<uint16_t>{0x2a2a, 0x001d, 0x0017}));
  EXPECT_EQ(p.ec_point_formats, (std::vector<uint8_t>{0}));
  EXPECT_EQ(p.signature_algorithms, (std::vector<uint16_t>{0x0403, 0x0804}));
  EXPECT_EQ(p.supported_versions, (std::vector<uint16_t>{0x3a3a, 0x0304, 0x0303}));
  // Expected values computed independently (Python hashlib) from the lists above.
  EXPECT_EQ(p.ja3, "771,4865-4866-49195-255,0-23-10-11-13-16-43,29-23,0");
  EXPECT_EQ(p.ja3_hash, "57268cb3515475cab8acf234e4f8d54c");
  EXPECT_EQ(p.ja4, "t13d0407h2_d71680ff791e_38dbf9c86be1");
}

TEST(TlsParse, MinimalHelloWithoutExtensions) {
  HelloSpec s;
  s.version = 0x0301;
  s.ciphers = {0x002f};
  TlsProbe p = parse_ok(test::client_hello(s));
  EXPECT_EQ(p.version, 769);
  EXPECT_TRUE(p.session_id.empty());
  EXPECT_TRUE(p.extensions.empty());
  EXPECT_FALSE(p.sni.has_value());
  EXPECT_TRUE(p.alpn.empty());
  EXPECT_EQ(p.ja3, "769,47,,,");
  EXPECT_EQ(p.ja3_hash, "b02be259814e870a469a20ce9b2a7900");
  EXPECT_EQ(p.ja4, "t10i010000_ba72b8082249_000000000000");  // cipher hash as Arkime states for 002f
}

TEST(TlsParse, EmptyServerNameExtensionCountsAsSniButHasNoName) {
  HelloSpec s;
  s.extensions = std::vector<test::Extension>{{0x0000, {}}};
  TlsProbe p = parse_ok(test::client_hello(s));
  EXPECT_FALSE(p.sni.has_value());
  EXPECT_EQ(p.ja4.substr(0, 4), "t12d");  // JA4 keys on the extension's presence
}

TEST(TlsParse, DuplicateExtensionKeepsTheFirstValue) {
  HelloSpec s;
  s.extensions = std::vector<test::Extension>{test::sni_ext("first.example"), test::sni_ext("second.example")};
  TlsProbe p = parse_ok(test::client_hello(s));
  EXPECT_EQ(p.sni, std::optional<std::string>("first.example"));
  EXPECT_EQ(p.extensions, (std::vector<uint16_t>{0, 0}));
}

// A near-maximal extension block (16379 extensions in 65530 bytes, spread over four records) parses whole.
TEST(TlsParse, HugeExtensionBlock) {
  HelloSpec s;
  s.extensions = std::vector<test::Extension>(16379, test::Extension{0x0017, {}});
  (*s.extensions)[0] = test::sni_ext("a.example");
  Bytes stream = test::client_hello(s);
  EXPECT_GT(stream.size(), 3u * 16384);
  TlsProbe p = parse_ok(stream);
  EXPECT_EQ(p.extensions.size(), 16379u);
  EXPECT_EQ(p.sni, std::optional<std::string>("a.example"));
  EXPECT_EQ(p.ja4.substr(0, 10), "t12d019900");  // extension count capped at 99
}

TEST(TlsParse, RecordVersionIsTheFirstRecords) {
  HelloSpec s = full_spec();
  s.record_version = 0x0300;
  TlsProbe p = parse_ok(test::client_hello(s));
  EXPECT_EQ(p.record_version, 0x0300);
  EXPECT_EQ(p.version, 0x0303);
}

TEST(TlsParse, IgnoresBytesAfterTheHello) {
  Bytes stream = test::client_hello(full_spec());
  Bytes more = stream;
  test::append(more, from_hex("140303000101"));
  EXPECT_EQ(parse_ok(more).ja4, parse_ok(stream).ja4);
}

// ---- GREASE ------------------------------------------------------------------------------------------

TEST(TlsGrease, KeptInFieldsDroppedFromFingerprints) {
  HelloSpec with = full_spec();
  HelloSpec without = full_spec();
  without.ciphers = {0x1301, 0x1302, 0xc02b, 0x00ff};
  without.extensions = std::vector<test::Extension>{
      test::sni_ext("example.com"),         {0x0017, {}},
      test::groups_ext({0x001d, 0x0017}),   test::point_formats_ext({0}),
      test::sigalgs_ext({0x0403, 0x0804}),  test::alpn_ext({"h2", "http/1.1"}),
      test::versions_ext({0x0304, 0x0303}),
  };
  TlsProbe a = parse_ok(test::client_hello(with));
  TlsProbe b = parse_ok(test::client_hello(without));
  EXPECT_EQ(a.ciphers.size(), b.ciphers.size() + 1);
  EXPECT_EQ(a.extensions.size(), b.extensions.size() + 2);
  EXPECT_EQ(a.ja3, b.ja3);
  EXPECT_EQ(a.ja3_hash, b.ja3_hash);
  EXPECT_EQ(a.ja4, b.ja4);
}

TEST(TlsGrease, AllSixteenValues) {
  int count = 0;
  for (uint32_t v = 0; v <= 0xffff; ++v) count += is_grease(uint16_t(v));
  EXPECT_EQ(count, 16);
  EXPECT_TRUE(is_grease(0x0a0a));
  EXPECT_TRUE(is_grease(0xfafa));
  EXPECT_FALSE(is_grease(0x0a1a));
  EXPECT_FALSE(is_grease(0x0b0b));
}

// ---- oracle captures: values stated by Arkime / Suricata for these sessions ---------------------------

TEST(TlsOracle, ArkimeBadCurveball) {
  TlsProbe p = parse_ok(from_hex(test::kArkimeBadCurveball));
  EXPECT_EQ(p.version, 771);
  EXPECT_EQ(p.sni, std::optional<std::string>("bad.curveballtest.com"));
  EXPECT_EQ(p.alpn, (std::vector<std::string>{"H2", "http/1.1"}));
  EXPECT_EQ(p.ja3,
            "771,4865-4866-4867-49195-49199-49196-49200-52393-52392-49171-49172-156-157-47-53-10,"
            "0-23-65281-10-11-35-16-5-13-18-51-45-43-27-21,29-23-24,0");
  EXPECT_EQ(p.ja3_hash, "66918128f1b9b03303d77c6f2eefd128");
  // GREASE is on the wire (cipher 0xaaaa, extensions 0x4a4a and 0x7a7a, group 0xcaca) and kept in fields.
  EXPECT_EQ(p.ciphers.front(), 0xaaaa);
  EXPECT_EQ(p.extensions.front(), 0x4a4a);
  EXPECT_EQ(p.supported_groups.front(), 0xcaca);
}

TEST(TlsOracle, ArkimeSessionIdTls10) {
  TlsProbe p = parse_ok(from_hex(test::kArkimeSessionId));
  EXPECT_EQ(p.version, 769);
  EXPECT_EQ(p.session_id.size(), 32u);
  EXPECT_EQ(p.ja3,
            "769,49162-49161-49171-49172-49159-49169-51-50-57-47-53-10-5-4,"
            "0-65281-10-11-35-13172-16-5,23-24-25,0");
  EXPECT_EQ(p.ja3_hash, "42e6d8174e649efbf780f0d9b6ef9610");
}

TEST(TlsOracle, ArkimeSsl3WithoutExtensions) {
  TlsProbe p = parse_ok(from_hex(test::kArkimeSsl3));
  EXPECT_EQ(p.record_version, 0x0300);
  EXPECT_EQ(p.version, 768);
  EXPECT_TRUE(p.extensions.empty());
  EXPECT_EQ(p.ja3,
            "768,49172-49162-57-56-136-135-49167-49157-53-132-49170-49160-22-19-49165-49155-10-49171-49161-51-"
            "50-154-153-69-68-49166-49156-47-150-65-7-49169-49159-49164-49154-5-4-21-18-9-20-17-8-6-3-255,,,");
  EXPECT_EQ(p.ja3_hash, "f917ae2520ef9784557b0a3c02489c2c");
}

TEST(TlsOracle, ArkimeSyntheticTls13) {
  TlsProbe p = parse_ok(from_hex(test::kArkimeSynthetic13));
  EXPECT_EQ(p.ja3, "771,4865-4866-4867,0-43,,");
  EXPECT_EQ(p.ja3_hash, "b05942cf9db38edab716bba670db271f");
}

TEST(TlsOracle, SuricataDraft22EmptyPointFormats) {
  TlsProbe p = parse_ok(from_hex(test::kSuricataDraft22));
  EXPECT_EQ(p.sni, std::optional<std::string>("localhost"));
  EXPECT_EQ(p.ja3, "771,4865-4867,0-43-13-10-40,23,");
  EXPECT_EQ(p.ja3_hash, "786468211b4d23f9b725987b0de9d090");
}

// ---- fragmentation -----------------------------------------------------------------------------------

// The same hello re-cut into records of every size from 1 byte up parses to the same probe.
TEST(TlsFragments, AnyRecordSplitGivesTheSameProbe) {
  Bytes original = from_hex(test::kArkimeBadCurveball);
  TlsProbe expected = parse_ok(original);
  Bytes hs = test::record_payloads(original);
  for (size_t fragment = 1; fragment <= hs.size(); fragment += (fragment < 16 ? 1 : 37)) {
    TlsProbe p = parse_ok(test::records(hs, fragment));
    EXPECT_EQ(p.ja3, expected.ja3) << fragment;
    EXPECT_EQ(p.ja4, expected.ja4) << fragment;
    EXPECT_EQ(p.sni, expected.sni) << fragment;
    EXPECT_EQ(p.random, expected.random) << fragment;
    EXPECT_EQ(p.record_version, 0x0301) << fragment;
  }
}

TEST(TlsFragments, TwoRecordsAtEverySplitPoint) {
  Bytes hs = test::handshake(test::hello_body(full_spec()));
  TlsProbe expected = parse_ok(test::client_hello(full_spec()));
  for (size_t cut = 1; cut < hs.size(); ++cut) {
    Bytes stream = test::records(Bytes(hs.begin(), hs.begin() + cut), 16384, 0x0301);
    test::append(stream, test::records(Bytes(hs.begin() + cut, hs.end()), 16384, 0x0303));
    TlsProbe p = parse_ok(stream);
    EXPECT_EQ(p.ja4, expected.ja4) << cut;
    EXPECT_EQ(p.ja3, expected.ja3) << cut;
    EXPECT_EQ(p.alpn, expected.alpn) << cut;
    EXPECT_EQ(p.record_version, 0x0301) << cut;  // the first record's, not the second's
  }
}

// ---- malformed input ---------------------------------------------------------------------------------

TEST(TlsMalformed, TruncatedAtEveryPrefix) {
  for (const char* hex : {test::kArkimeBadCurveball, test::kArkimeSsl3}) {
    Bytes full = from_hex(hex);
    for (size_t n = 0; n < full.size(); ++n) {
      ByteView prefix(full.data(), n);
      TlsProbe p;
      ParseStatus st = parse_tls_client_hello(prefix, p);
      EXPECT_FALSE(st.ok()) << n;
      EXPECT_EQ(tls_state(prefix), MessageState::need_more) << n;
      EXPECT_TRUE(p.ja3.empty() && p.ja4.empty()) << n;  // no fingerprint of a partial hello
    }
  }
}

TEST(TlsMalformed, TruncatedHelloKeepsWhatWasRead) {
  Bytes full = test::client_hello(full_spec());
  TlsProbe p;
  ParseStatus st = parse_tls_client_hello(ByteView(full.data(), full.size() - 3), p);
  EXPECT_STREQ(st.error, "tls.truncated");
  EXPECT_EQ(p.version, 771);
  EXPECT_EQ(p.ciphers.size(), 5u);
  ASSERT_TRUE(p.sni.has_value());  // extensions before the cut are read
  EXPECT_EQ(p.sni, std::optional<std::string>("example.com"));
  EXPECT_EQ(p.alpn.size(), 2u);
  EXPECT_EQ(p.supported_versions.size(), 3u);
  EXPECT_EQ(p.extensions.back(), 0x002b);  // the cut last extension (GREASE 0x4a4a) is not listed
}

TEST(TlsMalformed, NamedErrors) {
  HelloSpec s;
  s.session_id = Bytes(33, 1);
  EXPECT_STREQ(parse_error(test::client_hello(s)), "tls.bad_session_id_length");

  // Odd cipher-suite length: patch the 2-byte length after the (empty) session id.
  Bytes b = test::hello_body(HelloSpec{});
  b[2 + 32 + 1 + 1] = 3;
  EXPECT_STREQ(parse_error(test::records(test::handshake(b))), "tls.bad_cipher_suites_length");

  // Extension block longer than the message.
  b = test::hello_body(HelloSpec{});
  test::put16(b, 10);
  EXPECT_STREQ(parse_error(test::records(test::handshake(b))), "tls.bad_extensions_length");

  // One extension whose length runs past the block.
  b = test::hello_body(HelloSpec{});
  test::append(b, from_hex("000400170005"));  // block of 4: type 0x0017, length 5
  EXPECT_STREQ(parse_error(test::records(test::handshake(b))), "tls.bad_extension_length");

  // Bytes after the extensions, inside the message.
  b = test::hello_body(full_spec());
  b.push_back(0);
  EXPECT_STREQ(parse_error(test::records(test::handshake(b))), "tls.trailing_data");

  EXPECT_STREQ(parse_error(test::records(test::handshake(test::hello_body(HelloSpec{}), 2))), "tls.not_client_hello");
  EXPECT_STREQ(parse_error(from_hex("1703030002abcd")), "tls.not_handshake");
}

TEST(TlsMalformed, BadExtensionBodies) {
  struct Case {
    test::Extension ext;
    const char* error;
  };
  // Hex bodies: the inner length first, then the content.
  const Case cases[] = {
      {{0x0000, from_hex("000500000961")}, "tls.bad_server_name"},       // name runs past the list
      {{0x0000, from_hex("000100ff")}, "tls.bad_server_name"},           // list ends mid-entry
      {{0x000a, from_hex("0003001d00")}, "tls.bad_supported_groups"},    // odd length
      {{0x000a, from_hex("0002001d00")}, "tls.bad_supported_groups"},    // byte after the list
      {{0x000b, from_hex("0500")}, "tls.bad_ec_point_formats"},          // 5 formats announced, 1 sent
      {{0x000d, from_hex("00040403")}, "tls.bad_signature_algorithms"},  // 2 of 4 bytes
      {{0x0010, from_hex("0003056832")}, "tls.bad_alpn"},                // name of 5 in a list of 3
      {{0x002b, from_hex("03030403")}, "tls.bad_supported_versions"},    // odd length
  };
  for (const Case& c : cases) {
    HelloSpec s;
    s.extensions = std::vector<test::Extension>{c.ext};
    EXPECT_STREQ(parse_error(test::client_hello(s)), c.error) << c.error;
  }
}

// Random bytes, and random corruptions of a real hello, never crash; whatever parses has fingerprints.
TEST(TlsMalformed, RandomGarbageNeverCrashes) {
  std::mt19937 rng(12345);
  std::uniform_int_distribution<int> byte(0, 255);
  for (int i = 0; i < 20000; ++i) {
    Bytes b(size_t(byte(rng)) * 2);
    for (auto& x : b) x = uint8_t(byte(rng));
    if (i % 2 == 0 && b.size() >= 6) b[0] = 0x16, b[1] = 0x03, b[5] = 0x01;  // get past the first checks
    TlsProbe p;
    ParseStatus st = parse_tls_client_hello(view(b), p);
    (void)tls_match(view(b));
    (void)tls_state(view(b));
    if (st.ok()) {
      EXPECT_FALSE(p.ja4.empty());
    }
  }
  const Bytes real = from_hex(test::kArkimeBadCurveball);
  std::uniform_int_distribution<size_t> pos(0, real.size() - 1);
  for (int i = 0; i < 20000; ++i) {
    Bytes b = real;
    for (int k = 0; k < 1 + i % 4; ++k) b[pos(rng)] = uint8_t(byte(rng));
    TlsProbe p;
    ParseStatus st = parse_tls_client_hello(view(b), p);
    if (st.ok()) {
      EXPECT_EQ(p.ja3_hash.size(), 32u);
      EXPECT_EQ(p.ja4.size(), 36u);
    } else {
      EXPECT_NE(st.error, nullptr);
    }
  }
}

}  // namespace
}  // namespace sg
