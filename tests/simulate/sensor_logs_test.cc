// The sensor logs `simulate --logs` writes: EVE lines that parse and carry what real Suricata records of the
// same type carry, Zeek logs whose headers equal those of real Zeek logs (../shared/data/logs), values that
// agree with what `extract` reads from the capture of the same run, determinism, and hostile bytes escaped
// as each format requires.
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "simulate/payloads.h"
#include "simulate/scenario.h"
#include "simulate/sensor_logs.h"
#include "simulate/sim_frames.h"
#include "simulate/truth.h"
#include "support/cli_run.h"

using namespace simtest;
namespace fs = std::filesystem;

namespace {

const std::string kLogs = std::string(SG_SHARED_DATA) + "/logs";

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) out.push_back(line);
  return out;
}

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  size_t pos = 0;
  for (;;) {
    size_t next = s.find(sep, pos);
    out.push_back(s.substr(pos, next - pos));
    if (next == std::string::npos) return out;
    pos = next + 1;
  }
}

// A Zeek TSV log: its header lines by name and its rows as field -> value.
struct ZeekLog {
  std::map<std::string, std::string> header;  // "#fields" -> "ts\tuid..."
  std::vector<std::string> fields;
  std::vector<std::map<std::string, std::string>> rows;
};

ZeekLog read_zeek(const std::string& path) {
  ZeekLog z;
  for (const std::string& line : lines_of(read_file(path))) {
    if (line.starts_with("###")) continue;  // btest's first line in the real baselines
    if (line.starts_with("#")) {
      size_t sep = line.find_first_of("\t ");
      z.header[line.substr(0, sep)] = sep == std::string::npos ? "" : line.substr(sep + 1);
      if (line.starts_with("#fields\t")) z.fields = split(line.substr(8), '\t');
      continue;
    }
    std::vector<std::string> cols = split(line, '\t');
    EXPECT_EQ(cols.size(), z.fields.size()) << path << ": " << line;
    std::map<std::string, std::string> row;
    for (size_t i = 0; i < std::min(cols.size(), z.fields.size()); ++i) row[z.fields[i]] = cols[i];
    z.rows.push_back(std::move(row));
  }
  return z;
}

std::vector<rapidjson::Document> read_eve(const std::string& path) {
  std::vector<rapidjson::Document> out;
  size_t n = 0;
  for (const std::string& line : lines_of(read_file(path))) {
    ++n;
    rapidjson::Document d;
    d.Parse(line.c_str(), line.size());
    EXPECT_FALSE(d.HasParseError()) << path << ":" << n << ": " << line;
    EXPECT_TRUE(d.IsObject()) << path << ":" << n;
    if (!d.HasParseError() && d.IsObject()) out.push_back(std::move(d));
  }
  return out;
}

SimulateOptions demo_with_logs(const std::string& out, uint64_t seed = 1) {
  SimulateOptions o;
  o.scenario = "demo";
  o.out = out;
  o.seed = seed;
  o.logs = {"eve", "zeek", "zeek-json"};
  return o;
}

// One demo run with every log, shared by the tests that only read it (made by the first of them: a TempDir
// takes its name from the running test; ctest runs each test in a process of its own anyway).
class DemoLogs : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!dir_) {
      dir_ = new TempDir;
      result_ = new SimulateResult(simulate::run(demo_with_logs(dir_->file("demo") + "/")));
    }
  }
  static void TearDownTestSuite() {
    delete result_;
    delete dir_;
    result_ = nullptr;
    dir_ = nullptr;
  }
  static std::string path(const std::string& name) { return dir_->file("demo") + "/" + name; }
  static TempDir* dir_;
  static SimulateResult* result_;
};
TempDir* DemoLogs::dir_ = nullptr;
SimulateResult* DemoLogs::result_ = nullptr;

