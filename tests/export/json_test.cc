#include "export/json.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "util/utf8.h"

namespace {

TEST(Utf8Safe, ValidTextPassesInvalidBytesAreEscaped) {
  EXPECT_EQ(sg::utf8_safe("Mozilla/5.0 ü €"), "Mozilla/5.0 ü €");
  EXPECT_EQ(sg::utf8_safe(std::string("a\xff"
                                      "b",
                                      3)),
            "a\\xffb");
  EXPECT_EQ(sg::utf8_safe(std::string("\xc0\xaf", 2)), "\\xc0\\xaf");                    // overlong '/'
  EXPECT_EQ(sg::utf8_safe(std::string("\xed\xa0\x80", 3)), "\\xed\\xa0\\x80");           // UTF-16 surrogate
  EXPECT_EQ(sg::utf8_safe(std::string("\xf5\x80\x80\x80", 4)), "\\xf5\\x80\\x80\\x80");  // beyond U+10FFFF
  EXPECT_EQ(sg::utf8_safe(std::string("\xe2\x82", 2)), "\\xe2\\x82");                    // cut sequence
}

TEST(ProbeJson, ContractKeysOrderAndHostileText) {
  sg::Probe p;
  p.ts_us = 1688347440516678;
  p.src = "198.51.100.7";
  p.dst = "192.0.2.1";
  p.sport = 40000;
  p.dport = 80;
  p.service = sg::Service::http;
  sg::HttpProbe h;
  h.method = "GET";
  h.uri = std::string("/a\"b\\c\n\x01\xff", 9);
  h.version = "HTTP/1.1";
  h.headers = {{"User-Agent", ""}};
  h.user_agent = "";
  p.http = h;
  sg::SynSignature syn;
  syn.ttl = 51;
  syn.window = 1024;
  syn.mss = 1460;
  syn.options = {2};
  p.syn = syn;
  std::string line = sg::probe_to_jsonl(p);
  EXPECT_EQ(line.find('\n'), std::string::npos);
  EXPECT_EQ(line.rfind("{\"ts\":\"2023-07-03T01:24:00.516678Z\",\"src\":\"198.51.100.7\",\"sport\":40000,", 0), 0u)
      << line;
  auto j = nlohmann::json::parse(line);
  EXPECT_EQ(j["service"], "http");
  EXPECT_EQ(j["http"]["uri"], "/a\"b\\c\n\x01\\xff");
  EXPECT_EQ(j["http"]["user_agent"], "");
  EXPECT_EQ(j["http"]["headers"][0][0], "User-Agent");
  EXPECT_FALSE(j["http"].contains("host"));
  EXPECT_EQ(j["syn"]["sig"], "51:1024:1460:*:2:");
  EXPECT_FALSE(j.contains("truncated"));
}

}  // namespace

// The writer copies strings with nothing to escape whole (eight bytes at a time); every other byte, at every
// position of a word and of the tail, must still come out as RapidJSON's escaping writes it.
TEST(ProbeJson, EveryByteAtEveryPositionIsEscapedAsRapidJsonDoes) {
  for (int pos = 0; pos < 19; ++pos) {
    for (int b = 0; b < 256; ++b) {
      std::string text(19, 'a');
      text[static_cast<size_t>(pos)] = static_cast<char>(b);
      sg::Probe p;
      p.service = sg::Service::dns;
      p.dns.emplace();
      p.dns->qname = text;
      const auto j = nlohmann::json::parse(sg::probe_to_jsonl(p));
      const std::string want = sg::valid_utf8(text) ? text : sg::utf8_safe(text);
      ASSERT_EQ(j["dns"]["qname"].get<std::string>(), want) << "byte " << b << " at " << pos;
      // A byte that JSON must escape never appears raw in the line.
      if (b < 0x20) {
        ASSERT_EQ(sg::probe_to_jsonl(p).find(static_cast<char>(b)), std::string::npos) << b;
      }
    }
  }
}
