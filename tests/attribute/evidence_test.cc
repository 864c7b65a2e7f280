// Payload-evidence attribution and the exact-match baseline on a small hand-made store: an organisation
// with its own user agent, a public tool that one organisation and many unlisted ips use alike, and later
// probes that repeat, vary or share those payloads. These are the behaviours the method exists for: a
// public tool's default names nobody, an organisation-specific payload names its organisation with a
// confidence, a one-field variant is still recognised, and the baseline does worse on the same case.
#include <gtest/gtest.h>

#include <fmt/format.h>
#include <unistd.h>
#include <filesystem>

#include "attribute/baseline.h"
#include "attribute/evidence.h"
#include "features/labels.h"
#include "features/select.h"
#include "storage/probe_store.h"
#include "storage/sqlite.h"

namespace {

using namespace sg;
using attribute::Attributor;
using attribute::EvidenceKind;

constexpr int64_t kDay = 86400LL * 1000000;
constexpr int64_t kT0 = 1736121600LL * 1000000;  // 2025-01-06, a Monday
constexpr int64_t kCut = kT0 + 14 * kDay;

class Store : public testing::Test {
 protected:
  void SetUp() override {
    path_ = (std::filesystem::path(testing::TempDir()) / fmt::format("sg-evidence-{}.db", getpid())).string();
    std::filesystem::remove(path_);
    store_ = std::make_unique<ProbeStore>(path_);
    features::ensure_label_table(db());
    db().exec("INSERT INTO captures(id, sha256, path, size, status, started_at) VALUES(1,'x','x',0,'complete','now')");
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove(path_);
  }
  Db& db() { return store_->db(); }