// Keys every real record of an event type carries (../shared/data/logs/suricata), less the ones only a pcap
// run or an optional output setting adds.
std::map<std::string, std::set<std::string>> sample_keys(std::map<std::string, std::set<std::string>>& nested) {
  std::map<std::string, std::set<std::string>> top;
  std::vector<std::string> files;
  for (const auto& e : fs::recursive_directory_iterator(kLogs + "/suricata"))
    if (e.is_regular_file() && (e.path().extension() == ".json" || e.path().extension() == ".log"))
      files.push_back(e.path().string());
  EXPECT_GE(files.size(), 5u);
  for (const auto& f : files)
    for (const std::string& line : lines_of(read_file(f))) {
      rapidjson::Document d;
      d.Parse(line.c_str(), line.size());
      if (d.HasParseError() || !d.IsObject() || !d.HasMember("event_type")) continue;
      std::string type = d["event_type"].GetString();
      std::set<std::string> keys;
      for (auto& m : d.GetObject()) keys.insert(m.name.GetString());
      for (const char* optional : {"pcap_cnt", "pcap_filename", "community_id", "in_iface", "ether", "pkt_src"})
        keys.erase(optional);
      auto [it, fresh] = top.try_emplace(type, keys);
      if (!fresh) {
        std::set<std::string> both;
        std::set_intersection(it->second.begin(), it->second.end(), keys.begin(), keys.end(),
                              std::inserter(both, both.end()));
        it->second = both;
      }
      if (d.HasMember(type.c_str()) && d[type.c_str()].IsObject()) {
        std::set<std::string> sub;
        for (auto& m : d[type.c_str()].GetObject()) sub.insert(m.name.GetString());
        auto [jt, first] = nested.try_emplace(type, sub);
        if (!first) {
          std::set<std::string> both;
          std::set_intersection(jt->second.begin(), jt->second.end(), sub.begin(), sub.end(),
                                std::inserter(both, both.end()));
          jt->second = both;
        }
      }
    }
  return top;
}

}  // namespace

TEST(SensorLogKinds, ParsedAndChecked) {
  LogKinds k = parse_log_kinds({"eve", "zeek-json"});
  EXPECT_TRUE(k.eve && k.zeek_json && !k.zeek);
  EXPECT_FALSE(parse_log_kinds({}).any());
  EXPECT_THROW(parse_log_kinds({"eve", "bro"}), std::invalid_argument);
  TempDir dir;
  SimulateOptions o = demo_with_logs(dir.file("x/"));
  o.logs = {"suricata"};
  EXPECT_THROW(simulate::run(o), std::invalid_argument);
}

TEST_F(DemoLogs, WritesEveryLogBesideTheCaptures) {
  std::set<std::string> written(result_->logs.begin(), result_->logs.end());
  EXPECT_TRUE(written.count(path("eve.json")));
  for (const char* log : {"conn", "http", "ssl", "dns", "ssh"}) {
    EXPECT_TRUE(written.count(path("zeek/") + log + ".log")) << log;
    EXPECT_TRUE(written.count(path("zeek-json/") + log + ".log")) << log;
  }
  for (const auto& f : result_->logs) EXPECT_TRUE(fs::is_regular_file(f)) << f;
  // No temporaries left behind.
  for (const auto& e : fs::recursive_directory_iterator(path("")))
    EXPECT_FALSE(e.path().filename().string().starts_with(".")) << e.path();
}

