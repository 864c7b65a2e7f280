// The probability kind θ compares: the names the commands accept and store, and the error for any other.
#include <gtest/gtest.h>

#include <stdexcept>

#include "workflow/ensemble.h"

namespace sg::workflow {
namespace {

TEST(ProbaKind, NamesRoundTrip) {
  for (ProbaKind k : {ProbaKind::normalised, ProbaKind::raw, ProbaKind::automatic})
    EXPECT_EQ(parse_proba_kind(proba_kind_name(k)), k);
  EXPECT_STREQ(proba_kind_name(kDefaultProba), "normalised");
  EXPECT_EQ(proba_kind_names(), (std::vector<std::string>{"raw", "normalised", "auto"}));
}

TEST(ProbaKind, UnknownNameListsTheAcceptedOnes) {
  try {
    parse_proba_kind("normalized");
    FAIL() << "accepted an unknown kind";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("'normalized'"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("raw, normalised, auto"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace sg::workflow
