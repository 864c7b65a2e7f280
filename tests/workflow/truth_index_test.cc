// The truth of a simulated session found from a probe of any source: by 5-tuple and the nearest time
// within the store's same-session window, so a log probe stamped later than the capture's first payload is
// judged too, and a reused port's other session is not taken for it.
#include <gtest/gtest.h>

#include "storage/probe_store.h"
#include "workflow/evaluate.h"

namespace sg::workflow {
namespace {

TEST(TruthIndex, FindsTheNearestSessionOfTheFlowWithinTheSameSessionWindow) {
  TruthIndex t;
  t.add(1'000'000, "198.51.100.7", 40000, "192.0.2.5", 443, "tcp", "censys");
  t.add(900'000'000, "198.51.100.7", 40000, "192.0.2.5", 443, "tcp", "unknown");  // the port reused later
  t.add(1'000'000, "198.51.100.8", 40000, "192.0.2.5", 443, "tcp", "shodan");
  EXPECT_EQ(t.size(), 3u);

  auto org = [&](int64_t ts, const char* src = "198.51.100.7", int64_t sport = 40000, const char* transport = "tcp") {
    const std::string* o = t.find(ts, src, sport, "192.0.2.5", 443, transport);
    return o ? *o : std::string("-");
  };
  EXPECT_EQ(org(1'000'000), "censys");                              // the capture's own time
  EXPECT_EQ(org(1'250'000), "censys");                              // an EVE record stamped at a later packet
  EXPECT_EQ(org(900'100'000), "unknown");                           // the nearer session of the two
  EXPECT_EQ(org(1'000'000 + ProbeStore::kSameSessionUs + 1), "-");  // too far from either
  EXPECT_EQ(org(1'000'000, "198.51.100.8"), "shodan");
  EXPECT_EQ(org(1'000'000, "198.51.100.9"), "-");  // another flow
  EXPECT_EQ(org(1'000'000, "198.51.100.7", 40001), "-");
  EXPECT_EQ(org(1'000'000, "198.51.100.7", 40000, "udp"), "-");
}

}  // namespace
}  // namespace sg::workflow