TEST_F(DemoLogs, EveLinesParseAndCarryTheKeysOfRealRecords) {
  std::map<std::string, std::set<std::string>> nested;
  auto top = sample_keys(nested);
  for (const char* t : {"http", "tls", "dns", "ssh", "flow"}) ASSERT_TRUE(top.count(t)) << t;
  auto eve = read_eve(path("eve.json"));
  ASSERT_FALSE(eve.empty());
  std::map<std::string, size_t> seen;
  std::string last;
  for (const auto& d : eve) {
    std::string type = d["event_type"].GetString();
    ++seen[type];
    std::string ts = d["timestamp"].GetString();
    EXPECT_EQ(ts.size(), 31u) << ts;  // 2025-01-20T10:00:00.123456+0000
    EXPECT_TRUE(ts.ends_with("+0000")) << ts;
    EXPECT_LE(last, ts) << "records in time order";
    last = ts;
    std::string proto = d["proto"].GetString();
    EXPECT_TRUE(proto == "TCP" || proto == "UDP") << proto;
    EXPECT_LT(d["flow_id"].GetUint64(), uint64_t(1) << 53);
    ASSERT_TRUE(top.count(type)) << "an event type real Suricata writes: " << type;
    for (const auto& k : top[type]) {
      // A flow without payload has no application protocol (Suricata leaves app_proto out).
      if (type == "flow" && k == "app_proto" && d["flow"]["pkts_toserver"].GetUint64() <= 3) continue;
      EXPECT_TRUE(d.HasMember(k.c_str())) << type << " record without " << k;
    }
    const auto& obj = d[type.c_str()];
    for (const auto& k : nested[type]) {
      if (type == "dns" && (k == "rrname" || k == "rrtype")) {
        // DNS logging v3 (Suricata 8) moves the question into "queries"; the samples predate it.
        ASSERT_TRUE(obj.HasMember("queries") && obj["queries"].IsArray() && obj["queries"].Size() == 1);
        EXPECT_TRUE(obj["queries"][0].HasMember(k.c_str())) << k;
        continue;
      }
      EXPECT_TRUE(obj.HasMember(k.c_str())) << type << "." << k << " missing";
    }
    if (type == "dns") {
      EXPECT_EQ(obj["version"].GetInt(), 3);
      std::string t = obj["type"].GetString();
      EXPECT_TRUE(t == "request" || t == "response") << t;
    }
    if (type == "http") {
      EXPECT_TRUE(obj.HasMember("request_headers") && obj["request_headers"].IsArray());
    }
    if (type == "tls") {
      EXPECT_TRUE(obj.HasMember("ja3") && obj["ja3"].HasMember("hash") && obj["ja3"].HasMember("string"));
      EXPECT_TRUE(obj.HasMember("ja4"));
    }
    if (::testing::Test::HasFailure()) return;
  }
  for (const char* t : {"http", "tls", "dns", "ssh"}) EXPECT_GT(seen[t], 20u) << t;
  EXPECT_EQ(seen["flow"], result_->sessions) << "one flow record per session";
}

TEST_F(DemoLogs, ZeekHeadersEqualRealZeekLogs) {
  // Cases whose logs have Zeek's default fields (no script adding any).
  const std::map<std::string, std::string> real = {{"conn", "http-get/conn.log"},
                                                   {"http", "http-get/http.log"},
                                                   {"ssl", "ssl-tls12/ssl.log"},
                                                   {"dns", "dns-flip/dns.log"},
                                                   {"ssh", "ssh-basic/ssh.log"}};
  for (const auto& [log, file] : real) {
    ZeekLog theirs = read_zeek(kLogs + "/zeek/" + file);
    ZeekLog ours = read_zeek(path("zeek/") + log + ".log");
    for (const char* h :
         {"#separator", "#set_separator", "#empty_field", "#unset_field", "#path", "#fields", "#types"}) {
      ASSERT_TRUE(theirs.header.count(h)) << file << " " << h;
      EXPECT_EQ(ours.header[h], theirs.header[h]) << log << " " << h;
    }
    EXPECT_EQ(ours.header["#path"], log);
    EXPECT_EQ(ours.header["#open"].size(), 19u) << ours.header["#open"];
    EXPECT_EQ(ours.header["#close"].size(), 19u);
    EXPECT_GT(ours.rows.size(), 20u) << log;
    // The last line is #close.
    std::string text = read_file(path("zeek/") + log + ".log");
    EXPECT_TRUE(text.substr(text.rfind('\n', text.size() - 2) + 1).starts_with("#close\t")) << log;
  }
  ZeekLog conn = read_zeek(path("zeek/conn.log"));
  EXPECT_EQ(conn.rows.size(), result_->sessions) << "one conn.log entry per session";
}

