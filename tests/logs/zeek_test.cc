// Zeek logs into probes: TSV with its headers and escapes, JSON lines, a #fields change in the middle of a
// file, conn.log's SYN-only sessions, and bad values as counted skips naming file and line.
#include "logs/zeek.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "export/json.h"
#include "log_fixture.h"

namespace {

using sg::Probe;

bool is_absent(const Probe& p, const std::string& key) {
  return std::find(p.absent.begin(), p.absent.end(), key) != p.absent.end();
}

const std::string kHttpHeader =
    "#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n#unset_field\t-\n#path\thttp\n"
    "#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\ttrans_depth\tmethod\thost\turi\tversion\t"
    "user_agent\trequest_body_len\tclient_header_names\n"
    "#types\ttime\tstring\taddr\tport\taddr\tport\tcount\tstring\tstring\tstring\tstring\tstring\tcount\tvector[string]"
    "\n";

TEST(Zeek, HttpTsvWithEscapes) {
  sgtest::TempDir dir("sg_zeek");
  auto run = sgtest::read_log_text(
      dir, "http.log",
      kHttpHeader +
          "1300475168.652003\tC1\t141.142.220.118\t35634\t208.80.152.2\t80\t1\tGET\tmeta.wikimedia.org\t"
          "/a\\x09b\t1.1\tcurl\t0\tHOST,USER-AGENT\n"
          "1300475168.9\tC1\t141.142.220.118\t35634\t208.80.152.2\t80\t2\tGET\t-\t/again\t1.1\t-\t0\t-\n");
  ASSERT_EQ(run.format, sg::logs::LogFormat::zeek);
  ASSERT_EQ(run.probes.size(), 1u);
  const Probe& p = run.probes[0];
  EXPECT_EQ(p.source, sg::Source::zeek);
  EXPECT_EQ(p.ts_us, 1300475168652003);
  EXPECT_EQ(p.http->uri, "/a\tb");
  EXPECT_EQ(p.http->host, "meta.wikimedia.org");
  EXPECT_EQ(p.http->user_agent, "curl");
  // The reply's version and upper-cased names without values: not what the client sent, so absent.
  EXPECT_TRUE(is_absent(p, "http.version"));
  EXPECT_TRUE(is_absent(p, "http.headers"));
  EXPECT_FALSE(is_absent(p, "http.body_length"));
  EXPECT_EQ(run.stats.skipped.at("zeek: later HTTP request on a connection"), 1u);
  EXPECT_NE(sg::probe_to_jsonl(p).find(R"("source":"zeek")"), std::string::npos);
}

TEST(Zeek, JsonLinesEpochAndIsoTimes) {
  sgtest::TempDir dir("sg_zeek");
  auto run = sgtest::read_log_text(
      dir, "dns.log",
      R"({"ts":1300475167.096535,"uid":"C","id.orig_h":"141.142.220.202","id.orig_p":5353,"id.resp_h":"224.0.0.251",)"
      R"("id.resp_p":5353,"proto":"udp","trans_id":0,"query":"_ipp._tcp.local","qclass":1,"qtype":12,"RD":false})"
      "\n"
      R"({"_path":"ssh","ts":"2020-01-01T00:00:01.250000Z","id.orig_h":"10.0.0.1","id.orig_p":1,"id.resp_h":"10.0.0.2",)"
      R"("id.resp_p":22,"client":"SSH-2.0-Go","server":"SSH-2.0-OpenSSH"})"
      "\n");
  ASSERT_EQ(run.format, sg::logs::LogFormat::zeek);
  ASSERT_EQ(run.probes.size(), 2u) << (run.bad.empty() ? "" : run.bad[0]);
  EXPECT_EQ(run.probes[0].ts_us, 1300475167096535);  // exactly, never through a double
  EXPECT_EQ(run.probes[0].transport, sg::Transport::udp);
  EXPECT_EQ(run.probes[0].dns->qname, "_ipp._tcp.local");
  EXPECT_EQ(run.probes[0].dns->qtype, 12);
  EXPECT_FALSE(run.probes[0].dns->rd);
  EXPECT_TRUE(is_absent(run.probes[0], "dns.rcode"));
  EXPECT_EQ(run.probes[1].ts_us, 1577836801250000);
  EXPECT_EQ(run.probes[1].ssh->banner, "SSH-2.0-Go");
  EXPECT_TRUE(is_absent(run.probes[1], "ssh.kexinit"));
}

TEST(Zeek, FieldsChangeInTheMiddleOfAFile) {
  sgtest::TempDir dir("sg_zeek");
  const std::string second =
      "#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n#unset_field\t-\n#path\tssh\n"
      "#fields\tts\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tclient\n"
      "#types\ttime\taddr\tport\taddr\tport\tstring\n";
  auto run = sgtest::read_log_text(
      dir, "mixed.log",
      kHttpHeader + "1.5\tC\t10.0.0.1\t1\t10.0.0.2\t80\t1\tGET\t-\t/\t1.0\t-\t0\t(empty)\n" + second +
          "2.5\t10.0.0.3\t2\t10.0.0.4\t22\tSSH-2.0-x\n"
          // a line of the old layout after the new header: wrong number of fields
          "3.5\tC\t10.0.0.1\t1\t10.0.0.2\t80\t1\tGET\t-\t/\t1.0\t-\t0\t-\n");
  ASSERT_EQ(run.probes.size(), 2u);
  EXPECT_EQ(run.probes[0].service, sg::Service::http);
  EXPECT_EQ(run.probes[1].service, sg::Service::ssh);
  ASSERT_EQ(run.bad.size(), 1u);
  EXPECT_EQ(run.bad[0], dir.file("mixed.log") + ":17: zeek: entry with a different number of fields than #fields");
}

TEST(Zeek, ConnAddsSynOnlySessions) {
  sgtest::TempDir dir("sg_zeek");
  const std::string h =
      "#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n#unset_field\t-\n#path\tconn\n"
      "#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tservice\torig_bytes\tconn_state\thistory\n"
      "#types\ttime\tstring\taddr\tport\taddr\tport\tenum\tstring\tcount\tstring\tstring\n";
  auto run = sgtest::read_log_text(dir, "conn.log",
                                   h + "10.000001\tA\t198.51.100.1\t6000\t192.0.2.1\t23\ttcp\t-\t0\tS0\tS\n" +
                                       "11\tB\t198.51.100.1\t6001\t192.0.2.1\t80\ttcp\thttp\t100\tSF\tShADadFf\n" +
                                       "12\tC\t198.51.100.1\t6002\t192.0.2.1\t81\ttcp\t-\t0\tREJ\tSr\n" +
                                       "13\tD\t198.51.100.1\t6003\t192.0.2.1\t53\tudp\t-\t0\tS0\tD\n");
  ASSERT_EQ(run.probes.size(), 2u);
  EXPECT_EQ(run.probes[0].service, sg::Service::syn);
  EXPECT_EQ(run.probes[0].ts_us, 10000001);
  EXPECT_FALSE(run.probes[0].syn);  // no signature in a log
  EXPECT_EQ(run.probes[1].dport, 81);
  EXPECT_TRUE(run.bad.empty());
}

TEST(Zeek, BadValuesAreCountedWithFileAndLine) {
  sgtest::TempDir dir("sg_zeek");
  auto run = sgtest::read_log_text(dir, "http.log",
                                   kHttpHeader +
                                       "XXXXXXXXXX.XXXXXX\tC\t10.0.0.1\t1\t10.0.0.2\t80\t1\tGET\t-\t/\t1.1\t-\t0\t-\n" +
                                       "1.0\tC\t10.0.0.300\t1\t10.0.0.2\t80\t1\tGET\t-\t/\t1.1\t-\t0\t-\n" +
                                       "1.0\tC\t10.0.0.1\t65536\t10.0.0.2\t80\t1\tGET\t-\t/\t1.1\t-\t0\t-\n" +
                                       "1.0\tC\t10.0.0.1\t2\t10.0.0.2\t80\t1\tGET\t-\t/ok\t1.1\t-\t0\t-\n" +
                                       R"({"ts":1.0,"id.orig_h":"10.0.0.1","id.orig_p":3,"id.resp_h")" + "\n");
  ASSERT_EQ(run.probes.size(), 1u);
  EXPECT_EQ(run.probes[0].http->uri, "/ok");
  ASSERT_EQ(run.bad.size(), 4u);
  EXPECT_EQ(run.bad[0], dir.file("http.log") + ":8: zeek: bad or missing ts");
  EXPECT_EQ(run.bad[1], dir.file("http.log") + ":9: zeek: bad id.orig_h or id.resp_h");
  EXPECT_EQ(run.bad[2], dir.file("http.log") + ":10: zeek: bad id.orig_p or id.resp_p");
  EXPECT_EQ(run.bad[3], dir.file("http.log") + ":12: zeek: truncated or invalid JSON");
}

TEST(Zeek, EntryBeforeAnyHeaderIsBad) {
  sgtest::TempDir dir("sg_zeek");
  // Not sniffed as a log at all: a file must start like one.
  EXPECT_FALSE(sgtest::read_log_text(dir, "x.log", "1.0\ta\tb\n").format);
  sg::logs::ZeekReader z;
  Probe p;
  EXPECT_EQ(z.feed("1.0\ta\tb", p).kind, sg::logs::LineOutcome::bad);
}

TEST(Zeek, CompressedLogIsReadByContent) {
  sgtest::TempDir dir("sg_zeek");
  sgtest::write_text(dir.file("rotated"),
                     kHttpHeader + "1.0\tC\t10.0.0.1\t2\t10.0.0.2\t80\t1\tGET\t-\t/z\t1.1\t-\t0\t-\n");
  ASSERT_EQ(system(("gzip -f " + dir.file("rotated")).c_str()), 0);
  auto run = sgtest::read_log_path(dir.file("rotated.gz"));
  ASSERT_EQ(run.format, sg::logs::LogFormat::zeek);
  ASSERT_EQ(run.probes.size(), 1u);
  EXPECT_EQ(run.probes[0].http->uri, "/z");
}

}  // namespace
