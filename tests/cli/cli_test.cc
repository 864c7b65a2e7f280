// End-to-end: the scannergrouper binary on real captures from peer projects and on captures the test
// writes itself.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>

#include "support/cli_run.h"
#include "support/frames.h"

namespace fs = std::filesystem;
using nlohmann::json;
using namespace sgtest;

namespace {

using Result = sgtest::CliResult;
Result run(const std::string& args) { return sgtest::run_binary(SG_BINARY, args, /*merge_stderr=*/false); }

std::vector<json> lines(const std::string& out) {
  std::vector<json> v;
  std::istringstream in(out);
  std::string l;
  while (std::getline(in, l))
    if (!l.empty()) v.push_back(json::parse(l));
  return v;
}

std::string sql(const std::string& db, const std::string& query) {
  FILE* p = popen(("sqlite3 " + db + " \"" + query + "\" 2>/dev/null").c_str(), "r");
  std::string out;
  char buf[256];
  while (fgets(buf, sizeof buf, p)) out += buf;
  pclose(p);
  return out;
}

const std::string kShared = SG_SHARED_DATA;
const std::string kModbus =
    kShared + "/pcaps/scanner_real/zeek_zeek__testing_btest_Traces_modbus_modbus-and-non-modbus-p502.pcap";
const std::string kBot = kShared + "/pcaps/crawler_real/ntop_nDPI__tests_cfgs_default_pcap_bot.pcap";

class Cli : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("sg_cli_" + std::to_string(getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string path(const std::string& n) { return (dir_ / n).string(); }
  void need_shared() {
    if (!fs::exists(kModbus)) GTEST_SKIP() << "shared data not found at " << kShared;
  }
  // A small capture of our own: an HTTP session, a TLS-less SSH banner, a DNS query.
  std::string own_capture(const std::string& name, int64_t t0 = 1736121600000000) {
    auto frames = tcp_session(t0, {198, 51, 100, 7}, {192, 0, 2, 1}, 40001, 80,
                              {"GET /a HTTP/1.1\r\nHost: sensor\r\n", "User-Agent: test/1.0\r\n\r\n"});
    auto ssh = tcp_session(t0 + 5000, {203, 0, 113, 9}, {192, 0, 2, 1}, 40002, 22, {"SSH-2.0-Go\r\n"});
    frames.insert(frames.end(), ssh.begin(), ssh.end());
    Bytes q = {0xab, 0xcd, 1,   0,   0,   1, 0,   0,   0,   0,   0, 0, 7,  'v', 'e',
               'r',  's',  'i', 'o', 'n', 4, 'b', 'i', 'n', 'd', 0, 0, 16, 0,   3};
    frames.push_back({t0 + 9000, ether(ipv4({203, 0, 113, 10}, {192, 0, 2, 1}, 17, udp(5353, 53, q)))});
    write_pcap(path(name), DLT_EN10MB, frames);
    return path(name);
  }
  fs::path dir_;
};

TEST_F(Cli, ExtractRealScannerProbes) {
  need_shared();
  Result r = run("extract -q " + kModbus + " " + kBot);
  ASSERT_EQ(r.rc, 0);
  auto probes = lines(r.out);
  bool bufferover = false, zgrab = false, bing = false;
  for (const json& p : probes) {
    if (p["src"] == "66.175.213.4") {  // bufferover's ClientHello on the Modbus port
      EXPECT_EQ(p["service"], "tls");
      EXPECT_EQ(p["tls"]["version"], 771);
      EXPECT_EQ(p["tls"]["ja3_hash"].get<std::string>().size(), 32u);
      EXPECT_EQ(p["tls"]["ja4"].get<std::string>().substr(0, 4), "t12i");
      bufferover = true;
    }
    if (p["src"] == "198.74.56.135") {  // zgrab's GET /
      EXPECT_EQ(p["service"], "http");
      EXPECT_EQ(p["http"]["uri"], "/");
      EXPECT_EQ(p["http"]["user_agent"], "Mozilla/5.0 zgrab/0.x");
      EXPECT_EQ(p["http"]["headers"][0][0], "Host");
      zgrab = true;
    }
    if (p["src"] == "40.77.167.36") {
      EXPECT_NE(p["http"]["user_agent"].get<std::string>().find("bingbot/2.0"), std::string::npos);
      bing = true;
    }
    EXPECT_TRUE(p["ts"].get<std::string>().ends_with("Z"));
  }
  EXPECT_TRUE(bufferover && zgrab && bing);
}

TEST_F(Cli, IngestTwiceAddsNothingAndProbesExportsTheContract) {
  std::string cap = own_capture("own.pcap");
  std::string db = path("p.db");
  Result first = run("ingest -q --db " + db + " " + cap + " 2>&1");
  ASSERT_EQ(first.rc, 0) << first.out;
  Result again = run("ingest --db " + db + " " + dir_.string() + " 2>&1");
  ASSERT_EQ(again.rc, 0) << again.out;
  EXPECT_NE(again.out.find("already ingested"), std::string::npos) << again.out;
  EXPECT_NE(again.out.find("stored 0 new probes"), std::string::npos) << again.out;
  // the same sessions in a renamed, recompressed file are still not counted twice
  ASSERT_EQ(system(("gzip -c " + cap + " > " + path("copy.pcap.gz")).c_str()), 0);
  Result copy = run("ingest --db " + db + " " + path("copy.pcap.gz") + " 2>&1");
  EXPECT_NE(copy.out.find("stored 0 new probes"), std::string::npos) << copy.out;

  auto probes = lines(run("probes --db " + db).out);
  ASSERT_EQ(probes.size(), 3u);
  EXPECT_EQ(probes[0]["service"], "http");
  EXPECT_EQ(probes[0]["http"]["user_agent"], "test/1.0");
  EXPECT_EQ(probes[1]["service"], "ssh");
  EXPECT_EQ(probes[1]["ssh"]["banner"], "SSH-2.0-Go");
  EXPECT_EQ(probes[2]["dns"]["qname"], "version.bind");
  EXPECT_EQ(probes[2]["dns"]["qclass"], 3);
  EXPECT_EQ(probes[0]["ts"], "2025-01-06T00:00:00.000300Z");

  Result csv = run("probes --db " + db + " --service dns --format csv");
  EXPECT_EQ(csv.out.substr(0, 30), "ts,src,sport,dst,dport,transpo");
  EXPECT_NE(csv.out.find("version.bind"), std::string::npos);
  EXPECT_EQ(std::count(csv.out.begin(), csv.out.end(), '\n'), 2);
}

// Probe text is the attacker's: in a CSV it must not become a spreadsheet formula, while the numbers of
// the row (ports, DNS ids) stay numbers.
TEST_F(Cli, ProbesCsvDefusesFormulasAndKeepsNumbers) {
  auto frames = tcp_session(1736121600000000, {198, 51, 100, 7}, {192, 0, 2, 1}, 40001, 80,
                            {"GET /a HTTP/1.1\r\nHost: @SUM(1+1)\r\nUser-Agent: =cmd|' /C calc'!A0\r\n\r\n"});
  write_pcap(path("evil.pcap"), DLT_EN10MB, frames);
  std::string db = path("p.db");
  ASSERT_EQ(run("ingest -q --db " + db + " " + path("evil.pcap")).rc, 0);
  Result csv = run("probes --db " + db + " --format csv");
  ASSERT_EQ(csv.rc, 0) << csv.out;
  EXPECT_NE(csv.out.find(",'=cmd|' /C calc'!A0,"), std::string::npos) << csv.out;
  EXPECT_NE(csv.out.find(",'@SUM(1+1),"), std::string::npos) << csv.out;
  EXPECT_EQ(csv.out.find(",=cmd"), std::string::npos) << csv.out;
  EXPECT_NE(csv.out.find(",198.51.100.7,40001,192.0.2.1,80,"), std::string::npos) << csv.out;
}

// A write that fails (here: a full disk) fails the command with one clear line, for the long outputs
// written probe by probe and for the short ones left in stdio's buffer until the end.
TEST_F(Cli, WriteErrorsOnStandardOutputFailTheCommand) {
  std::string cap = own_capture("own.pcap");
  std::string db = path("p.db");
  ASSERT_EQ(run("ingest -q --db " + db + " " + cap).rc, 0);
  const std::string full = " 2>&1 >/dev/full";
  for (const std::string& args : {"probes --db " + db + " --format csv", "probes --db " + db, "extract -q " + cap,
                                  "labels stats --db " + db, std::string("--help")}) {
    Result r = run(args + full);
    EXPECT_EQ(r.rc, 1) << args << ": " << r.out;
    EXPECT_EQ(r.out, "error: writing standard output: No space left on device\n") << args;
  }
  Result ok = run("probes --db " + db + " --format csv 2>&1 >/dev/null");
  EXPECT_EQ(ok.rc, 0) << ok.out;
  EXPECT_EQ(ok.out, "");
}

TEST_F(Cli, InterruptedIngestIsCompletedByARerun) {
  std::string cap = own_capture("own.pcap");
  std::string db = path("p.db");
  ASSERT_EQ(run("ingest -q --db " + db + " " + cap).rc, 0);
  // Simulate a crash after the first batch: the capture is left 'ingesting' with part of its probes.
  ASSERT_EQ(
      system(
          ("sqlite3 " + db + " \"UPDATE captures SET status='ingesting'; DELETE FROM probes WHERE id > 1\"").c_str()),
      0);
  Result r = run("ingest --db " + db + " " + cap + " 2>&1");
  EXPECT_NE(r.out.find("stored 2 new probes"), std::string::npos) << r.out;
  EXPECT_EQ(lines(run("probes --db " + db).out).size(), 3u);
}

TEST_F(Cli, BadInputsGiveOneClearLineAndNonZeroExit) {
  std::ofstream(path("notes.pcap")) << "not a capture at all\n";
  Result r = run("extract " + path("notes.pcap") + " 2>&1 >/dev/null");
  EXPECT_NE(r.rc, 0);
  EXPECT_NE(r.out.find("notes.pcap: not a readable pcap/pcapng capture"), std::string::npos) << r.out;
  Result missing = run("extract " + path("missing.pcap") + " 2>&1 >/dev/null");
  EXPECT_NE(missing.rc, 0);
  Result bad_net = run("extract --sensor-net 300.1.1.1/8 " + path("notes.pcap") + " 2>&1");
  EXPECT_NE(bad_net.rc, 0);
  EXPECT_NE(bad_net.out.find("--sensor-net"), std::string::npos) << bad_net.out;
  Result bad_date = run("probes --db " + path("x.db") + " --from yesterday 2>&1");
  EXPECT_NE(bad_date.rc, 0);
}

TEST_F(Cli, TruncatedCaptureKeepsEarlierProbesAndNamesTheOffset) {
  std::string cap = own_capture("own.pcap");
  std::string data;
  {
    std::ifstream in(cap, std::ios::binary);
    data.assign(std::istreambuf_iterator<char>(in), {});
  }
  std::ofstream(path("cut.pcap"), std::ios::binary) << data.substr(0, data.size() - 20);
  Result r = run("extract " + path("cut.pcap") + " 2>" + path("err.txt"));
  EXPECT_EQ(r.rc, 0);
  auto probes = lines(r.out);
  EXPECT_EQ(probes.size(), 2u);  // HTTP and SSH come before the damaged last record (the DNS query)
  std::ifstream err(path("err.txt"));
  std::string text((std::istreambuf_iterator<char>(err)), {});
  EXPECT_NE(text.find("cut.pcap: damaged capture at byte offset"), std::string::npos) << text;
}

TEST_F(Cli, HelpTeaches) {
  Result r = run("--help");
  EXPECT_EQ(r.rc, 0);
  EXPECT_NE(r.out.find("ingest"), std::string::npos);
  Result e = run("ingest --help");
  EXPECT_NE(e.out.find("--sensor-net"), std::string::npos);
  EXPECT_NE(e.out.find("Example"), std::string::npos);
}

}  // namespace

namespace {

TEST_F(Cli, SensorNetOptionsDoNotSwallowCaptures) {
  std::string cap = own_capture("own.pcap");
  Result r = run("extract -q --sensor-net 192.0.2.0/24 --sensor-net 2001:db8::/64 " + cap);
  ASSERT_EQ(r.rc, 0);
  EXPECT_EQ(lines(r.out).size(), 3u);
}

// kill -9 in the middle of an ingest, then a rerun: the database ends as an uninterrupted run's.
TEST_F(Cli, KillDuringIngestThenRerunEqualsCleanRun) {
  std::string cap = path("scale.pcap");
  ASSERT_EQ(run("simulate --scenario scale --packets 400000 --seed 3 --out " + cap + " 2>/dev/null").rc, 0);
  std::string clean = path("clean.db"), crashed = path("crashed.db");
  ASSERT_EQ(run("ingest -q --db " + clean + " " + cap).rc, 0);

  pid_t pid = fork();
  if (pid == 0) {
    execl(SG_BINARY, SG_BINARY, "ingest", "-q", "--db", crashed.c_str(), cap.c_str(), nullptr);
    _exit(127);
  }
  // Kill as soon as the first batch is committed: far too early to finish, and independent of how long the
  // binary takes to start (it loads libtorch).
  for (int i = 0; i < 1000; ++i) {
    usleep(10 * 1000);
    if (std::filesystem::exists(crashed) && sql(crashed, "SELECT count(*) FROM probes") != "0\n" &&
        !sql(crashed, "SELECT count(*) FROM probes").empty())
      break;
  }
  kill(pid, SIGKILL);
  int status = 0;
  waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFSIGNALED(status)) << "ingest finished before the kill; the test needs a larger capture";
  EXPECT_EQ(sql(crashed, "SELECT count(*) FROM captures WHERE status='complete'"), "0\n");
  ASSERT_EQ(run("ingest -q --db " + crashed + " " + cap).rc, 0);

