// truth.tsv: the file format, its reader and writer, and that simulate's truth joins the probes `extract`
// finds in the captures.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include "capture/cidr.h"
#include "simulate/scenario.h"
#include "simulate/truth.h"
#include "support/cli_run.h"
#include "support/temp_dir.h"

namespace fs = std::filesystem;
using namespace sg;
using namespace sg::simulate;

namespace {

using sgtest::read_file;

struct TempDir : sgtest::TempDir {
  TempDir() : sgtest::TempDir("sg_truth") {}
};

void write_file(const std::string& path, const std::string& text) { std::ofstream(path, std::ios::binary) << text; }

SimulateOptions opts(const std::string& scenario, const std::string& out, uint64_t seed = 1) {
  SimulateOptions o;
  o.scenario = scenario;
  o.out = out;
  o.seed = seed;
  return o;
}

TruthRow row(int64_t ts, const std::string& src, uint16_t sport, const std::string& org = "censys") {
  return {ts, "tcp", src, sport, "192.0.2.1", 80, "http", org, org};
}

}  // namespace

// ---- format ----

TEST(TruthFormat, TimeIsRfc3339WithMicroseconds) {
  EXPECT_EQ(truth_time(kDemoStartUs + 123), "2025-01-06T00:00:00.000123Z");
  EXPECT_EQ(truth_time(kDemoStartUs + 86399999999LL), "2025-01-06T23:59:59.999999Z");
  EXPECT_EQ(truth_time(-1), "1969-12-31T23:59:59.999999Z");
  int64_t t = 0;
  ASSERT_TRUE(parse_truth_time("2025-01-06T00:00:00.000123Z", t));
  EXPECT_EQ(t, kDemoStartUs + 123);
  ASSERT_TRUE(parse_truth_time("2025-01-06T00:00:01Z", t));
  EXPECT_EQ(t, kDemoStartUs + 1000000);
  ASSERT_TRUE(parse_truth_time("2025-01-06T00:00:00.0001235Z", t)) << "nanoseconds round to the microsecond";
  EXPECT_EQ(t, kDemoStartUs + 124);
  ASSERT_TRUE(parse_truth_time("2025-01-06T00:00:00.5Z", t));
  EXPECT_EQ(t, kDemoStartUs + 500000);
  for (const char* bad : {"", "2025-01-06", "2025-01-06T00:00:00", "2025-02-30T00:00:00Z", "2025-01-06T24:00:00Z",
                          "2025-01-06T00:00:00.Z", "2025-01-06T00:00:00.12a456Z", "2025-01-06T00:00:00.0000000001Z"})
    EXPECT_FALSE(parse_truth_time(bad, t)) << bad;
}

TEST(TruthFormat, LineRoundTrips) {
  TruthRow r{kDemoStartUs + 42, "udp", "2001:db8:c::5", 40000, "2001:db8::1", 53, "dns", "unknown", "nmap"};
  std::string line = truth_line(r);
  EXPECT_EQ(line, "2025-01-06T00:00:00.000042Z\tudp\t2001:db8:c::5\t40000\t2001:db8::1\t53\tdns\tunknown\tnmap\n");
  TruthRow back;
  std::string why;
  ASSERT_TRUE(parse_truth_line(line.substr(0, line.size() - 1), back, why)) << why;
  EXPECT_EQ(truth_line(back), line);
}

