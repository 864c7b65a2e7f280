// --shift-from: the shifted profiles (what changes, what stays) and the captures drawn from them.
#include <gtest/gtest.h>
#include <pcap/pcap.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <string>
#include <vector>

#include "simulate/profile.h"
#include "simulate/scenario.h"
#include "simulate/shift.h"
#include "simulate/truth.h"
#include "support/temp_dir.h"

namespace fs = std::filesystem;
using namespace sg;
using namespace sg::simulate;

namespace {

using sgtest::read_file;

struct TempDir : sgtest::TempDir {
  TempDir() : sgtest::TempDir("sg_shift") {}
};

std::vector<std::string> with_prefix(const std::vector<std::string>& changes, const std::string& prefix) {
  std::vector<std::string> out;
  for (const auto& c : changes)
    if (c.rfind(prefix, 0) == 0) out.push_back(c);
  return out;
}

const std::string* header(const HttpRequest& r, const std::string& name) {
  for (const auto& [k, v] : r.headers)
    if (k == name) return &v;
  return nullptr;
}

template <class E>
double total(const std::vector<E>& v) {
  double t = 0;
  for (const auto& e : v) t += e.share;
  return t;
}

struct Frame {
  int64_t ts_us;
  std::string data;
};

std::vector<Frame> read_pcap(const std::string& path) {
  char err[PCAP_ERRBUF_SIZE];
  pcap_t* p = pcap_open_offline(path.c_str(), err);
  EXPECT_NE(p, nullptr) << err;
  std::vector<Frame> out;
  if (!p) return out;
  pcap_pkthdr* h;
  const u_char* data;
  while (pcap_next_ex(p, &h, &data) == 1)
    out.push_back({int64_t(h->ts.tv_sec) * 1000000 + h->ts.tv_usec, std::string(data, data + h->caplen)});
  pcap_close(p);
  return out;
}

SimulateOptions demo(const std::string& out, const std::string& shift_from = "") {
  SimulateOptions o;
  o.scenario = "demo";
  o.out = out;
  o.shift_from = shift_from;
  return o;
}

constexpr int64_t kShiftUs = kDemoStartUs + 14 * 86400LL * 1000000;  // 2025-01-20, the demo's third week

}  // namespace

TEST(ShiftProfiles, SameEveryTimeAndEveryKindOfChangeDescribed) {
  ShiftedProfiles a = shift_profiles(embedded_profiles());
  ShiftedProfiles b = shift_profiles(embedded_profiles());
  EXPECT_EQ(a.changes, b.changes);
  for (const char* kind : {"ua-version: ", "header-order: ", "tls-release: ", "tls-upgrade: ", "new-way: ",
                           "unknown-share: ", "copycat: "})
    EXPECT_FALSE(with_prefix(a.changes, kind).empty()) << kind;
  for (const auto& c : a.changes) EXPECT_EQ(c.find('\n'), std::string::npos) << "one line each: " << c;
}

TEST(ShiftProfiles, LeavesTheInputAloneAndPointsIntoItsOwnCatalogue) {
  const ProfileSet& in = embedded_profiles();
  std::string censys_ua = *header(in.get("censys").variants[0].http[0].request, "User-Agent");
  size_t unknown_tools = in.get("unknown").variants.size();
  ShiftedProfiles s = shift_profiles(in);
  EXPECT_EQ(*header(in.get("censys").variants[0].http[0].request, "User-Agent"), censys_ua);
  EXPECT_EQ(in.get("unknown").variants.size(), unknown_tools);
  EXPECT_GT(s.profiles.get("unknown").variants.size(), unknown_tools) << "copycats join the unknown population";
  for (const auto& [name, p] : s.profiles.profiles)
    for (const Variant& v : p.variants) {
      for (const TlsEntry& e : v.tls) EXPECT_EQ(e.client, &s.profiles.tls_clients.at(e.client->name)) << name;
      for (const TcpChoice& c : v.tcp) EXPECT_EQ(c.stack, &s.profiles.stacks.at(c.stack->name)) << name;
      for (const SshEntry& e : v.ssh)
        if (e.kex) {
          EXPECT_EQ(e.kex, &s.profiles.ssh_clients.at(e.kex->name)) << name;
        }
    }
}

