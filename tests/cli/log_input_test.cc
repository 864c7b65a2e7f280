// Logs as inputs through the binary: EVE and Zeek on standard input ("-") for extract and ingest, a folder of
// rotated, compressed Zeek logs, a bad line reported with file and line, and a capture and its log stored once.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "support/cli_run.h"
#include "support/temp_dir.h"

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

const fs::path kLogs = fs::path(SG_SHARED_DATA) / "logs";

std::vector<json> json_lines(const std::string& out) {
  std::vector<json> v;
  std::istringstream in(out);
  std::string l;
  while (std::getline(in, l))
    if (!l.empty() && l[0] == '{') v.push_back(json::parse(l));
  return v;
}

void write(const std::string& path, const std::string& text) { std::ofstream(path, std::ios::binary) << text; }

const std::string kEve =
    R"({"timestamp":"2023-07-03T10:11:12.000123+0000","src_ip":"198.51.100.7","src_port":40000,"dest_ip":"192.0.2.1",)"
    R"("dest_port":22,"proto":"TCP","event_type":"ssh","ssh":{"client":{"proto_version":"2.0","software_version":"Go"}}})"
    "\n"
    R"({"timestamp":"2023-07-03T10:11:13Z","src_ip":"198.51.100.7","src_port":40001,"dest_ip":"192.0.2.1",)"
    R"("dest_port":80,"proto":"TCP","event_type":"flow","flow":{}})"
    "\n"
    R"({"timestamp":"2023-07-03T10:11:14Z","src_ip":"198.51.100.7",)"
    "\n";

const std::string kZeek =
    "#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n#unset_field\t-\n#path\tdns\n"
    "#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\ttrans_id\tquery\tqclass\tqtype\tRD\n"
    "#types\ttime\tstring\taddr\tport\taddr\tport\tenum\tcount\tstring\tcount\tcount\tbool\n"
    "1600000000.123456\tC\t198.51.100.8\t5353\t192.0.2.1\t53\tudp\t4660\texample.org\t1\t1\tT\n";

TEST(LogInput, EveOnStandardInput) {
  sgtest::TempDir dir("sg_cli_logs");
  write(dir.file("eve.json"), kEve);
  auto r = sgtest::run_binary("cat " + dir.file("eve.json") + " | " + std::string(SG_BINARY), "extract -", false);
  auto probes = json_lines(r.out);
  ASSERT_EQ(probes.size(), 1u) << r.out;
  EXPECT_EQ(probes[0]["source"], "eve");
  EXPECT_EQ(probes[0]["ssh"]["banner"], "SSH-2.0-Go");
  EXPECT_FALSE(probes[0]["ssh"].contains("kexinit"));
  EXPECT_EQ(r.rc, 0);
  // The bad line is reported on stderr with its file and line; the flow is counted.
  auto e = sgtest::run_binary("cat " + dir.file("eve.json") + " | " + std::string(SG_BINARY),
                              "extract - 2>&1 >/dev/null", false);
  EXPECT_NE(e.out.find("-:3: eve: truncated or invalid JSON"), std::string::npos) << e.out;
  EXPECT_NE(e.out.find("eve: flow event 1"), std::string::npos) << e.out;
  EXPECT_NE(e.out.find("log records 3"), std::string::npos) << e.out;
}

TEST(LogInput, ZeekOnStandardInputIntoTheDatabase) {
  sgtest::TempDir dir("sg_cli_logs");
  write(dir.file("dns.log"), kZeek);
  const std::string db = dir.file("x.db");
  auto r = sgtest::run_binary("cat " + dir.file("dns.log") + " | " + std::string(SG_BINARY),
                              "ingest -q --db " + db + " -", true);
  ASSERT_EQ(r.rc, 0) << r.out;
  auto probes = json_lines(sgtest::run_binary(SG_BINARY, "probes --db " + db, false).out);
  ASSERT_EQ(probes.size(), 1u);
  EXPECT_EQ(probes[0]["source"], "zeek");
  EXPECT_EQ(probes[0]["dns"]["qname"], "example.org");
  EXPECT_EQ(probes[0]["ts"], "2020-09-13T12:26:40.123456Z");
}

TEST(LogInput, FolderOfRotatedCompressedLogs) {
  sgtest::TempDir dir("sg_cli_logs");
  fs::create_directories(dir.path() / "zeek/2020-09-13");
  write(dir.file("zeek/2020-09-13/dns.00:00:00-01:00:00.log"), kZeek);
  ASSERT_EQ(system(("gzip " + dir.file("zeek/2020-09-13/dns.00:00:00-01:00:00.log")).c_str()), 0);
  write(dir.file("zeek/notes.txt"), "not an input\n");  // not named like one: not read
  // Named like a log but not one (a honeypot's own JSON log): passed over and counted, not an error.
  write(dir.file("zeek/cowrie.json"), "{\"eventid\":\"cowrie.session.connect\"}\n");
  auto r = sgtest::run_binary(SG_BINARY, "extract " + dir.file("zeek"), false);
  EXPECT_EQ(r.rc, 0);
  auto err = sgtest::run_binary(SG_BINARY, "extract " + dir.file("zeek") + " 2>&1 >/dev/null", false);
  EXPECT_NE(err.out.find("named like a log that is not an EVE or Zeek log 1"), std::string::npos) << err.out;
  // Named on the command line, the same file is an error.
  EXPECT_EQ(sgtest::run_binary(SG_BINARY, "extract -q " + dir.file("zeek/cowrie.json")).rc, 1);
  auto probes = json_lines(r.out);
  ASSERT_EQ(probes.size(), 1u);
  EXPECT_EQ(probes[0]["service"], "dns");
}

TEST(LogInput, CaptureAndItsLogAreStoredOnce) {
  const fs::path c = kLogs / "suricata/ssh-sshguess";
  if (!fs::exists(c)) GTEST_SKIP() << "no shared data at " << c;
  sgtest::TempDir dir("sg_cli_logs");
  const std::string db = dir.file("x.db");
  // The log first, then the capture: the capture's probe takes the log's row.
  ASSERT_EQ(sgtest::run_binary(SG_BINARY, "ingest -q --db " + db + " " + (c / "eve.json").string()).rc, 0);
  auto before = json_lines(sgtest::run_binary(SG_BINARY, "probes --db " + db, false).out);
  ASSERT_EQ(before.size(), 1u);
  EXPECT_EQ(before[0]["source"], "eve");
  ASSERT_EQ(sgtest::run_binary(SG_BINARY, "ingest -q --db " + db + " " + (c / "sshguess.pcap").string()).rc, 0);
  auto after = json_lines(sgtest::run_binary(SG_BINARY, "probes --db " + db + " --service ssh", false).out);
  int from_log = 0, sessions = 0;
  for (const auto& p : after) {
    if (p["sport"] == before[0]["sport"] && p["src"] == before[0]["src"]) ++sessions;
    if (p["source"] != "pcap") ++from_log;
  }
  EXPECT_EQ(sessions, 1);
  EXPECT_EQ(from_log, 0);
}

TEST(LogInput, HelpNamesTheFormats) {
  for (const char* cmd : {"extract", "ingest"}) {
    auto r = sgtest::run_binary(SG_BINARY, std::string(cmd) + " --help", false);
    EXPECT_NE(r.out.find("Suricata EVE JSON"), std::string::npos) << cmd;
    EXPECT_NE(r.out.find("Zeek"), std::string::npos) << cmd;
  }
}

}  // namespace