  Result a = run("probes --db " + clean + " | md5sum");
  Result b = run("probes --db " + crashed + " | md5sum");
  EXPECT_EQ(a.out, b.out);
  EXPECT_GT(lines(run("probes --db " + clean + " --service http").out).size(), 100u);
  EXPECT_EQ(sql(crashed, "SELECT status FROM captures"), "complete\n");
}

}  // namespace

namespace {

// Runs `extract -q --live lo` with `args`, calls `send` once the capture is open, stops it with SIGINT and
// returns the probes it printed. Needs root (CI runs as root) and a loopback device.
std::vector<nlohmann::json> live_extract(const std::vector<std::string>& args, const std::function<void()>& send) {
  int out[2];
  if (pipe(out) != 0) ADD_FAILURE() << "pipe";
  pid_t pid = fork();
  if (pid == 0) {
    dup2(out[1], 1);
    close(out[0]);
    std::vector<std::string> all{SG_BINARY, "extract", "-q", "--live", "lo"};
    all.insert(all.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : all) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(SG_BINARY, argv.data());
    _exit(127);
  }
  close(out[1]);
  usleep(1500 * 1000);  // let libpcap open and activate the device
  send();
  usleep(300 * 1000);
  kill(pid, SIGINT);
  std::string text;
  char buf[4096];
  ssize_t n;
  while ((n = read(out[0], buf, sizeof buf)) > 0) text.append(buf, static_cast<size_t>(n));
  close(out[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "extract did not stop cleanly on SIGINT";
  return lines(text);
}

void send_udp(uint16_t port, const void* data, size_t size, int times) {
  int s = socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(port);
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  for (int i = 0; i < times; ++i) {
    sendto(s, data, size, 0, reinterpret_cast<sockaddr*>(&to), sizeof to);
    usleep(100 * 1000);
  }
  close(s);
}

// Live capture takes the same path as files: DNS queries sent on loopback come out as probes, and
// SIGINT ends the capture cleanly with what was seen.
TEST(CliLive, LoopbackDnsQueriesBecomeProbes) {
  if (geteuid() != 0) GTEST_SKIP() << "live capture needs root";
  const uint8_t q[] = {0x12, 0x34, 1,   0, 0,   1,   0,   0,   0, 0, 0, 0, 4, 'l',
                       'i',  'v',  'e', 4, 't', 'e', 's', 't', 0, 0, 1, 0, 1};
  auto probes = live_extract({"--bpf", "udp and dst port 53999"}, [&] { send_udp(53999, q, sizeof q, 5); });
  ASSERT_FALSE(probes.empty()) << "no probe captured on lo";
  EXPECT_EQ(probes[0]["service"], "dns");
  EXPECT_EQ(probes[0]["dns"]["qname"], "live.test");
  EXPECT_EQ(probes[0]["dport"], 53999);
}

// A live capture keeps of each packet the byte cap plus 1,024 bytes for headers (libpcap's ring then holds
// more packets): a 4,000-byte datagram on loopback under --byte-cap 64 is seen as its first 1,088 bytes,
// less the 42 of Ethernet, IPv4 and UDP headers.
TEST(CliLive, TheSnapshotFollowsTheByteCap) {
  if (geteuid() != 0) GTEST_SKIP() << "live capture needs root";
  const std::string payload(4000, 'Z');
  auto probes = live_extract({"--bpf", "udp and dst port 53998", "--byte-cap", "64"},
                             [&] { send_udp(53998, payload.data(), payload.size(), 1); });
  ASSERT_EQ(probes.size(), 1u) << "one datagram, one probe";
  EXPECT_EQ(probes[0]["service"], "other");
  EXPECT_EQ(probes[0]["other"]["length"], 1088 - 42);
}

}  // namespace