TEST(ShiftProfiles, VersionsMoveForwardFrozenTokensStay) {
  ShiftedProfiles s = shift_profiles(embedded_profiles());
  auto bumps = with_prefix(s.changes, "ua-version: ");
  ASSERT_GE(bumps.size(), 8u) << "a good share of the HTTP entries";
  bool python = false, chrome = false, crawler = false;
  for (const auto& c : bumps) {
    python |= c.find("python-requests/2.31.0' -> '") != std::string::npos &&
              c.find("python-requests/2.32.0'") != std::string::npos;
    chrome |= c.find("Chrome/120.0.0.0") != std::string::npos && c.find("Chrome/126.0.0.0") != std::string::npos;
    crawler |= c.find("/1.0;") != std::string::npos && c.find("/1.1;") != std::string::npos;
  }
  EXPECT_TRUE(python);
  EXPECT_TRUE(chrome);
  EXPECT_TRUE(crawler) << "an organisation's own crawler 1.0 -> 1.1";
  for (const auto& [name, p] : s.profiles.profiles)
    for (const Variant& v : p.variants)
      for (const HttpEntry& e : v.http)
        if (const std::string* ua = header(e.request, "User-Agent")) {
          if (ua->find("Mozilla/") != std::string::npos) {
            EXPECT_NE(ua->find("Mozilla/5.0"), std::string::npos) << *ua;
          }
          if (ua->find("Go-http-client") != std::string::npos) {
            EXPECT_EQ(*ua, "Go-http-client/1.1");
          }
          if (ua->find("Safari/") != std::string::npos) {
            EXPECT_NE(ua->find("Safari/537.36"), std::string::npos) << *ua;
          }
        }
}

TEST(ShiftProfiles, TlsReleasesReorderAndOnlySomeUsersUpgrade) {
  const ProfileSet& in = embedded_profiles();
  ShiftedProfiles s = shift_profiles(in);
  ASSERT_TRUE(s.profiles.tls_clients.count("go+next"));
  const ClientHello& old_go = in.tls_clients.at("go").hello;
  const ClientHello& new_go = s.profiles.tls_clients.at("go+next").hello;
  EXPECT_EQ(new_go.ciphers.front() >> 8, 0x13) << "TLS 1.3 suites first";
  EXPECT_LT(new_go.ciphers.size(), old_go.ciphers.size()) << "RSA key exchange dropped, as in Go 1.22";
  EXPECT_NE(new_go.extensions, old_go.extensions);
  std::vector<uint16_t> a = new_go.extensions, b = old_go.extensions;
  std::sort(a.begin(), a.end());
  std::sort(b.begin(), b.end());
  EXPECT_EQ(a, b) << "the same extensions, reordered";
  EXPECT_FALSE(s.profiles.tls_clients.count("nmap_sslv3+next")) << "a fixed probe has no releases";
  size_t users = 0, upgraded = 0;
  for (const auto& [name, p] : s.profiles.profiles)
    for (const Variant& v : p.variants)
      for (const TlsEntry& e : v.tls)
        if (e.client->name.rfind("go", 0) == 0 && e.source.find("shift-from") == std::string::npos) {
          ++users;
          upgraded += e.client->name == "go+next";
        }
  EXPECT_GT(upgraded, 0u);
  EXPECT_LT(upgraded, users) << "not everybody upgrades at once";
}

TEST(ShiftProfiles, NewWaysTakeAQuarterOfTheService) {
  const ProfileSet& in = embedded_profiles();
  ShiftedProfiles s = shift_profiles(in);
  auto ways = with_prefix(s.changes, "new-way: ");
  size_t orgs = in.profiles.size() - 1;
  EXPECT_GE(ways.size(), orgs / 5);
  EXPECT_LE(ways.size(), orgs / 2);
  for (const auto& [name, p] : s.profiles.profiles) {
    if (name == "unknown") continue;
    const Variant& v = p.variants[0];
    const Variant& before = in.get(name).variants[0];
    if (v.http.size() > before.http.size()) {
      EXPECT_DOUBLE_EQ(v.http.back().share / total(v.http), 0.25) << name;
    }
    if (v.tls.size() > before.tls.size()) {
      EXPECT_NE(v.tls.back().client->name, before.tls[0].client->name) << name;
      EXPECT_DOUBLE_EQ(v.tls.back().share / total(v.tls), 0.25) << name;
    }
  }
}

TEST(ShiftProfiles, MoreUnknownActorsWithPublicTools) {
  const ProfileSet& in = embedded_profiles();
  ShiftedProfiles s = shift_profiles(in);
  const Profile& before = in.get("unknown");
  const Profile& after = s.profiles.get("unknown");
  double zgrab_before = 0, zgrab_after = 0, mirai_before = 0, mirai_after = 0;
  for (const Variant& v : before.variants) {
    if (v.name == "zgrab2") zgrab_before = v.share;
    if (v.name == "mirai-like") mirai_before = v.share;
  }
  for (const Variant& v : after.variants) {
    if (v.name.rfind("zgrab2", 0) == 0) zgrab_after = v.share;
    if (v.name.rfind("mirai-like", 0) == 0) mirai_after = v.share;
  }
  EXPECT_DOUBLE_EQ(zgrab_after, 2 * zgrab_before) << "zgrab2's ClientHello is also binaryedge's and stretchoid's";
  EXPECT_DOUBLE_EQ(mirai_after, mirai_before) << "no organisation sends mirai's payloads";
  bool binaryedge_copycat = false;
  for (const Variant& v : after.variants)
    if (v.name == "copycat-binaryedge") {
      binaryedge_copycat = true;
      EXPECT_EQ(header(v.http[0].request, "User-Agent"), nullptr) << "binaryedge sends no User-Agent";
    } else {
      EXPECT_NE(v.name, "copycat-censys") << "CensysInspect names censys: nobody copies it by accident";
    }
  EXPECT_TRUE(binaryedge_copycat);
}

