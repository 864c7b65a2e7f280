// Organisation profiles, scenario files and the skeleton replay: the profiles parse and cite a source for
// every entry, they carry the paper's confusions, the captures give back the profiles' values through the
// project's own extractor, and a replayed skeleton keeps its probe and scanner counts through ingest.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "probe/hassh.h"
#include "simulate/profile.h"
#include "simulate/scenario.h"
#include "simulate/skeleton.h"
#include "support/temp_dir.h"

namespace fs = std::filesystem;
using nlohmann::json;
using namespace sg;
using namespace sg::simulate;

namespace {

using sgtest::read_file;

struct TempDir : sgtest::TempDir {
  TempDir() : sgtest::TempDir("sg_profiles") {}
};

const std::vector<std::string> kOrgs = {"binaryedge", "censys",          "criminalip", "cybergreen",   "driftnet",
                                        "fofa",       "internet_census", "internettl", "intrinsec",    "ipip",
                                        "leakix",     "onyphe",          "quake",      "rapid7",       "shadowserver",
                                        "shodan",     "stretchoid",      "tum",        "x_threatbook", "zoomeye"};

void write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
}

// Runs a shell command and returns its standard output; fails the test on a non-zero exit.
std::string run(const std::string& cmd) {
  std::string out;
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return out;
  char buf[1 << 16];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  int rc = pclose(p);
  EXPECT_EQ(rc, 0) << cmd;
  return out;
}

std::vector<json> extract(const std::vector<std::string>& files) {
  std::string cmd = std::string(SG_BINARY) + " extract";
  for (const auto& f : files) cmd += " '" + f + "'";
  std::vector<json> out;
  std::string text = run(cmd + " 2>/dev/null");
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    if (end > start) out.push_back(json::parse(text.substr(start, end - start)));
    start = end + 1;
  }
  return out;
}

fs::path source_dir() { return fs::path(__FILE__).parent_path().parent_path().parent_path(); }

// Every object in these places must cite where its values come from.
void expect_sources(const json& j, const std::string& where) {
  static const std::set<std::string> kEntryLists = {"tcp", "http", "tls", "dns", "ssh", "syn"};
  if (j.is_object()) {
    for (const auto& [key, value] : j.items()) {
      std::string at = where + "." + key;
      if (kEntryLists.count(key) && value.is_array()) {
        for (size_t i = 0; i < value.size(); ++i) {
          const json& e = value[i];
          EXPECT_TRUE(e.contains("source") && e["source"].is_string() && !e["source"].get<std::string>().empty())
              << at << "[" << i << "] has no source";
        }
      }
      if ((key == "activity" || key == "ranges") && value.is_object()) {
        EXPECT_FALSE(value.value("source", "").empty()) << at << " has no source";
      }
      expect_sources(value, at);
    }
  } else if (j.is_array()) {
    for (size_t i = 0; i < j.size(); ++i) expect_sources(j[i], where + "[" + std::to_string(i) + "]");
  }
}

const HttpEntry& only_http(const std::string& org) { return embedded_profiles().get(org).variants[0].http[0]; }

std::string header(const HttpRequest& r, const std::string& name) {
  for (const auto& [n, v] : r.headers)
    if (n == name) return v;
  return "";
}

}  // namespace

// ---- the profile files ----

TEST(Profiles, TwentyOrganisationsAndTheUnknownPopulation) {
  const ProfileSet& set = embedded_profiles();
  std::vector<std::string> names;
  for (const auto& [org, p] : set.profiles) names.push_back(org);
  std::vector<std::string> want = kOrgs;
  want.push_back("unknown");
  std::sort(want.begin(), want.end());
  EXPECT_EQ(names, want);
  EXPECT_GE(set.get("unknown").variants.size(), 8u) << "zgrab2, masscan, nmap, Go, curl, requests, browsers, bots";
  for (const auto& org : kOrgs) {
    const Profile& p = set.get(org);
    EXPECT_FALSE(p.v4.empty()) << org << ": address ranges";
    EXPECT_FALSE(p.ranges_source.empty()) << org;
    EXPECT_GT(p.activity.sessions_per_day, 0) << org;
    for (const auto& [service, share] : p.activity.services)
      EXPECT_TRUE(p.variants[0].has(service))
          << org << " is active on " << service << " but has no " << service << " entry";
  }
}

