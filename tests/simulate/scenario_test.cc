// Scenarios are deterministic per seed, exact in size, time-ordered and valid frame by frame.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "probe/dns.h"
#include "probe/http.h"
#include "simulate/pcap_writer.h"
#include "simulate/profiles.h"
#include "simulate/scenario.h"

#include "simulate/sim_frames.h"

using namespace simtest;
namespace fs = std::filesystem;

// ---- scenarios ----

SimulateOptions opts(const std::string& scenario, const std::string& out, uint64_t seed, uint64_t packets = 0) {
  SimulateOptions o;
  o.scenario = scenario;
  o.out = out;
  o.seed = seed;
  o.packets = packets;
  return o;
}

TEST(Scenario, DemoIsDeterministicPerSeed) {
  TempDir dir;
  SimulateResult a = simulate::run(opts("demo", dir.file("a.pcap"), 7));
  SimulateResult b = simulate::run(opts("demo", dir.file("b.pcap"), 7));
  SimulateResult c = simulate::run(opts("demo", dir.file("c.pcap"), 8));
  EXPECT_EQ(read_file(dir.file("a.pcap")), read_file(dir.file("b.pcap")));
  EXPECT_NE(read_file(dir.file("a.pcap")), read_file(dir.file("c.pcap")));
  EXPECT_EQ(a.packets, b.packets);
  EXPECT_EQ(a.bytes, fs::file_size(dir.file("a.pcap")));
  EXPECT_GE(a.sessions, 2000u);
  EXPECT_LE(a.sessions, 10000u);
  for (const char* service : {"http", "tls", "dns", "ssh", "syn"})
    EXPECT_GT(a.sessions_by_service[service], 20u) << service;
  uint64_t sum = 0;
  for (const auto& [k, v] : a.sessions_by_service) sum += v;
  EXPECT_EQ(sum, a.sessions);
}

TEST(Scenario, DemoFramesAreValidAndTimeOrdered) {
  TempDir dir;
  SimulateResult r = simulate::run(opts("demo", dir.file("demo.pcap"), 1));
  auto frames = read_pcap(dir.file("demo.pcap"));
  ASSERT_EQ(frames.size(), r.packets);
  EXPECT_GE(frames.front().ts_us, kDemoStartUs);
  EXPECT_LT(frames.back().ts_us, kDemoStartUs + int64_t(kDemoDays + 1) * 86400 * 1000000);
  size_t v6 = 0, dns_ok = 0, http_3389 = 0;
  std::map<std::string, size_t> sensors;
  for (size_t i = 0; i < frames.size(); ++i) {
    if (i) {
      ASSERT_LE(frames[i - 1].ts_us, frames[i].ts_us);
    }
    expect_checksums_ok(frames[i].data);
    Packet p = decode(frames[i].data);
    v6 += !p.src.v4;
    DnsProbe d;
    if (p.proto == 17 && p.dport == 53 && parse_dns_query(p.payload, d).ok()) {
      ++dns_ok;
      ++sensors[to_string(p.dst)];
    }
    HttpProbe h;
    if (p.dport == 3389 && http_match(p.payload) == Match::yes) ++http_3389;
    if (::testing::Test::HasFailure()) return;
  }
  EXPECT_GT(v6, 100u);
  EXPECT_GT(dns_ok, 100u);
  EXPECT_GE(sensors.size(), 8u) << "queries reach every IPv4 sensor";
  EXPECT_GT(http_3389, 5u) << "HTTP on a non-standard port";
}

TEST(Scenario, DemoIntoDirectoryWritesOneFilePerDayAndLabels) {
  TempDir dir;
  std::string out = dir.file("days") + "/";
  SimulateResult r = simulate::run(opts("demo", out, 1));
  ASSERT_GE(r.files.size(), size_t(kDemoDays));
  EXPECT_EQ(fs::path(r.files.front()).filename(), "2025-01-06.pcap");
  EXPECT_EQ(fs::path(r.files[kDemoDays - 1]).filename(), "2025-01-26.pcap");
  uint64_t packets = 0, bytes = 0;
  for (const auto& f : r.files) {
    packets += read_pcap(f).size();
    bytes += fs::file_size(f);
  }
  EXPECT_EQ(packets, r.packets);
  EXPECT_EQ(bytes, r.bytes);
  EXPECT_EQ(read_file(out + "labels.tsv"), demo_labels_tsv());
  EXPECT_EQ(r.sensor_nets, (std::vector<std::string>{"192.0.2.0/28", "2001:db8::/124"}));
  // Same content as the single-file run.
  SimulateResult single = simulate::run(opts("demo", dir.file("one.pcap"), 1));
  EXPECT_EQ(single.packets, r.packets);
}

TEST(Scenario, ScaleWritesExactlyN) {
  TempDir dir;
  for (uint64_t n : {1ull, 37ull, 100000ull}) {
    std::string path = dir.file("scale" + std::to_string(n) + ".pcap");
    SimulateResult r = simulate::run(opts("scale", path, 3, n));
    EXPECT_EQ(r.packets, n);
    auto frames = read_pcap(path);
    ASSERT_EQ(frames.size(), n);
    for (size_t i = 1; i < frames.size(); ++i) ASSERT_LE(frames[i - 1].ts_us, frames[i].ts_us);
    for (size_t i = 0; i < frames.size(); i += 97) expect_checksums_ok(frames[i].data);
  }
  SimulateResult r = simulate::run(opts("scale", dir.file("x.pcap"), 3, 100000));
  EXPECT_GT(r.sessions, 5000u);
  EXPECT_GE(r.sessions_by_service.size(), 6u);
}

TEST(Scenario, RejectsBadOptions) {
  TempDir dir;
  EXPECT_THROW(simulate::run(opts("nope", dir.file("a.pcap"), 1)), std::invalid_argument);
  EXPECT_THROW(simulate::run(opts("demo", "", 1)), std::invalid_argument);
  EXPECT_THROW(simulate::run(opts("demo", dir.file("a.pcap"), 1, 5)), std::invalid_argument);
  EXPECT_THROW(simulate::run(opts("replay", dir.file("a.pcap"), 1)), std::invalid_argument)
      << "replay without a skeleton";
  SimulateOptions o = opts("demo", dir.file("a.pcap"), 1);
  o.skeleton = dir.file("s.tsv");
  EXPECT_THROW(simulate::run(o), std::invalid_argument) << "a skeleton outside replay";
  EXPECT_THROW(simulate::run(opts("scale", dir.file("no/such/dir.pcap"), 1, 10)), std::runtime_error);
  EXPECT_TRUE(fs::is_empty(dir.path()));
}

TEST(Scenario, DemoLabels) {
  std::string tsv = demo_labels_tsv();
  EXPECT_EQ(tsv.substr(0, 25), "prefix\torg\tsource\tperiod\n");
  EXPECT_NE(tsv.find("198.51.100.32/28\tcensys\tsimulate-demo\tcurrent\n"), std::string::npos);
  EXPECT_NE(tsv.find("2001:db8:c::/64\tcensys\t"), std::string::npos);
  EXPECT_NE(tsv.find("198.51.100.112/28\tinternet_census\tsimulate-demo\t2025-01-01..2025-06-30\n"), std::string::npos);
  EXPECT_EQ(tsv.find("onyphe"), std::string::npos) << "the open-set organisation stays off the labels";
  EXPECT_EQ(tsv.find("203.0.113."), std::string::npos) << "the unknown population stays unknown";
}