TEST(SimulateShift, ChangesOnlyTheSessionsFromTheDateOn) {
  TempDir dir;
  SimulateResult plain = simulate::run(demo(dir.file("plain") + "/"));
  SimulateResult shifted = simulate::run(demo(dir.file("shifted") + "/", "2025-01-20"));
  EXPECT_TRUE(plain.shift.empty());
  EXPECT_TRUE(plain.shift_changes.empty());
  EXPECT_EQ(shifted.shift, dir.file("shifted") + "/shift.txt");
  EXPECT_EQ(shifted.shift_changes, shift_profiles(embedded_profiles()).changes);
  std::string text = read_file(shifted.shift);
  for (const auto& c : shifted.shift_changes) EXPECT_NE(text.find(c + "\n"), std::string::npos) << c;
  ASSERT_EQ(plain.files.size(), shifted.files.size());
  for (size_t i = 0; i < plain.files.size(); ++i) {
    bool before = fs::path(plain.files[i]).filename().string() < "2025-01-20";
    if (before) {
      EXPECT_EQ(read_file(plain.files[i]), read_file(shifted.files[i])) << plain.files[i];
    }
  }
  EXPECT_NE(read_file(plain.files.back()), read_file(shifted.files.back()));

  // The truth tells the shifted tools apart, from the date on only.
  std::vector<TruthRow> a = read_truth(plain.truth), b = read_truth(shifted.truth);
  std::set<std::string> pops_before, pops_after;
  for (const TruthRow& t : b) (t.ts_us < kShiftUs ? pops_before : pops_after).insert(t.population);
  for (const auto& p : pops_before) EXPECT_EQ(p.find("+shifted"), std::string::npos) << p;
  EXPECT_TRUE(
      std::any_of(pops_after.begin(), pops_after.end(), [](const std::string& p) { return p.ends_with("+shifted"); }));
  EXPECT_TRUE(std::any_of(pops_after.begin(), pops_after.end(),
                          [](const std::string& p) { return p.rfind("copycat-", 0) == 0; }));
  std::vector<std::string> early_a, early_b;
  for (const TruthRow& t : a)
    if (t.ts_us < kShiftUs) early_a.push_back(truth_line(t));
  for (const TruthRow& t : b)
    if (t.ts_us < kShiftUs) early_b.push_back(truth_line(t));
  EXPECT_EQ(early_a, early_b);

  // A bumped User-Agent of an organisation shows in the captures, and only from the date on.
  size_t seen = 0;
  std::vector<std::pair<std::string, std::string>> bumps;  // old, new
  for (const auto& c : with_prefix(shifted.shift_changes, "ua-version: ")) {
    if (c.find("unknown/") != std::string::npos) continue;
    size_t a1 = c.find(" '") + 2, a2 = c.find("' -> '"), b1 = a2 + 6;
    bumps.push_back({c.substr(a1, a2 - a1), c.substr(b1, c.size() - 1 - b1)});
  }
  ASSERT_FALSE(bumps.empty());
  for (const auto& f : shifted.files)
    for (const Frame& fr : read_pcap(f))
      for (const auto& [old_ua, new_ua] : bumps)
        if (fr.data.find("User-Agent: " + new_ua + "\r\n") != std::string::npos) {
          EXPECT_GE(fr.ts_us, kShiftUs) << new_ua;
          ++seen;
        }
  EXPECT_GT(seen, 10u);
}

TEST(SimulateShift, RejectsScaleAndBadDates) {
  TempDir dir;
  SimulateOptions o = demo(dir.file("a.pcap"), "2025-01-32");
  EXPECT_THROW(simulate::run(o), std::invalid_argument);
  o.shift_from = "next week";
  EXPECT_THROW(simulate::run(o), std::invalid_argument);
  o.scenario = "scale";
  o.shift_from = "2025-01-20";
  o.packets = 10;
  EXPECT_THROW(simulate::run(o), std::invalid_argument);
  EXPECT_TRUE(fs::is_empty(dir.file("")));
  o = demo(dir.file("b.pcap"), "2025-01-20T12:00:00Z");
  SimulateResult r = simulate::run(o);
  EXPECT_EQ(r.shift, dir.file("b.pcap") + ".shift.txt");
  EXPECT_TRUE(fs::exists(r.shift));
}