TEST(TruthReader, SkipsAndCountsBadLinesWithTheirLineNumbers) {
  TempDir dir;
  std::string path = dir.file("truth.tsv");
  std::string good = truth_line(row(kDemoStartUs, "198.51.100.33", 40001));
  std::string text = std::string(kTruthHeader) + good +                                                 // 2
                     "2025-01-06T00:00:00.000000Z\ttcp\t198.51.100.33\t40001\n" +                       // 3: 4 fields
                     "yesterday\ttcp\t198.51.100.33\t1\t192.0.2.1\t80\thttp\tcensys\tcensys\n" +        // 4
                     "2025-01-06T00:00:00.000000Z\tsctp\t1.2.3.4\t1\t192.0.2.1\t80\thttp\tx\tx\n" +     // 5
                     "2025-01-06T00:00:00.000000Z\ttcp\t1.2.3.400\t1\t192.0.2.1\t80\thttp\tx\tx\n" +    // 6
                     "2025-01-06T00:00:00.000000Z\ttcp\t1.2.3.4\t70000\t192.0.2.1\t80\thttp\tx\tx\n" +  // 7
                     "2025-01-06T00:00:00.000000Z\ttcp\t1.2.3.4\t1\t192.0.2.1\t-80\thttp\tx\tx\n" +     // 8
                     "2025-01-06T00:00:00.000000Z\ttcp\t1.2.3.4\t1\t192.0.2.1\t80\thttp\t\tx\n" +       // 9: empty org
                     good.substr(0, good.size() - 1) + "\textra\n" +                                    // 10: 10 fields
                     std::string(10000, 'x') + "\n" +                                                   // 11: overlong
                     "\n" + good;                                                                       // 12 blank, 13
  write_file(path, text + "2025-01-06T00:00:00.000000Z\ttcp");  // 14: cut off, no newline
  TruthReadStats stats;
  std::vector<TruthRow> rows = read_truth(path, &stats);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(stats.rows, 2u);
  EXPECT_EQ(stats.skipped, 10u);
  ASSERT_EQ(stats.problems.size(), 10u);
  EXPECT_EQ(stats.problems[0].rfind(path + ":3: ", 0), 0u) << stats.problems[0];
  EXPECT_NE(stats.problems[1].find(":4: bad time"), std::string::npos) << stats.problems[1];
  EXPECT_NE(stats.problems[4].find(":7: bad source port"), std::string::npos) << stats.problems[4];
  EXPECT_NE(stats.problems[7].find(":10: "), std::string::npos) << stats.problems[7];
  EXPECT_NE(stats.problems[8].find(":11: line longer"), std::string::npos) << stats.problems[8];
  EXPECT_NE(stats.problems[9].find(":14: "), std::string::npos) << stats.problems[9];
  EXPECT_EQ(rows[0].src, "198.51.100.33");
  EXPECT_EQ(rows[0].sport, 40001);
  EXPECT_EQ(rows[0].org, "censys");
  EXPECT_THROW(read_truth(dir.file("missing.tsv")), std::runtime_error);
}

TEST(TruthReader, StreamsWithoutHoldingRows) {
  TempDir dir;
  std::string path = dir.file("t.tsv");
  std::string text(kTruthHeader);
  for (int i = 0; i < 1000; ++i) text += truth_line(row(kDemoStartUs + i, "198.51.100.1", uint16_t(1000 + i)));
  write_file(path, text);
  int64_t sum = 0, n = 0;
  TruthReadStats s = for_each_truth(path, [&](const TruthRow& r) {
    sum += r.sport;
    ++n;
  });
  EXPECT_EQ(n, 1000);
  EXPECT_EQ(s.skipped, 0u);
  EXPECT_EQ(sum, 1000 * 1000 + 999 * 1000 / 2);
}

TEST(TruthWriterTest, WritesRowsInTimeOrderBehindTheWatermark) {
  TempDir dir;
  std::string path = dir.file("t.tsv");
  {
    TruthWriter w(path);
    // Sessions start in order; their probes come a round trip later, so rows arrive slightly out of order.
    for (int i = 0; i < 50000; ++i) {
      int64_t start = kDemoStartUs + int64_t(i) * 10;
      w.advance(start);
      w.add(row(start + (i % 7) * 25, "198.51.100.1", uint16_t(i)));
    }
    w.add(row(kDemoStartUs + 900000, "198.51.100.2", 1));  // a tie: emission order decides
    w.add(row(kDemoStartUs + 900000, "198.51.100.3", 1));
    w.finish();
    EXPECT_EQ(w.rows(), 50002u);
  }
  std::vector<TruthRow> rows = read_truth(path);
  ASSERT_EQ(rows.size(), 50002u);
  EXPECT_TRUE(
      std::is_sorted(rows.begin(), rows.end(), [](const TruthRow& a, const TruthRow& b) { return a.ts_us < b.ts_us; }));
  EXPECT_EQ(rows[rows.size() - 2].src, "198.51.100.2");
  EXPECT_EQ(rows.back().src, "198.51.100.3");
  EXPECT_EQ(read_file(path).rfind(std::string(kTruthHeader), 0), 0u) << "starts with the header";
}