TEST_F(DemoLogs, ZeekJsonCarriesTheSameEntries) {
  for (const char* log : {"conn", "http", "ssl", "dns", "ssh"}) {
    ZeekLog tsv = read_zeek(path("zeek/") + log + ".log");
    auto json = read_eve(path("zeek-json/") + log + ".log");  // JSON Lines too
    ASSERT_EQ(json.size(), tsv.rows.size()) << log;
    for (size_t i = 0; i < json.size(); ++i) {
      EXPECT_EQ(json[i]["uid"].GetString(), tsv.rows[i]["uid"]);
      for (auto& m : json[i].GetObject()) {
        std::string k = m.name.GetString();
        EXPECT_NE(tsv.rows[i][k], "-") << log << ": JSON has " << k << ", which TSV leaves unset";
      }
      if (::testing::Test::HasFailure()) return;
    }
  }
}

TEST_F(DemoLogs, ValuesAgreeWithTheCapture) {
  std::string nets;
  for (const auto& n : result_->sensor_nets) nets += " --sensor-net " + n;
  std::string captures;
  for (const auto& f : result_->files) captures += " " + f;
  sgtest::CliResult x = sgtest::run_binary(SG_BINARY, "extract --quiet" + nets + captures, false);
  ASSERT_EQ(x.rc, 0);
  std::map<std::string, nlohmann::json> probes;  // "src sport dst dport" -> probe
  auto key = [](const std::string& a, const std::string& ap, const std::string& b, const std::string& bp) {
    return a + " " + ap + " " + b + " " + bp;
  };
  for (const std::string& line : lines_of(x.out)) {
    auto j = nlohmann::json::parse(line);
    probes[key(j["src"], std::to_string(j["sport"].get<int>()), j["dst"], std::to_string(j["dport"].get<int>()))] = j;
  }
  ASSERT_GT(probes.size(), 1000u);
  auto probe_of = [&](std::map<std::string, std::string>& row) -> const nlohmann::json* {
    auto it = probes.find(key(row["id.orig_h"], row["id.orig_p"], row["id.resp_h"], row["id.resp_p"]));
    EXPECT_NE(it, probes.end()) << "no probe for " << row["uid"];
    return it == probes.end() ? nullptr : &it->second;
  };
  auto zeek_ts = [](const std::string& ts) {
    size_t dot = ts.find('.');
    return truth_time(std::stoll(ts.substr(0, dot)) * 1000000 + std::stoll(ts.substr(dot + 1)));
  };
  size_t checked = 0;
  for (auto& row : read_zeek(path("zeek/http.log")).rows) {
    const nlohmann::json* p = probe_of(row);
    if (!p) return;
    EXPECT_EQ(zeek_ts(row["ts"]), (*p)["ts"]);
    EXPECT_EQ(row["method"], (*p)["http"]["method"]);
    EXPECT_EQ(row["uri"], (*p)["http"]["uri"]);
    EXPECT_EQ(row["user_agent"], (*p)["http"].value("user_agent", "-"));
    ++checked;
  }
  for (auto& row : read_zeek(path("zeek/ssl.log")).rows) {
    const nlohmann::json* p = probe_of(row);
    if (!p) return;
    EXPECT_EQ(row["server_name"], (*p)["tls"].value("sni", "-"));
    EXPECT_EQ(zeek_ts(row["ts"]), (*p)["ts"]);
    ++checked;
  }
  for (auto& row : read_zeek(path("zeek/dns.log")).rows) {
    const nlohmann::json* p = probe_of(row);
    if (!p) return;
    std::string qname = (*p)["dns"]["qname"];
    std::transform(qname.begin(), qname.end(), qname.begin(), [](unsigned char ch) { return char(std::tolower(ch)); });
    EXPECT_EQ(row["query"], qname) << "Zeek logs the query in lower case";
    EXPECT_EQ(row["trans_id"], std::to_string((*p)["dns"]["id"].get<int>()));
    EXPECT_EQ(row["qtype"], std::to_string((*p)["dns"]["qtype"].get<int>()));
    ++checked;
  }
  for (auto& row : read_zeek(path("zeek/ssh.log")).rows) {
    const nlohmann::json* p = probe_of(row);
    if (!p) return;
    EXPECT_EQ(row["client"], (*p)["ssh"]["banner"]);
    ++checked;
  }
  for (auto& row : read_zeek(path("zeek/conn.log")).rows) {
    const nlohmann::json* p = probe_of(row);
    if (!p) return;
    std::string service = (*p)["service"];
    EXPECT_EQ(row["service"], service == "tls" ? "ssl" : service == "syn" ? "-" : service) << row["uid"];
    EXPECT_EQ(row["proto"], (*p)["transport"]);
    if (service == "syn") {
      EXPECT_EQ(zeek_ts(row["ts"]), (*p)["ts"]) << "a SYN-only session is dated by its SYN";
      EXPECT_TRUE(row["conn_state"] == "RSTO" || row["conn_state"] == "REJ" || row["conn_state"] == "S0")
          << row["conn_state"];
    }
    ++checked;
    if (::testing::Test::HasFailure()) return;
  }
  // EVE: the fingerprints equal the extractor's.
  for (const auto& d : read_eve(path("eve.json"))) {
    std::string type = d["event_type"].GetString();
    if (type != "tls" && type != "ssh" && type != "http") continue;
    // Suricata writes IPv6 addresses in full (eight four-digit groups), the export in RFC 5952 form.
    auto canon = [](const char* text) {
      IpAddr a;
      EXPECT_TRUE(parse_ip(text, a)) << text;
      if (!a.v4) {
        EXPECT_EQ(std::string(text).size(), 39u) << text;
      }
      return to_string(a);
    };
    auto it = probes.find(key(canon(d["src_ip"].GetString()), std::to_string(d["src_port"].GetUint()),
                              canon(d["dest_ip"].GetString()), std::to_string(d["dest_port"].GetUint())));
    ASSERT_NE(it, probes.end());
    const nlohmann::json& p = it->second;
    if (type == "tls") {
      EXPECT_EQ(d["tls"]["ja3"]["hash"].GetString(), p["tls"]["ja3_hash"]);
      EXPECT_EQ(d["tls"]["ja3"]["string"].GetString(), p["tls"]["ja3"]);
      EXPECT_EQ(d["tls"]["ja4"].GetString(), p["tls"]["ja4"]);
    } else if (type == "ssh") {
      if (p["ssh"].contains("hassh")) {
        EXPECT_EQ(d["ssh"]["client"]["hassh"]["hash"].GetString(), p["ssh"]["hassh"]);
      }
    } else {
      EXPECT_EQ(d["http"]["url"].GetString(), p["http"]["uri"]);
      EXPECT_EQ(d["http"]["request_headers"].Size(), p["http"]["headers"].size());
    }
    ++checked;
    if (::testing::Test::HasFailure()) return;
  }
  EXPECT_GT(checked, 5000u);
}

