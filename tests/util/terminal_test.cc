// term_safe: text from captures and label files printed for people cannot drive the terminal.
#include "util/terminal.h"

#include <gtest/gtest.h>

namespace sg {
namespace {

TEST(TermSafe, ValidTextIsKept) {
  EXPECT_EQ(term_safe("Mozilla/5.0 zgrab/0.x"), "Mozilla/5.0 zgrab/0.x");
  EXPECT_EQ(term_safe("Überwachung 監視 🛰"), "Überwachung 監視 🛰");
  EXPECT_EQ(term_safe(""), "");
}

TEST(TermSafe, ControlBytesBecomeVisibleEscapes) {
  EXPECT_EQ(term_safe("a\x1b[31mred\x1b[0m"), "a\\x1b[31mred\\x1b[0m");
  EXPECT_EQ(term_safe("bell\x07"), "bell\\x07");
  EXPECT_EQ(term_safe("over\rwrite"), "over\\x0dwrite");
  EXPECT_EQ(term_safe(std::string("nul\0x", 5)), "nul\\x00x");
  EXPECT_EQ(term_safe("col\tumn\nrow\b\x7f"), "col\\x09umn\\x0arow\\x08\\x7f");
  // OSC 52 (writes the clipboard) and a title change, as attackers send them in user agents
  EXPECT_EQ(term_safe("\x1b]52;c;ZWNobw==\x07"), "\\x1b]52;c;ZWNobw==\\x07");
}

TEST(TermSafe, C1AndBidiControlsAreEscapedAsTheirBytes) {
  EXPECT_EQ(term_safe("\xc2\x9b"
                      "2J"),
            "\\xc2\\x9b2J");  // U+009B: CSI on some terminals
  EXPECT_EQ(term_safe("a\xe2\x80\xae"
                      "b"),
            "a\\xe2\\x80\\xaeb");                             // U+202E RIGHT-TO-LEFT OVERRIDE
  EXPECT_EQ(term_safe("\xe2\x81\xa6x"), "\\xe2\\x81\\xa6x");  // U+2066 LEFT-TO-RIGHT ISOLATE
  EXPECT_EQ(term_safe("\xc2\xa0"), "\xc2\xa0");               // U+00A0 is text
}

TEST(TermSafe, InvalidUtf8BytesAreEscaped) {
  EXPECT_EQ(term_safe(std::string("a\xff"
                                  "b",
                                  3)),
            "a\\xffb");
  EXPECT_EQ(term_safe("\xc0\xaf"), "\\xc0\\xaf");           // overlong '/'
  EXPECT_EQ(term_safe("\xed\xa0\x80"), "\\xed\\xa0\\x80");  // UTF-16 surrogate
  EXPECT_EQ(term_safe("\xe2\x82"), "\\xe2\\x82");           // cut sequence
  EXPECT_EQ(term_safe("\xc3\x1b"), "\\xc3\\x1b");           // lead byte, then ESC
}

TEST(TermSafe, OutputHasNoRawControlOrInvalidByteForAnyInput) {
  std::string all;
  for (int b = 0; b < 256; ++b) all += static_cast<char>(b);
  std::string out = term_safe(all + all);
  for (char c : out) {
    auto b = static_cast<unsigned char>(c);
    EXPECT_FALSE(b < 0x20 || b == 0x7f) << int(b);
  }
  EXPECT_EQ(term_safe(out), out);  // what it writes is already safe
}

}  // namespace
}  // namespace sg