TEST(Profiles, EveryEntryCitesItsSource) {
  for (const auto& [name, text] : embedded_profile_files()) {
    json j = json::parse(text);
    expect_sources(j, name);
    if (name == "tools.json") {
      for (const char* kind : {"tls", "tcp", "ssh"})
        for (const auto& [tool, body] : j[kind].items())
          EXPECT_FALSE(body.value("source", "").empty()) << name << "." << kind << "." << tool;
    } else {
      EXPECT_TRUE(j.contains("activity")) << name;
    }
  }
}

TEST(Profiles, EmbeddedCopyMatchesTheDataDirectory) {
  fs::path dir = source_dir() / "data" / "profiles";
  if (!fs::is_directory(dir)) GTEST_SKIP() << "no source tree at " << dir;
  EXPECT_EQ(read_profile_dir(dir.string()), embedded_profile_files()) << "rebuild: the embedded profiles are stale";
}

TEST(Profiles, BadFilesAreRejectedWithFileAndPlace) {
  ProfileFiles files = embedded_profile_files();
  auto with = [&](const std::string& name, const std::string& text) {
    ProfileFiles f = files;
    for (auto& [n, t] : f)
      if (n == name) t = text;
    return f;
  };
  auto message = [](const ProfileFiles& f) {
    try {
      parse_profiles(f);
    } catch (const std::invalid_argument& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  json censys;
  for (const auto& [name, text] : files)
    if (name == "censys.json") censys = json::parse(text);
  ASSERT_TRUE(censys.is_object());
  json no_source = censys;
  no_source["http"][0].erase("source");
  EXPECT_NE(message(with("censys.json", no_source.dump())).find("censys.json: http[0]: missing \"source\""),
            std::string::npos);
  json bad_client = censys;
  bad_client["tls"][0]["client"] = "netscape";
  EXPECT_NE(message(with("censys.json", bad_client.dump())).find("unknown TLS client 'netscape'"), std::string::npos);
  json bad_share = censys;
  bad_share["dns"][0]["share"] = -1;
  EXPECT_NE(message(with("censys.json", bad_share.dump())).find("dns[0]: \"share\" must be positive"),
            std::string::npos);
  EXPECT_NE(message(with("censys.json", "{not json")).find("censys.json: not JSON"), std::string::npos);
  EXPECT_NE(message(with("censys.json", R"({"http": [{"share": 1e999}]})")).find("censys.json: not JSON"),
            std::string::npos);
  ProfileFiles no_tools;
  for (const auto& f : files)
    if (f.first != "tools.json") no_tools.push_back(f);
  EXPECT_NE(message(no_tools).find("tools.json is missing"), std::string::npos);
}

// ---- the paper's confusions ----

TEST(Profiles, ConfusionAsThePaperReports) {
  const ProfileSet& set = embedded_profiles();
  // BinaryEdge and Stretchoid send the same ClientHello.
  const TlsEntry& be = set.get("binaryedge").variants[0].tls[0];
  const TlsEntry& st = set.get("stretchoid").variants[0].tls[0];
  ClientHello a = be.client->hello, b = st.client->hello;
  EXPECT_EQ(build_client_hello(a), build_client_hello(b));
  EXPECT_EQ(be.sni, st.sni);
  // Shodan and Intrinsec share a user agent.
  std::set<std::string> shodan_uas;
  for (const auto& e : set.get("shodan").variants[0].http) shodan_uas.insert(header(e.request, "User-Agent"));
  EXPECT_TRUE(shodan_uas.count(header(only_http("intrinsec").request, "User-Agent")));
  // Several organisations (and unknown scanners) send no User-Agent at all.
  int absent = 0;
  for (const auto& org : kOrgs)
    for (const auto& e : set.get(org).variants[0].http) absent += header(e.request, "User-Agent").empty();
  EXPECT_GE(absent, 3);
  // Organisations seen on one service only.
  for (const char* org : {"cybergreen", "rapid7", "tum"}) EXPECT_EQ(set.get(org).activity.services.size(), 1u) << org;
  // Unknown scanners built from the same tools as known ones: zgrab2's hello is both BinaryEdge's and theirs.
  bool zgrab = false;
  for (const auto& v : set.get("unknown").variants)
    for (const auto& t : v.tls) zgrab |= t.client == be.client;
  EXPECT_TRUE(zgrab);
}

// ---- captures give back the profiles' values ----

TEST(Extract, DemoProbesCarryTheirProfilesValues) {
  TempDir dir;
  SimulateOptions o;
  o.scenario = "demo";
  o.out = dir.file("demo") + "/";
  SimulateResult r = simulate::run(o);
  std::vector<json> probes = extract(r.files);
  ASSERT_EQ(probes.size(), r.sessions) << "one probe per session, SYN-only ones included";
  const ProfileSet& set = embedded_profiles();
  // The demo's address blocks, from its labels plus the unlabelled Onyphe block.
  std::vector<std::pair<Cidr, std::string>> blocks;
  std::string labels = read_file(o.out + "labels.tsv");
  for (size_t at = labels.find('\n') + 1; at < labels.size();) {
    size_t end = labels.find('\n', at);
    std::string line = labels.substr(at, end - at);
    at = end + 1;
    Cidr c;
    ASSERT_TRUE(parse_cidr(line.substr(0, line.find('\t')), c));
    size_t t1 = line.find('\t') + 1;
    blocks.push_back({c, line.substr(t1, line.find('\t', t1) - t1)});
  }
  Cidr onyphe;
  parse_cidr("198.51.100.160/28", onyphe);
  blocks.push_back({onyphe, "onyphe"});
  std::map<std::string, int> checked;
  std::set<std::string> v6_orgs, dsts;
  for (const json& p : probes) {
    IpAddr src;
    ASSERT_TRUE(parse_ip(p["src"].get<std::string>(), src));
    std::string org = "unknown";
    for (const auto& [c, name] : blocks)
      if (c.contains(src)) org = name;
    dsts.insert(p["dst"].get<std::string>());
    if (!src.v4) v6_orgs.insert(org);
    if (org == "unknown") continue;
    const Variant& v = set.get(org).variants[0];
    std::string service = p["service"];
    if (service == "http") {
      std::set<std::string> uas;
      for (const auto& e : v.http) uas.insert(header(e.request, "User-Agent"));
      EXPECT_TRUE(uas.count(p["http"].value("user_agent", ""))) << org << ": " << p.dump();
    } else if (service == "tls") {
      std::set<std::vector<uint16_t>> lists;
      for (const auto& e : v.tls) lists.insert(e.client->hello.ciphers);
      std::vector<uint16_t> ciphers;
      for (uint16_t c : p["tls"]["ciphers"].get<std::vector<uint16_t>>())
        if (!is_grease(c)) ciphers.push_back(c);
      EXPECT_TRUE(lists.count(ciphers)) << org << ": " << p.dump();
      EXPECT_FALSE(p["tls"].contains("sni") && !p["tls"]["sni"].is_null()) << org << " sends no SNI to an address";
    } else if (service == "dns") {
      bool found = false;
      std::string qname = p["dns"]["qname"];
      for (const auto& e : v.dns) {
        const std::string& want = e.query.qname;
        size_t rand = want.find("{rand}");
        found |= rand == std::string::npos
                     ? qname == want
                     : qname.size() == want.size() - 6 + 10 && qname.compare(qname.size() - (want.size() - rand - 6),
                                                                             std::string::npos, want, rand + 6) == 0;
      }
      EXPECT_TRUE(found) << org << ": " << qname;
    } else if (service == "ssh") {
      std::set<std::string> banners, hasshes;
      for (const auto& e : v.ssh) {
        banners.insert(e.banner);
        SshProbe want;
        if (e.kex) {
          want.kexinit = true;
          want.kex_algorithms = e.kex->kexinit.kex_algorithms;
          want.encryption_c2s = e.kex->kexinit.encryption_c2s;
          want.mac_c2s = e.kex->kexinit.mac_c2s;
          want.compression_c2s = e.kex->kexinit.compression_c2s;
          fill_hassh(want);
        }
        hasshes.insert(want.hassh);
      }
      EXPECT_TRUE(banners.count(p["ssh"]["banner"])) << org;
      EXPECT_TRUE(hasshes.count(p["ssh"].value("hassh", ""))) << org << ": " << p.dump();
    }
    ++checked[org];
    if (::testing::Test::HasFailure()) return;
  }
  EXPECT_EQ(checked.size(), 12u) << "every demo organisation was seen";
  EXPECT_TRUE(v6_orgs.count("censys") && v6_orgs.count("unknown"));
  EXPECT_EQ(dsts.size(), 12u) << "8 IPv4 and 4 IPv6 sensors";
}

// ---- scenario files ----

TEST(ScenarioFile, RealRangesSeedAndLabels) {
  TempDir dir;
  write_file(dir.file("s.json"), R"({"start": "2025-03-01", "days": 3, "seed": 5,
    "sensors": {"v4": "192.0.2.0/28", "v4_count": 2},
    "orgs": [{"profile": "shadowserver", "sessions": 40, "ips": 5},
             {"profile": "tum", "sessions": 10, "ips": 1, "labelled": false},
             {"profile": "unknown", "sessions": 30, "ips": 6, "v4": ["203.0.113.0/24"]}]})");
  SimulateOptions o;
  o.scenario = dir.file("s.json");
  o.out = dir.file("a") + "/";
  SimulateResult a = simulate::run(o);
  EXPECT_EQ(a.sessions, 80u);
  EXPECT_EQ(a.files.size(), 3u);
  o.out = dir.file("b") + "/";
  o.seed = 99;  // not set on the command line: the file's seed 5 applies
  simulate::run(o);
  EXPECT_EQ(read_file(dir.file("a/2025-03-02.pcap")), read_file(dir.file("b/2025-03-02.pcap")));
  o.out = dir.file("c") + "/";
  o.seed_set = true;
  simulate::run(o);
  EXPECT_NE(read_file(dir.file("a/2025-03-02.pcap")), read_file(dir.file("c/2025-03-02.pcap")));
  const Profile& shadow = embedded_profiles().get("shadowserver");
  std::set<std::string> srcs;
  for (const json& p : extract(a.files)) {
    IpAddr src;
    parse_ip(p["src"], src);
    bool in_shadow = false;
    for (const Cidr& c : shadow.v4) in_shadow |= c.contains(src);
    srcs.insert(p["src"]);
    EXPECT_TRUE(in_shadow || p["src"].get<std::string>().rfind("203.0.113.", 0) == 0 ||
                embedded_profiles().get("tum").v4[0].contains(src))
        << p["src"];
  }
  EXPECT_EQ(srcs.size(), 12u);
  std::string labels = read_file(dir.file("a/labels.tsv"));
  EXPECT_NE(labels.find("\tshadowserver\tsimulate-"), std::string::npos);
  EXPECT_EQ(labels.find("tum"), std::string::npos);
  EXPECT_EQ(labels.find("unknown"), std::string::npos);
  write_file(dir.file("bad.json"), R"({"start": "2025-02-30", "sensors": {}, "orgs": []})");
  o.scenario = dir.file("bad.json");
  EXPECT_THROW(simulate::run(o), std::invalid_argument);
  write_file(dir.file("bad3.json"), R"({"start": "2025-02-01", "sensors": {"v4_count": 2},
    "orgs": [{"profile": "censys", "ips": 2, "v6_ips": 1}]})");
  o.scenario = dir.file("bad3.json");
  EXPECT_THROW(simulate::run(o), std::invalid_argument) << "IPv6 scanners need IPv6 sensors";
  write_file(dir.file("bad4.json"), R"({"start": "2025-02-01", "sensors": {},
    "orgs": [{"profile": "censys", "ips": 4000000000}]})");
  o.scenario = dir.file("bad4.json");
  EXPECT_THROW(simulate::run(o), std::invalid_argument);
  write_file(dir.file("bad2.json"), R"({"start": "2025-02-01", "sensors": {}, "orgs": [{"profile": "nobody"}]})");
  o.scenario = dir.file("bad2.json");
  EXPECT_THROW(simulate::run(o), std::invalid_argument);  // A number no double holds is valid JSON grammar but
                                                          // overflows (fuzz_simulate found it): a refusal, not a crash.
  write_file(dir.file("bad5.json"), "55E555");
  o.scenario = dir.file("bad5.json");
  EXPECT_THROW(simulate::run(o), std::invalid_argument);
}