TEST_F(DemoLogs, DnsAnswersAreDecodedFromTheSensorsAnswer) {
  // The sensor answers version.bind (CHAOS TXT) with its version and made-up names with NXDOMAIN.
  size_t txt = 0, nx = 0;
  for (auto& row : read_zeek(path("zeek/dns.log")).rows) {
    if (row["qclass_name"] == "C_CHAOS") {
      EXPECT_EQ(row["answers"], "TXT 24 9.18.28-1~deb12u2-Debian") << row["uid"];
      EXPECT_EQ(row["TTLs"], "300.000000");
      EXPECT_EQ(row["rcode_name"], "NOERROR");
      ++txt;
    } else if (row["rcode_name"] == "NXDOMAIN") {
      EXPECT_EQ(row["answers"], "-");
      ++nx;
    }
  }
  EXPECT_GT(txt, 5u);
  EXPECT_GT(nx, 100u);
  size_t eve_txt = 0;
  for (const auto& d : read_eve(path("eve.json"))) {
    if (std::string(d["event_type"].GetString()) != "dns" || !d["dns"].HasMember("answers")) continue;
    EXPECT_EQ(std::string(d["dns"]["type"].GetString()), "response");
    EXPECT_EQ(std::string(d["dns"]["answers"][0]["rrtype"].GetString()), "TXT");
    EXPECT_EQ(std::string(d["dns"]["answers"][0]["rdata"].GetString()), "9.18.28-1~deb12u2-Debian");
    ++eve_txt;
  }
  EXPECT_EQ(eve_txt, txt);
}

