#include <gtest/gtest.h>

#include "label_fixtures.h"

namespace sg::labels {
namespace {

TagKey key_of(uint8_t seed) {
  TagKey k{};
  for (size_t i = 0; i < k.size(); ++i) k[i] = static_cast<uint8_t>(seed + i * 7);
  return k;
}

TagRecord record(const std::string& ip) {
  TagRecord r;
  r.sensor = 42;
  r.time_us = *parse_time_us("2025-01-15T10:20:30.123456Z");
  r.record = 987654321012345ULL;
  EXPECT_TRUE(parse_ip(ip, r.scanner));
  return r;
}

TEST(Tagging, RoundTripIPv4AndIPv6) {
  TagKey k = key_of(1);
  for (const char* ip : {"167.94.138.111", "2602:80d:1000::17"}) {
    std::string tag = make_tag(k, record(ip));
    EXPECT_EQ(tag.size(), kTagChars);
    EXPECT_EQ(tag.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
              std::string::npos);  // a valid cookie value, no padding
    auto back = open_tag(k, tag);
    ASSERT_TRUE(back);
    EXPECT_EQ(*back, record(ip));
  }
  EXPECT_NE(make_tag(k, record("1.2.3.4")), make_tag(k, record("1.2.3.4")));  // fresh nonce each time
}

TEST(Tagging, TamperedOrForeignTagsAreRejected) {
  TagKey k = key_of(1);
  std::string tag = make_tag(k, record("1.2.3.4"));
  for (size_t pos : {0ul, 20ul, 60ul, kTagChars - 1}) {
    std::string bad = tag;
    bad[pos] = bad[pos] == 'A' ? 'B' : 'A';
    EXPECT_FALSE(open_tag(k, bad)) << pos;
  }
  EXPECT_FALSE(open_tag(key_of(2), tag));
  EXPECT_FALSE(open_tag(k, tag.substr(1)));
  EXPECT_FALSE(open_tag(k, std::string(kTagChars, 'A')));
}

TEST(Tagging, FindsTagsInsideABannerText) {
  TagKey k = key_of(9);
  std::string t1 = make_tag(k, record("167.94.138.111")), t2 = make_tag(k, record("2001:db8::5"));
  std::string foreign = make_tag(key_of(3), record("9.9.9.9"));
  std::string banner = "HTTP/1.1 200 OK\r\nServer: nginx\r\nSet-Cookie: sid=" + t1 +
                       "; Path=/; HttpOnly\r\nSet-Cookie: other=" + foreign + "\r\nX-Thing: abc" + t2 +
                       "\r\n\r\n<html>" + std::string(200, 'x') + "</html>";
  auto found = find_tags(k, banner);
  ASSERT_EQ(found.size(), 2u);
  EXPECT_EQ(found[0].record, record("167.94.138.111"));
  EXPECT_EQ(banner.substr(found[0].offset, kTagChars), t1);
  EXPECT_EQ(found[1].record, record("2001:db8::5"));  // glued to other characters, still found
  EXPECT_TRUE(find_tags(key_of(4), banner).empty());  // wrong key: nothing
}

TEST(Tagging, KeyFiles) {
  test::TempDir dir;
  std::string path = dir.path("k.key");
  write_new_tag_key(path);
  TagKey k = load_tag_key(path);
  auto back = open_tag(k, make_tag(k, record("1.2.3.4")));
  EXPECT_TRUE(back);
  std::string raw(32, '\x11');
  EXPECT_EQ(load_tag_key(dir.file("raw.key", raw))[0], 0x11);
  try {
    load_tag_key(dir.file("bad.key", "00112233zz"));
    FAIL();
  } catch (const std::runtime_error& e) {
    EXPECT_EQ(std::string(e.what()).find("00112233"), std::string::npos);  // the key never appears
  }
}

}  // namespace
}  // namespace sg::labels