// ---- replay ----

TEST(Replay, EveryRowBecomesOneSessionAndGarbageIsCounted) {
  TempDir dir;
  write_file(dir.file("s.tsv"),
             "ts\tsrc_ip\tservice\torg\tsplit_f\tweek\n"
             "2025-01-01T10:00:00Z\t198.51.100.7\thttp\tcensys\ttrain\t2024-12-31\n"
             "2025-01-01T10:00:00Z\t198.51.100.7\thttp\tcensys\ttrain\t2024-12-31\n"  // a same-second repeat
             "2025-01-01T10:00:00Z\t198.51.100.7\ttls\tcensys\ttrain\t2024-12-31\n"
             "garbage line\n"
             "2025-01-01T10:00:01Z\t999.1.1.1\tdns\tcensys\ttrain\t2024-12-31\n"
             "2025-01-01T10:00:02Z\t203.0.113.9\tsmtp\tunknown\ttrain\t2024-12-31\n"
             "2025-01-01T10:00:03Z\t203.0.113.9\thttp\tnobody\ttrain\t2024-12-31\n"
             "2025-01-01T10:00:04Z\t198.51.100.8\tdns\tzoomeye\ttrain\t2024-12-31\n"  // ZoomEye has no DNS probe
             "2025-01-01T10:00:05Z\t203.0.113.9\thttp\tunknown\ttrain\t2024-12-31\n"
             "2025-01-01T10:00:05Z\t203.0.113.9\thttp\tunknown\ttrain\t2024-12-31\n"
             "2025-01-01T23:59:59Z\t203.0.113.9\thttp\tunknown\ttrain\t2024-12-31\n"
             "2025-01-02T00:00:01Z\t203.0.113.10\tdns\tunknown\ttest\t2024-12-31\n"
             "2025-01-02T00:00:02Z\t2001:db8:77::5\ttls\tshodan\ttest\t2024-12-31\n");
  SimulateOptions o;
  o.scenario = "replay";
  o.skeleton = dir.file("s.tsv");
  o.out = dir.file("out") + "/";
  SimulateResult r = simulate::run(o);
  EXPECT_EQ(r.sessions, 8u);
  EXPECT_EQ(r.skipped_rows, 5u);
  ASSERT_EQ(r.problems.size(), 5u);
  EXPECT_NE(r.problems[0].find("s.tsv:5: expected at least 4"), std::string::npos) << r.problems[0];
  EXPECT_NE(r.problems[1].find(":6: bad address"), std::string::npos);
  EXPECT_NE(r.problems[2].find(":7: unknown service"), std::string::npos);
  EXPECT_NE(r.problems[3].find(":8: no profile for organisation 'nobody'"), std::string::npos);
  EXPECT_NE(r.problems[4].find(":9: profile 'zoomeye' has no dns probes"), std::string::npos) << r.problems[4];
  EXPECT_EQ(r.files.size(), 2u) << "one capture per UTC day";
  std::vector<json> probes = extract(r.files);
  ASSERT_EQ(probes.size(), 8u);
  std::set<std::tuple<std::string, std::string, int>> keys;
  std::set<std::string> unknown_uas;
  for (const json& p : probes) {
    keys.insert({p["ts"], p["src"], p["sport"].get<int>()});
    if (p["src"] == "203.0.113.9") unknown_uas.insert(p["http"].value("user_agent", "<none>"));
    if (p["src"] == "198.51.100.7" && p["service"] == "http") {
      EXPECT_EQ(p["http"]["user_agent"], header(only_http("censys").request, "User-Agent"));
    }
    IpAddr dst;
    parse_ip(p["dst"], dst);
    Cidr sensors4, sensors6;
    parse_cidr(kReplaySensorNet, sensors4);
    parse_cidr(kReplaySensorNet6, sensors6);
    EXPECT_TRUE(sensors4.contains(dst) || sensors6.contains(dst)) << p["dst"];
    // The probe stays inside the row's second.
    std::string ts = p["ts"];
    if (p["src"] == "198.51.100.7") {
      EXPECT_EQ(ts.substr(0, 19), "2025-01-01T10:00:00");
    }
  }
  EXPECT_EQ(keys.size(), 8u) << "repeated rows stay distinct probes";
  EXPECT_EQ(unknown_uas.size(), 1u) << "an unknown address keeps its tool";
}