TEST(SensorLogs, SameSeedSameBytes) {
  TempDir dir;
  simulate::run(demo_with_logs(dir.file("a/"), 5));
  simulate::run(demo_with_logs(dir.file("b/"), 5));
  simulate::run(demo_with_logs(dir.file("c/"), 6));
  for (const char* f : {"eve.json", "zeek/conn.log", "zeek/http.log", "zeek/dns.log", "zeek-json/ssl.log"}) {
    EXPECT_EQ(read_file(dir.file("a/") + f), read_file(dir.file("b/") + f)) << f;
    EXPECT_NE(read_file(dir.file("a/") + f), read_file(dir.file("c/") + f)) << f;
  }
}

TEST(SensorLogs, ScaleScenarioLogsEverySessionItKept) {
  TempDir dir;
  SimulateOptions o;
  o.scenario = "scale";
  o.out = dir.file("s.pcap");
  o.packets = 20000;
  o.logs = {"zeek", "eve"};
  SimulateResult r = simulate::run(o);
  EXPECT_EQ(r.packets, 20000u);
  ZeekLog conn = read_zeek(dir.file("s.pcap.zeek/conn.log"));
  EXPECT_EQ(conn.rows.size(), r.sessions) << "sessions taken back leave no entry";
  uint64_t pkts = 0;
  for (auto& row : conn.rows) pkts += std::stoull(row["orig_pkts"]) + std::stoull(row["resp_pkts"]);
  EXPECT_EQ(pkts, r.packets) << "conn.log counts every frame of the capture";
  EXPECT_EQ(read_eve(dir.file("s.pcap.eve.json")).size() >= r.sessions, true);
}