// ---- simulate writes it ----

TEST(SimulateTruth, DemoDirectoryHoldsOneSortedRowPerSession) {
  TempDir dir;
  std::string out = dir.file("days") + "/";
  SimulateResult r = simulate::run(opts("demo", out));
  EXPECT_EQ(r.truth, out + "truth.tsv");
  TruthReadStats stats;
  std::vector<TruthRow> rows = read_truth(r.truth, &stats);
  EXPECT_EQ(stats.skipped, 0u);
  ASSERT_EQ(rows.size(), r.sessions);
  EXPECT_TRUE(
      std::is_sorted(rows.begin(), rows.end(), [](const TruthRow& a, const TruthRow& b) { return a.ts_us < b.ts_us; }));
  std::map<std::string, uint64_t> by_service;
  std::map<std::string, std::set<std::string>> populations;  // org -> populations
  for (const TruthRow& t : rows) {
    ++by_service[t.service];
    populations[t.org].insert(t.population);
    EXPECT_EQ(t.transport, t.service == "dns" ? "udp" : "tcp");
  }
  EXPECT_EQ(by_service, r.sessions_by_service);
  EXPECT_TRUE(populations.count("onyphe")) << "the organisation left out of labels.tsv keeps its real name";
  ASSERT_TRUE(populations.count("unknown"));
  EXPECT_GE(populations["unknown"].size(), 5u);
  EXPECT_TRUE(populations["unknown"].count("zgrab2"));
  EXPECT_TRUE(populations["unknown"].count("masscan"));
  for (const auto& [org, pops] : populations)
    if (org != "unknown") {
      EXPECT_EQ(pops, std::set<std::string>{org}) << org;
    }
  // No leftover temporary beside it.
  for (const auto& e : fs::directory_iterator(out)) EXPECT_NE(e.path().filename().string()[0], '.') << e.path();
}

TEST(SimulateTruth, SingleCaptureGetsItBesideAndScaleGetsNone) {
  TempDir dir;
  SimulateResult one = simulate::run(opts("demo", dir.file("demo.pcap"), 5));
  EXPECT_EQ(one.truth, dir.file("demo.pcap") + ".truth.tsv");
  SimulateResult days = simulate::run(opts("demo", dir.file("days") + "/", 5));
  EXPECT_EQ(read_file(one.truth), read_file(days.truth)) << "the same sessions whatever the file layout";
  SimulateResult other = simulate::run(opts("demo", dir.file("other.pcap"), 6));
  EXPECT_NE(read_file(one.truth), read_file(other.truth));
  SimulateOptions s = opts("scale", dir.file("scale.pcap"), 1);
  s.packets = 1000;
  SimulateResult scale = simulate::run(s);
  EXPECT_TRUE(scale.truth.empty());
  EXPECT_FALSE(fs::exists(dir.file("scale.pcap") + ".truth.tsv"));
}

TEST(SimulateTruth, ScenarioFileAndReplayWriteTruth) {
  TempDir dir;
  std::string scenario = dir.file("s.json");
  write_file(scenario, R"({"start": "2025-03-03", "days": 2, "sensors": {"v4": "192.0.2.0/28", "v4_count": 2},
    "orgs": [{"profile": "censys", "sessions": 40, "ips": 3, "v4": ["198.51.100.32/28"]},
             {"profile": "unknown", "sessions": 60, "ips": 20, "v4": ["203.0.113.0/24"]}]})");
  SimulateResult r = simulate::run(opts(scenario, dir.file("s") + "/"));
  std::vector<TruthRow> rows = read_truth(r.truth);
  ASSERT_EQ(rows.size(), 100u);
  EXPECT_EQ(std::count_if(rows.begin(), rows.end(), [](const TruthRow& t) { return t.org == "censys"; }), 40);

  std::string skeleton = dir.file("sk.tsv");
  write_file(skeleton,
             "ts\tsrc_ip\tservice\torg\n"
             "2024-12-10T20:05:39Z\t198.51.100.40\thttp\tcensys\n"
             "2024-12-10T20:05:39Z\t203.0.113.9\ttls\tunknown\n"
             "2024-12-10T20:05:40Z\t203.0.113.10\tdns\tunknown\n"
             "2024-12-10T20:05:41Z\t198.51.100.41\thttp\tnobody\n");
  SimulateOptions o = opts("replay", dir.file("replay.pcap"));
  o.skeleton = skeleton;
  SimulateResult rr = simulate::run(o);
  std::vector<TruthRow> rep = read_truth(rr.truth);
  ASSERT_EQ(rep.size(), 3u) << "the skipped skeleton row has no session";
  EXPECT_EQ(rep[0].src, "198.51.100.40");
  EXPECT_EQ(rep[0].org, "censys");
  int64_t second = 0;
  ASSERT_TRUE(parse_truth_time("2024-12-10T20:05:39Z", second));
  EXPECT_GE(rep[0].ts_us, second);
  EXPECT_LT(rep[0].ts_us, second + 1000000) << "the probe stays in its skeleton row's second";
  EXPECT_EQ(rep[2].org, "unknown");
  EXPECT_EQ(rep[2].service, "dns");
  EXPECT_TRUE(rep[2].population == "nmap" || rep[2].population == "dig-resolver-probe")
      << "an unknown tool with DNS probes, not " << rep[2].population;
}