TEST(Replay, DeterministicPerSeed) {
  TempDir dir;
  std::string rows = "ts\tsrc_ip\tservice\torg\n";
  for (int i = 0; i < 200; ++i)
    rows += "2025-01-01T10:" + std::string(i / 60 < 10 ? "0" : "") + std::to_string(i / 60) + ":" +
            (i % 60 < 10 ? "0" : "") + std::to_string(i % 60) + "Z\t198.51.100." + std::to_string(i % 50) + "\t" +
            (i % 3 == 0   ? "http"
             : i % 3 == 1 ? "tls"
                          : "dns") +
            "\t" + (i % 2 ? "unknown" : "stretchoid") + "\n";
  write_file(dir.file("s.tsv"), rows);
  SimulateOptions o;
  o.scenario = "replay";
  o.skeleton = dir.file("s.tsv");
  o.out = dir.file("a.pcap");
  simulate::run(o);
  o.out = dir.file("b.pcap");
  simulate::run(o);
  o.seed = 2;
  o.out = dir.file("c.pcap");
  simulate::run(o);
  EXPECT_EQ(read_file(dir.file("a.pcap")), read_file(dir.file("b.pcap")));
  EXPECT_NE(read_file(dir.file("a.pcap")), read_file(dir.file("c.pcap")));
}

