// The service table: one row per Service in enum order, the names the database and export use, and the
// lists the stages build from it.
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "probe/service.h"

namespace sg {
namespace {

TEST(ServiceTable, NamesRoundTripInEnumOrder) {
  ASSERT_EQ(kServices.size(), size_t(Service::other) + 1);
  for (size_t i = 0; i < kServices.size(); ++i) {
    EXPECT_EQ(size_t(kServices[i].id), i);
    EXPECT_STREQ(service_name(kServices[i].id), kServices[i].name);
    EXPECT_EQ(service_from_name(kServices[i].name), kServices[i].id);
  }
  EXPECT_FALSE(service_from_name("smtp"));
  EXPECT_FALSE(service_from_name(""));
}

TEST(ServiceTable, ListsKeepTheTableOrder) {
  EXPECT_EQ(join_service_names(" "), "http tls dns ssh rdp syn other");
  const std::set<std::string> used = {"syn", "other", "http", "smtp"};
  EXPECT_EQ(join_service_names(",", [&](const ServiceInfo& s) { return used.count(s.name) > 0; }), "http,syn,other");
  EXPECT_EQ(join_service_names(",", [](const ServiceInfo& s) { return s.has_fields; }), "http,tls,dns,ssh,rdp,syn");
  EXPECT_EQ(join_service_names(",", [](const ServiceInfo& s) { return s.voted; }), "http,tls,dns");
  EXPECT_EQ(voted_services(), (std::vector<Service>{Service::http, Service::tls, Service::dns}));
}

}  // namespace
}  // namespace sg
