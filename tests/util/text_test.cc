#include "util/text.h"

#include <gtest/gtest.h>

namespace sg {
namespace {

TEST(LowerTrimmed, TrimsWhiteSpaceAndLowerCasesLetters) {
  EXPECT_EQ(lower_trimmed("  Censys \t"), "censys");
  EXPECT_EQ(lower_trimmed("Shadow Server"), "shadow server");  // inner space kept
  EXPECT_EQ(lower_trimmed(" \n "), "");
  EXPECT_EQ(lower_trimmed("\xc3\x89tude"), "\xc3\x89tude");  // bytes outside ASCII untouched
}

}  // namespace
}  // namespace sg