// The point of the file: every probe `extract` finds joins one truth row on (ts, transport, src, sport, dst,
// dport), with the organisation labels.tsv gives its address.
TEST(SimulateTruth, EveryExtractedProbeJoinsExactlyOneRow) {
  TempDir dir;
  std::string out = dir.file("days") + "/";
  SimulateResult r = simulate::run(opts("demo", out, 3));
  using Key = std::tuple<std::string, std::string, std::string, int, std::string, int>;
  std::map<Key, const TruthRow*> truth;
  std::vector<TruthRow> rows = read_truth(r.truth);
  for (const TruthRow& t : rows) {
    Key k{truth_time(t.ts_us), t.transport, t.src, t.sport, t.dst, t.dport};
    EXPECT_TRUE(truth.emplace(k, &t).second) << "duplicate key " << truth_line(t);
  }
  std::vector<std::pair<Cidr, std::string>> labels;
  std::istringstream lt(read_file(r.labels));
  std::string line;
  std::getline(lt, line);
  while (std::getline(lt, line)) {
    Cidr c;
    ASSERT_TRUE(parse_cidr(line.substr(0, line.find('\t')), c)) << line;
    size_t a = line.find('\t') + 1;
    labels.push_back({c, line.substr(a, line.find('\t', a) - a)});
  }

  std::string nets;
  for (const auto& n : r.sensor_nets) nets += " --sensor-net " + n;
  sgtest::CliResult x = sgtest::run_binary(SG_BINARY, "extract --quiet" + nets + " " + out, false);
  ASSERT_EQ(x.rc, 0);
  std::istringstream in(x.out);
  std::map<std::string, size_t> joined;
  std::set<const TruthRow*> used;
  size_t labelled = 0;
  while (std::getline(in, line)) {
    auto j = nlohmann::json::parse(line);
    std::string service = j.at("service").get<std::string>();
    ASSERT_TRUE(service == "http" || service == "tls" || service == "dns" || service == "ssh" || service == "syn")
        << "the demo sends no other service: " << line;
    Key k{j.at("ts").get<std::string>(), j.at("transport").get<std::string>(), j.at("src").get<std::string>(),
          j.at("sport").get<int>(),      j.at("dst").get<std::string>(),       j.at("dport").get<int>()};
    auto it = truth.find(k);
    ASSERT_NE(it, truth.end()) << "no truth row for " << line;
    EXPECT_TRUE(used.insert(it->second).second) << "two probes join one row: " << line;
    EXPECT_EQ(it->second->service, service) << line;
    ++joined[service];
    IpAddr src;
    ASSERT_TRUE(parse_ip(j.at("src").get<std::string>(), src));
    for (const auto& [cidr, org] : labels)
      if (cidr.contains(src)) {
        EXPECT_EQ(it->second->org, org) << line;
        ++labelled;
      }
    if (::testing::Test::HasFailure()) return;
  }
  EXPECT_EQ(used.size(), rows.size()) << "every session gave exactly one probe";
  for (const char* s : {"http", "tls", "dns", "ssh", "syn"}) EXPECT_GT(joined[s], 20u) << s;
  EXPECT_GT(labelled, rows.size() / 3);
}
