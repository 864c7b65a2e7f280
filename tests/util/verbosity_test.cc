// -q reaches the progress lines of every stage through the one process-wide level (util/verbosity.h).
#include "util/verbosity.h"

#include <gtest/gtest.h>

#include <cstdlib>

#include "util/progress.h"

namespace {

TEST(Verbosity, QuietStopsEveryProgressLine) {
  setenv("SG_PROGRESS_SECONDS", "0.000001", 1);
  sg::set_verbosity(sg::Verbosity::normal);
  sg::ProgressPace loud;
  while (!loud.due()) {}  // due within a microsecond or so
  sg::set_verbosity(sg::Verbosity::quiet);
  sg::ProgressPace quiet;
  for (int i = 0; i < 100000; ++i) ASSERT_FALSE(quiet.due());
  EXPECT_FALSE(loud.due());
  EXPECT_FALSE(sg::chatty());
  EXPECT_FALSE(sg::verbose());
  sg::set_verbosity(sg::Verbosity::verbose);
  EXPECT_TRUE(sg::chatty());
  EXPECT_TRUE(sg::verbose());
  sg::set_verbosity(sg::Verbosity::normal);
  unsetenv("SG_PROGRESS_SECONDS");
}

}  // namespace