  // One HTTP probe; org empty = unlisted.
  void http(int64_t ts, const std::string& src, const std::string& ua, const std::string& org = "",
            const std::string& uri = "/") {
    std::string json = fmt::format(
        R"({{"ts":"x","src":"{}","sport":{},"dst":"192.0.2.1","dport":80,"transport":"tcp","service":"http",)"
        R"("http":{{"method":"GET","uri":"{}","version":"HTTP/1.1","headers":[["Host","192.0.2.1"],)"
        R"(["User-Agent","{}"],["Accept","*/*"]],"user_agent":"{}","host":"192.0.2.1"}}}})",
        src, 40000 + ++port_, uri, ua, ua);
    Stmt s(db(),
           "INSERT INTO probes(capture_id, ts_us, src, sport, dst, dport, transport, service, json) "
           "VALUES(1, ?, ?, ?, '192.0.2.1', 80, 'tcp', 'http', ?)");
    s.bind(1, ts).bind(2, src).bind(3, int64_t(40000 + port_)).bind(4, json);
    s.step();
    if (org.empty()) return;
    Stmt l(db(), "INSERT INTO probe_labels(probe_id, org, source) VALUES(?, ?, 'test')");
    l.bind(1, db().last_insert_id()).bind(2, org);
    l.step();
  }

  // Two training weeks: alpha's own agent from its 6 listed ips; the public tool's default from 4 listed
  // bravo ips and 30 unlisted ips; bravo's own agent from 5 listed ips.
  void training() {
    for (int week = 0; week < 2; ++week) {
      int64_t t = kT0 + week * 7 * kDay + kDay;
      for (int i = 0; i < 6; ++i) http(t + i, fmt::format("198.51.100.{}", 10 + i), "AlphaScan/2.0", "alpha");
      for (int i = 0; i < 5; ++i) http(t + i, fmt::format("198.51.100.{}", 40 + i), "BravoBot/1.0", "bravo");
      for (int i = 0; i < 4; ++i) http(t + 100 + i, fmt::format("198.51.100.{}", 60 + i), "zgrab/0.x", "bravo");
      for (int i = 0; i < 30; ++i) http(t + 200 + i, fmt::format("203.0.113.{}", 1 + i), "zgrab/0.x");
    }
  }

  std::vector<attribute::ProbeKeys> keys_of(const Attributor& a, const std::string& ip) {
    for (auto& wk : attribute::window_keys(db(), a, aggregate::Windows{}, kCut, kCut + 7 * kDay))
      if (wk.ip == ip) return wk.keys;
    ADD_FAILURE() << "no row for " << ip;
    return {};
  }

  std::string path_;
  std::unique_ptr<ProbeStore> store_;
  int port_ = 0;
};

const std::vector<std::string> kClasses = {"alpha", "bravo"};

TEST_F(Store, OrganisationPayloadNamesItAndAPublicToolDefaultNamesNobody) {
  training();
  int64_t t = kCut + kDay;
  http(t, "192.0.2.200", "AlphaScan/2.0");         // unlisted, alpha's own payload
  http(t, "192.0.2.201", "zgrab/0.x");             // unlisted, the public tool
  http(t, "198.51.100.61", "zgrab/0.x", "bravo");  // bravo, but through the public tool
  http(t, "192.0.2.202", "AlphaScan/2.1");         // alpha's agent, a new version
  http(t, "192.0.2.203", "Nothing/9", "", "/x");   // two fields nobody sent
  auto a = Attributor::build(db(), kClasses, kCut, aggregate::Windows{});
  EXPECT_GT(a.training_rows(), 20u);
  EXPECT_GE(a.theta(), 0.5);

  auto alpha = a.decide(keys_of(a, "192.0.2.200"), attribute::network_keys("192.0.2.200"));
  EXPECT_EQ(alpha.cls, 0);
  EXPECT_EQ(alpha.kind, EvidenceKind::exact_payload);
  EXPECT_GE(alpha.confidence, 0.8) << alpha.reason;  // every leave-one-out alpha row was right
  EXPECT_NE(alpha.reason.find("6 listed alpha ip(s)"), std::string::npos) << alpha.reason;

  auto tool = a.decide(keys_of(a, "192.0.2.201"), attribute::network_keys("192.0.2.201"));
  EXPECT_EQ(tool.cls, -1) << tool.reason;
  EXPECT_EQ(tool.kind, EvidenceKind::public_tool);
  EXPECT_NE(tool.reason.find("30 unlisted"), std::string::npos) << tool.reason;

  // The tool's default from bravo's own network: bravo sends it too, and its listed ips scanned from there.
  auto net = a.decide(keys_of(a, "198.51.100.61"), attribute::network_keys("198.51.100.61"));
  EXPECT_EQ(net.cls, 1) << net.reason;
  EXPECT_EQ(net.kind, EvidenceKind::network);
  // Without the network level it rests on the payload alone, which is a public tool's.
  attribute::AttributorOptions payload_only;
  payload_only.network = false;
  auto p = Attributor::build(db(), kClasses, kCut, aggregate::Windows{}, payload_only);
  auto alone = p.decide(keys_of(p, "198.51.100.61"), attribute::network_keys("198.51.100.61"));
  EXPECT_EQ(alone.cls, -1) << alone.reason;
  EXPECT_EQ(alone.kind, EvidenceKind::public_tool);

  auto drift = a.decide(keys_of(a, "192.0.2.202"), attribute::network_keys("192.0.2.202"));
  EXPECT_EQ(drift.cls, 0) << drift.reason;
  EXPECT_EQ(drift.kind, EvidenceKind::near_payload);

  auto none = a.decide(keys_of(a, "192.0.2.203"), attribute::network_keys("192.0.2.203"));
  EXPECT_EQ(none.cls, -1);
  EXPECT_EQ(none.kind, EvidenceKind::no_match);
}

// The baseline maps the tool's default to its labelled majority (bravo) and names every unlisted zgrab ip;
// payload evidence names none of them, and both name alpha's own payload.
TEST_F(Store, TheBaselineNamesThePublicToolWhereEvidenceDoesNot) {
  training();
  int64_t t = kCut + kDay;
  for (int i = 0; i < 10; ++i) http(t + i, fmt::format("192.0.2.{}", 100 + i), "zgrab/0.x");
  http(t, "192.0.2.200", "AlphaScan/2.0");
  features::SelectOptions so;
  so.until_us = kCut;
  ASSERT_EQ(features::select_service(db(), Service::http, so).status, features::SelectStatus::stored);
  auto base = attribute::ExactBaseline::build(db(), kClasses, kCut);
  auto a = Attributor::build(db(), kClasses, kCut, aggregate::Windows{});
  auto voted = base.ip_classes(db(), aggregate::Windows{}, kCut, kCut + 7 * kDay);
  int base_named = 0, evidence_named = 0;
  for (auto& wk : attribute::window_keys(db(), a, aggregate::Windows{}, kCut, kCut + 7 * kDay)) {
    if (wk.ip.rfind("192.0.2.1", 0) != 0 || wk.ip.size() != 11) continue;  // the ten 192.0.2.1xx zgrab ips
    base_named += voted.at({wk.window, wk.ip}) >= 0;
    evidence_named += a.decide(wk.keys, wk.nets).cls >= 0;
  }
  EXPECT_EQ(base_named, 10);
  EXPECT_EQ(evidence_named, 0);
  EXPECT_EQ(a.decide(keys_of(a, "192.0.2.200"), attribute::network_keys("192.0.2.200")).cls, 0);
  features::ProbeDoc doc;
  Stmt s(db(), "SELECT json FROM probes WHERE src = '192.0.2.200'");
  ASSERT_TRUE(s.step());
  ASSERT_TRUE(doc.parse(s.col_text(0)));
  EXPECT_EQ(base.probe_class(doc, Service::http), 0);
}

// Keys ignore the sensor's own address (Host is the address that was probed) and per-session bytes.
TEST_F(Store, TheSameScannerOnTwoSensorsHasOneKey) {
  auto km = attribute::KeyMaker::payload(db(), Service::http);
  features::ProbeDoc a, b;
  ASSERT_TRUE(a.parse(
      R"({"dst":"192.0.2.1","http":{"method":"GET","uri":"/","headers":[["Host","192.0.2.1:8080"]],"host":"192.0.2.1:8080"}})"));
  ASSERT_TRUE(b.parse(
      R"({"dst":"192.0.2.7","http":{"method":"GET","uri":"/","headers":[["Host","192.0.2.7:8080"]],"host":"192.0.2.7:8080"}})"));
  std::vector<attribute::KeyHash> ha, hb;
  ASSERT_TRUE(km.field_hashes(a, ha));
  ASSERT_TRUE(km.field_hashes(b, hb));
  EXPECT_EQ(attribute::whole_key(Service::http, ha), attribute::whole_key(Service::http, hb));
  ASSERT_TRUE(b.parse(
      R"({"dst":"192.0.2.7","http":{"method":"GET","uri":"/x","headers":[["Host","192.0.2.7:8080"]],"host":"192.0.2.7:8080"}})"));
  ASSERT_TRUE(km.field_hashes(b, hb));
  EXPECT_NE(attribute::whole_key(Service::http, ha), attribute::whole_key(Service::http, hb));
  // One field differs: exactly one "without field i" key is shared.
  size_t shared = 0;
  for (size_t i = 0; i < ha.size(); ++i)
    shared += attribute::key_without(Service::http, ha, i) == attribute::key_without(Service::http, hb, i);
  EXPECT_EQ(shared, 1u);
}

}  // namespace

namespace {

// A new version of an organisation's agent is its coarse form; a payload copied from many foreign networks
// in the week it is identified names nobody, unless it names its organisation.
TEST_F(Store, VersionsAreCoarseAndForeignCopiesNameNobody) {
  // Training: a "quiet" organisation whose request carries no name, from its own /24.
  for (int week = 0; week < 2; ++week)
    for (int i = 0; i < 8; ++i)
      http(kT0 + week * 7 * kDay + kDay + i, fmt::format("198.51.100.{}", 100 + i), "Go-http-client/1.1", "alpha",
           "/quiet");
  training();
  int64_t t = kCut + kDay;
  // The week: alpha's own ips keep sending both; 12 foreign ips (different /16s) send the quiet request and
  // alpha's self-naming agent.
  for (int i = 0; i < 8; ++i) http(t + i, fmt::format("198.51.100.{}", 100 + i), "Go-http-client/1.1", "", "/quiet");
  for (int i = 0; i < 12; ++i) {
    http(t + 100 + i, fmt::format("10.{}.0.1", 10 + i), "Go-http-client/1.1", "", "/quiet");
    http(t + 200 + i, fmt::format("10.{}.0.2", 40 + i), "AlphaScan/2.0");
  }
  http(t, "192.0.2.202", "AlphaScan/2.1");
  auto a = Attributor::build(db(), kClasses, kCut, aggregate::Windows{});
  attribute::WindowSenders senders;
  std::map<std::string, attribute::WindowIp> rows;
  for (auto& wk : attribute::window_keys(db(), a, aggregate::Windows{}, kCut, kCut + 7 * kDay, &senders))
    rows[wk.ip] = wk;
  auto decide = [&](const std::string& ip) {
    const auto& wk = rows.at(ip);
    return a.decide(wk.keys, wk.nets, &senders, wk.window);
  };
  auto own = decide("198.51.100.100");  // inside its network: named
  EXPECT_EQ(own.cls, 0) << own.reason;
  auto copy = decide("10.10.0.1");  // the quiet request from a foreign network, as 11 others do this week
  EXPECT_EQ(copy.cls, -1) << copy.reason;
  EXPECT_EQ(copy.kind, EvidenceKind::public_tool);
  EXPECT_NE(copy.reason.find("copied"), std::string::npos) << copy.reason;
  auto claim = decide("10.40.0.2");  // alpha's self-naming agent from abroad: still alpha
  EXPECT_EQ(claim.cls, 0) << claim.reason;
  EXPECT_EQ(claim.kind, EvidenceKind::exact_payload);
  auto version = decide("192.0.2.202");  // a new version of its agent
  EXPECT_EQ(version.cls, 0) << version.reason;
  EXPECT_EQ(version.level, 1);
  EXPECT_EQ(attribute::coarse_value("user_agent", "AlphaScan/2.10 (x86_64)"), "AlphaScan/#.# (x#_#)");
  EXPECT_EQ(attribute::coarse_value("ciphers", "4866,4865,49195"), "4865,4866,49195");
}

}  // namespace
