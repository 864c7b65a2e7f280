#include "util/bytes.h"

#include <gtest/gtest.h>

namespace sg {
namespace {

TEST(Hex, DigitValuesInEitherCase) {
  EXPECT_EQ(hex_digit('0'), 0);
  EXPECT_EQ(hex_digit('9'), 9);
  EXPECT_EQ(hex_digit('a'), 10);
  EXPECT_EQ(hex_digit('F'), 15);
  EXPECT_EQ(hex_digit('g'), -1);
  EXPECT_EQ(hex_digit(' '), -1);
}

TEST(Hex, RoundTripsToHex) {
  std::string raw("\x00\x7f\x80\xff GET", 8);
  EXPECT_EQ(from_hex_prefix(to_hex(as_bytes(raw))), raw);
  EXPECT_EQ(from_hex_prefix("DEADbeef"), std::string("\xde\xad\xbe\xef"));
}

TEST(Hex, StopsAtTheFirstBadPairAnOddTailOrTheLimit) {
  EXPECT_EQ(from_hex_prefix("4142zz43"), "AB");
  EXPECT_EQ(from_hex_prefix("41424"), "AB");  // the lone last digit is not half a byte
  EXPECT_EQ(from_hex_prefix("414243", 2), "AB");
  EXPECT_EQ(from_hex_prefix(""), "");
}

TEST(Cursor, AReadPastTheEndFailsAndStaysFailed) {
  std::string data("\x01\x02\x03", 3);
  Cursor c(as_bytes(data));
  uint16_t v = 0;
  ASSERT_TRUE(c.u16(v));
  EXPECT_EQ(v, 0x0102);
  EXPECT_FALSE(c.u16(v));
  EXPECT_FALSE(c.ok());
  uint8_t b = 0;
  EXPECT_FALSE(c.u8(b));  // the byte left is not read once a read failed
}

}  // namespace
}  // namespace sg