// The whole SelfDeploy-25 skeleton (189,458 rows) through simulate, ingest and the probe export: every row
// comes back as one probe in the same second from the same address with the same service, so the per-
// organisation probe and scanner counts equal the skeleton's. ~8 s; the sanitizer build, ~7x slower, replays
// the first two weeks only.
#if defined(__SANITIZE_ADDRESS__)
constexpr int64_t kReplayDays = 14;
#else
constexpr int64_t kReplayDays = 0;  // all of it
#endif

TEST(Replay, SelfDeploy25CountsSurviveIngest) {
  std::string skeleton = std::string(SG_SHARED_DATA) + "/selfdeploy/sd25_probes.tsv.gz";
  if (!fs::exists(skeleton)) GTEST_SKIP() << "no " << skeleton;
  TempDir dir;
  if (kReplayDays) {  // a plain-text prefix of the skeleton: rows before the first day + kReplayDays
    std::string subset = "ts\tsrc_ip\tservice\torg\n";
    SkeletonReader all(skeleton);
    SkeletonRow r;
    int64_t end = -1;
    while (all.next(r)) {
      if (end < 0) end = r.ts_us - r.ts_us % 86400000000LL + kReplayDays * 86400000000LL;
      if (r.ts_us >= end) break;
      char ts[32];
      std::time_t t = std::time_t(r.ts_us / 1000000);
      std::strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
      subset += std::string(ts) + "\t" + to_string(r.src) + "\t" + r.service + "\t" + r.org + "\n";
    }
    skeleton = dir.file("subset.tsv");
    write_file(skeleton, subset);
  }
  std::string sg = SG_BINARY;
  run(sg + " simulate --scenario replay --skeleton '" + skeleton + "' --out '" + dir.file("caps") + "/' 2>/dev/null");
  run(sg + " ingest -q --db '" + dir.file("db.sqlite") + "' --sensor-net " + kReplaySensorNet + " '" +
      dir.file("caps") + "'");
  std::string csv = run(sg + " probes --db '" + dir.file("db.sqlite") + "' --format csv");

  std::map<std::tuple<int64_t, std::string, std::string>, int> want, got;
  std::map<std::string, std::string> org_of;
  std::map<std::pair<std::string, std::string>, int> want_probes, got_probes;
  std::map<std::string, std::set<std::string>> want_ips, got_ips;
  SkeletonReader reader(skeleton);
  SkeletonRow row;
  while (reader.next(row)) {
    std::string src = to_string(row.src);
    ++want[{row.ts_us / 1000000, src, row.service}];
    org_of[src] = row.org;
    ++want_probes[{row.org, row.service}];
    want_ips[row.org].insert(src);
  }
  EXPECT_EQ(reader.skipped(), 0u);
  size_t at = csv.find('\n') + 1;  // past the header
  while (at < csv.size()) {
    size_t end = csv.find('\n', at);
    std::string line = csv.substr(at, end - at);
    at = end + 1;
    std::vector<std::string> f;
    size_t s = 0;
    for (int i = 0; i < 7; ++i) {  // ts, src, sport, dst, dport, transport, service: never quoted
      size_t c = line.find(',', s);
      f.push_back(line.substr(s, c - s));
      s = c + 1;
    }
    int64_t ts_us = 0;
    ASSERT_TRUE(parse_skeleton_time(f[0].substr(0, 19) + "Z", ts_us)) << f[0];
    ++got[{ts_us / 1000000, f[1], f[6]}];
    auto org = org_of.find(f[1]);
    ASSERT_NE(org, org_of.end()) << "a probe from " << f[1] << ", not in the skeleton";
    ++got_probes[{org->second, f[6]}];
    got_ips[org->second].insert(f[1]);
  }
  EXPECT_EQ(got_probes, want_probes);
  EXPECT_EQ(got_ips, want_ips);
  EXPECT_EQ(got.size(), want.size());
  EXPECT_TRUE(got == want) << "every (second, address, service) keeps its number of probes";
  if (!kReplayDays) {
    EXPECT_EQ(want_ips.size(), 21u);
    EXPECT_EQ(want_probes[std::make_pair(std::string("stretchoid"), std::string("tls"))], 6598);  // stats.md
  }
  EXPECT_GT(want.size(), 10000u);
}

TEST(Profiles, ADirectoryOverridesTheBuiltInOnes) {
  TempDir dir;
  fs::create_directories(dir.file("profiles"));
  for (const auto& [name, text] : embedded_profile_files()) {
    json j = json::parse(text);
    if (name == "tum.json") j["tls"][0]["sni"] = "researchscan.example";
    write_file(dir.file("profiles/" + name), j.dump());
  }
  write_file(dir.file("s.json"), R"({"start": "2025-03-01", "days": 1, "sensors": {"v4_count": 1},
    "orgs": [{"profile": "tum", "sessions": 5, "ips": 1}]})");
  SimulateOptions o;
  o.scenario = dir.file("s.json");
  o.out = dir.file("a.pcap");
  o.profiles = dir.file("profiles");
  SimulateResult r = simulate::run(o);
  std::vector<json> probes = extract(r.files);
  ASSERT_EQ(probes.size(), 5u);
  for (const json& p : probes) EXPECT_EQ(p["tls"]["sni"], "researchscan.example");
  o.profiles = dir.file("missing");
  EXPECT_THROW(simulate::run(o), std::runtime_error);
}
