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

TEST(Split, KeepsEveryPartEmptyOnesIncluded) {
  using V = std::vector<std::string_view>;
  EXPECT_EQ(split("a,b,c", ','), (V{"a", "b", "c"}));
  EXPECT_EQ(split("a,,b,", ','), (V{"a", "", "b", ""}));
  EXPECT_EQ(split("", ','), (V{""}));
  EXPECT_EQ(split("nict+sd", '+'), (V{"nict", "sd"}));
  EXPECT_EQ(split("no separator", ','), (V{"no separator"}));
}

}  // namespace
}  // namespace sg