// A session written straight through the log writer, with bytes no scanner profile sends.
TEST(SensorLogs, HostileBytesAreEscapedAsEachFormatRequires) {
  TempDir dir;
  const std::string ua = std::string("evil\t,ua\\x07 \x01 \xff\xfe ") + "\xc3\xa9" + "\"q\"";
  const std::string uri = "/a,b\\c\xff%";  // the analyzer accepts no control byte in a request line
  HttpRequest req;
  req.uri = uri;
  req.headers = {{"Host", "198.51.100.1:8080"}, {"User-Agent", ua}};
  Bytes client = build_http_request(req);
  Bytes server = build_http_response(200, "OK", {{"Content-Type", "text/plain"}}, "hi");
  TcpSession s;
  s.flow = {{IpAddr{{198, 51, 100, 7}, true}, 40000}, {IpAddr{{192, 0, 2, 1}, true}, 8080}, 0};
  s.start_us = 1736121600LL * 1000000;
  s.client_payload = client;
  s.server_payload = server;
  VectorSink frames;
  RecordingSink rec(frames);
  rec.start(s.flow, false);
  SessionWriter writer;
  writer.write(s, rec);
  {
    SensorLogs logs(parse_log_kinds({"eve", "zeek", "zeek-json"}), dir.file("eve.json"), dir.file("zeek"),
                    dir.file("zj"), 1);
    SessionFacts f;
    f.flow = s.flow;
    f.client = client;
    f.server = server;
    f.probe_us = writer.probe_us();
    f.frames = rec.frames();
    logs.session(f);
    logs.finish();
  }
  ZeekLog http = read_zeek(dir.file("zeek/http.log"));
  ASSERT_EQ(http.rows.size(), 1u);
  // Zeek ASCII: tab and control bytes as \xHH, the backslash doubled, valid UTF-8 kept, invalid bytes \xHH.
  EXPECT_EQ(http.rows[0]["user_agent"], "evil\\x09,ua\\\\x07 \\x01 \\xff\\xfe \xc3\xa9\"q\"");
  EXPECT_EQ(http.rows[0]["uri"], "/a,b\\\\c\\xff%");
  EXPECT_EQ(http.rows[0]["host"], "198.51.100.1");
  EXPECT_EQ(http.rows[0]["status_code"], "200");
  EXPECT_EQ(http.rows[0]["response_body_len"], "2");
  // EVE: not valid UTF-8, so every byte above 0x7f as \xhh text; the rest JSON-escaped by the writer.
  auto eve = read_eve(dir.file("eve.json"));
  ASSERT_EQ(eve.size(), 2u);  // http, flow
  const auto& h = eve[0]["http"];
  EXPECT_EQ(std::string(h["http_user_agent"].GetString()), "evil\t,ua\\x07 \x01 \\xff\\xfe \\xc3\\xa9\"q\"");
  EXPECT_EQ(std::string(h["hostname"].GetString()), "198.51.100.1");
  EXPECT_EQ(h["http_port"].GetUint(), 8080u);
  EXPECT_EQ(std::string(h["url"].GetString()), "/a,b\\c\\xff%");
  EXPECT_EQ(h["status"].GetUint(), 200u);
  EXPECT_EQ(std::string(h["http_content_type"].GetString()), "text/plain");
  // Zeek JSON: \xHH for the bytes, the backslash left single (the JSON writer escapes it).
  auto zj = read_eve(dir.file("zj/http.log"));
  ASSERT_EQ(zj.size(), 1u);
  EXPECT_EQ(std::string(zj[0]["user_agent"].GetString()), "evil\\x09,ua\\x07 \\x01 \\xff\\xfe \xc3\xa9\"q\"");
  EXPECT_FALSE(zj[0].HasMember("referrer")) << "unset fields are left out";
  ZeekLog conn = read_zeek(dir.file("zeek/conn.log"));
  ASSERT_EQ(conn.rows.size(), 1u);
  EXPECT_EQ(conn.rows[0]["history"], "ShADadFf");
  EXPECT_EQ(conn.rows[0]["conn_state"], "SF");
  EXPECT_EQ(conn.rows[0]["orig_bytes"], std::to_string(client.size()));
  EXPECT_EQ(conn.rows[0]["resp_bytes"], std::to_string(server.size()));
  EXPECT_EQ(conn.rows[0]["service"], "http");
}

TEST(SensorLogs, WriteErrorsAreReported) {
  if (!fs::exists("/dev/full")) GTEST_SKIP() << "no /dev/full";
  TempDir dir;
  SimulateOptions o;
  o.scenario = "scale";
  o.out = dir.file("s.pcap");
  o.packets = 2000;
  o.logs = {"eve"};
  // A device is written in place (util/atomic_file.h): /dev/full fails every write with ENOSPC.
  fs::create_symlink("/dev/full", dir.file("s.pcap.eve.json"));
  try {
    simulate::run(o);
    FAIL() << "a full disk went unnoticed";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("s.pcap.eve.json"), std::string::npos) << e.what();
  }
}

TEST(SensorLogs, CommandLineWritesAndListsTheLogs) {
  TempDir dir;
  sgtest::CliResult bad = sgtest::run_cli("simulate --scenario demo --logs eve,bro --out " + dir.file("x/"));
  EXPECT_NE(bad.rc, 0);
  EXPECT_NE(bad.out.find("unknown log 'bro'"), std::string::npos) << bad.out;
  sgtest::CliResult ok = sgtest::run_binary(
      SG_BINARY, "simulate --scenario demo --logs zeek --format json --out " + dir.file("y/"), false);
  ASSERT_EQ(ok.rc, 0) << ok.out;
  auto j = nlohmann::json::parse(ok.out);
  ASSERT_EQ(j["logs"].size(), 5u) << ok.out;
  for (const auto& f : j["logs"]) EXPECT_TRUE(fs::is_regular_file(f.get<std::string>())) << f;
  EXPECT_FALSE(fs::exists(dir.file("y/eve.json")));
}
