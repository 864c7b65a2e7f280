// The JSON API of `serve` on a real demo database, without a socket: every route, the error statuses of
// bad input, paging, and hostile capture strings coming back as escaped JSON.
#include <gtest/gtest.h>

#include <atomic>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <thread>

#include "serve/api.h"
#include "serve/demo_db.h"

namespace {

using nlohmann::json;
using sg::serve::Api;
using sg::serve::Request;
using sg::serve::Response;

class ServeApi : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto& d = sgtest::demo_db();
    ASSERT_TRUE(d.error.empty()) << d.error;
    api_ = std::make_unique<Api>(d.db);
  }
  Response get(const std::string& path, std::multimap<std::string, std::string> params = {}) {
    Request r;
    r.path = path;
    r.params = std::move(params);
    return api_->handle(r);
  }
  json get_json(const std::string& path, std::multimap<std::string, std::string> params = {}, int status = 200) {
    auto r = get(path, std::move(params));
    EXPECT_EQ(r.status, status) << path << "\n" << r.body.substr(0, 2000);
    auto j = json::parse(r.body, nullptr, false);
    EXPECT_FALSE(j.is_discarded()) << r.body.substr(0, 2000);
    return j;
  }
  Response post(const std::string& path, const std::string& body) {
    Request r;
    r.method = "POST";
    r.path = path;
    r.body = body;
    return api_->handle(r);
  }
  // An ip the demo attributed to a known organisation in the latest week.
  std::pair<std::string, std::string> attributed_ip() {
    auto stats = get_json("/v1/stats");
    for (const auto& o : stats["orgs"]) {
      std::string org = o["org"];
      if (org == "unknown") continue;
      auto page = get_json("/v1/org/" + org);
      for (const auto& ip : page["ips"])
        if (ip["last_week"] == stats["latest_week"]) return {ip["ip"], org};
    }
    ADD_FAILURE() << "no attributed ip in the latest week";
    return {};
  }
  std::unique_ptr<Api> api_;
};

void expect_error(const Response& r, int status, const std::string& code) {
  EXPECT_EQ(r.status, status) << r.body;
  auto j = json::parse(r.body, nullptr, false);
  ASSERT_TRUE(j.is_object()) << r.body;
  EXPECT_EQ(j["error"]["status"], status);
  EXPECT_EQ(j["error"]["code"], code) << r.body;
  EXPECT_FALSE(j["error"]["message"].get<std::string>().empty());
}

TEST_F(ServeApi, StatsCountTheDemo) {
  auto s = get_json("/v1/stats");
  EXPECT_GT(s["probes"].get<int64_t>(), 1000);
  EXPECT_GT(s["source_ips"].get<int64_t>(), 100);
  EXPECT_GT(s["scanner_ips"].get<int64_t>(), 50);
  ASSERT_EQ(s["weeks"].size(), 2u);
  EXPECT_EQ(s["weeks"][0], "2025-01-13T00:00:00.000000Z");
  EXPECT_EQ(s["latest_week"], "2025-01-20T00:00:00.000000Z");
  EXPECT_GT(s["probes_by_service"]["http"].get<int64_t>(), 0);
  ASSERT_GE(s["orgs"].size(), 3u);
  std::set<std::string> orgs;
  for (const auto& o : s["orgs"]) orgs.insert(o["org"]);
  EXPECT_TRUE(orgs.count("unknown"));
}

TEST_F(ServeApi, AnIpHasItsDecisionEvidenceLabelsAndHistory) {
  auto [ip, org] = attributed_ip();
  ASSERT_FALSE(ip.empty());
  auto j = get_json("/v1/ip/" + ip);
  EXPECT_EQ(j["ip"], ip);
  EXPECT_EQ(j["org"], org);
  const auto& a = j["attribution"];
  EXPECT_EQ(a["org"], org);
  EXPECT_GT(a["confidence"].get<double>(), 0.0);
  EXPECT_LE(a["confidence"].get<double>(), 1.0);
  EXPECT_FALSE(a["evidence_kind"].get<std::string>().empty());
  EXPECT_FALSE(a["reason"].get<std::string>().empty());
  EXPECT_EQ(a["window_start"], "2025-01-20T00:00:00.000000Z");
  EXPECT_GT(j["probes"].get<int64_t>(), 0);
  EXPECT_LT(j["first_seen"].get<std::string>(), j["last_seen"].get<std::string>() + "~");
  EXPECT_GE(j["weeks"].get<int>(), 1);
  ASSERT_EQ(j["history"].size(), j["weeks"].get<size_t>());
  EXPECT_EQ(j["history"].back()["org"], org);
  EXPECT_FALSE(j["services"].empty());
  for (const char* k : {"ports", "user_agents", "ja3", "ja4", "hassh", "syn_signatures", "qnames", "sni"})
    EXPECT_TRUE(j["fingerprints"][k].is_array()) << k;
  ASSERT_FALSE(j["fingerprints"]["ports"].empty());
  EXPECT_GT(j["fingerprints"]["ports"][0]["count"].get<int>(), 0);
  // The demo's labels name this organisation's ranges (its label lists).
  ASSERT_FALSE(j["labels"].empty()) << j.dump();
  EXPECT_TRUE(j["labels"][0]["sources"].is_array());
}

TEST_F(ServeApi, IPv6AndUnknownAndAbsentIps) {
  // The demo has IPv6 scanners; one written in capitals is the same ip.
  std::string v6;
  auto stats = get_json("/v1/stats");
  for (const auto& o : stats["orgs"]) {
    auto page = get_json("/v1/org/" + o["org"].get<std::string>(), {{"limit", "1000"}});
    for (const auto& it : page["ips"])
      if (it["ip"].get<std::string>().find(':') != std::string::npos) v6 = it["ip"];
    if (!v6.empty()) break;
  }
  ASSERT_FALSE(v6.empty());
  std::string upper = v6;
  for (char& c : upper) c = char(std::toupper(static_cast<unsigned char>(c)));
  auto j = get_json("/v1/ip/" + upper);
  EXPECT_EQ(j["ip"], v6);
  EXPECT_FALSE(j["history"].empty());
  // Its /112 lists it.
  Request r;
  r.path = "/v1/ip";
  r.params = {{"cidr", v6 + "/112"}};
  auto list = json::parse(api_->handle(r).body);
  bool listed = false;
  for (const auto& it : list["items"]) listed |= it["ip"] == v6;
  EXPECT_TRUE(listed) << list.dump();

  expect_error(get("/v1/ip/192.0.2.250"), 404, "not_found");
  // An ip the rows call unknown says so.
  bool seen_unknown = false;
  auto cidr = get_json("/v1/ip", {{"cidr", "198.51.100.0/24"}, {"limit", "1000"}});
  for (const auto& it : cidr["items"])
    if (it["org"] == "unknown") {
      auto u = get_json("/v1/ip/" + it["ip"].get<std::string>());
      EXPECT_EQ(u["org"], "unknown");
      EXPECT_EQ(u["attribution"]["org"], "unknown");
      EXPECT_FALSE(u["attribution"]["evidence_kind"].get<std::string>().empty());
      seen_unknown = true;
      break;
    }
  EXPECT_TRUE(seen_unknown);
}

TEST_F(ServeApi, CidrQueriesArePagedAndExact) {
  auto all = get_json("/v1/ip", {{"cidr", "198.51.100.0/24"}, {"limit", "1000"}});
  int64_t total = all["total"];
  ASSERT_GT(total, 50);
  ASSERT_EQ(int64_t(all["items"].size()), total);
  EXPECT_TRUE(all["next_offset"].is_null());
  for (const auto& it : all["items"]) EXPECT_EQ(it["ip"].get<std::string>().rfind("198.51.100.", 0), 0u) << it;
  // Pages of 7 cover the same ips in the same order.
  std::vector<std::string> paged;
  json next = 0;
  int pages = 0;
  while (!next.is_null() && pages++ < 100) {
    auto p = get_json("/v1/ip",
                      {{"cidr", "198.51.100.0/24"}, {"limit", "7"}, {"offset", std::to_string(next.get<int64_t>())}});
    EXPECT_EQ(p["total"], total);
    EXPECT_LE(p["items"].size(), 7u);
    for (const auto& it : p["items"]) paged.push_back(it["ip"]);
    next = p["next_offset"];
  }
  ASSERT_EQ(int64_t(paged.size()), total);
  for (int64_t i = 0; i < total; ++i) EXPECT_EQ(paged[size_t(i)], all["items"][size_t(i)]["ip"]);
  // A narrower prefix holds only its own addresses (198.51.100.0/27 is Stretchoid's in the demo).
  auto narrow = get_json("/v1/ip/198.51.100.0/27");
  EXPECT_GT(narrow["total"].get<int>(), 0);
  EXPECT_LE(narrow["total"].get<int>(), 32);
  for (const auto& it : narrow["items"]) {
    std::string ip = it["ip"];
    int last = std::stoi(ip.substr(ip.rfind('.') + 1));
    EXPECT_LT(last, 32) << ip;
  }
  // A /16 is allowed; a /8 and a /64 are too wide.
  EXPECT_EQ(get("/v1/ip", {{"cidr", "198.51.0.0/16"}}).status, 200);
  expect_error(get("/v1/ip", {{"cidr", "198.0.0.0/8"}}), 400, "cidr_too_large");
  expect_error(get("/v1/ip/10.0.0.0/1"), 400, "cidr_too_large");
  expect_error(get("/v1/ip", {{"cidr", "2001:db8::/64"}}), 400, "cidr_too_large");
  expect_error(get("/v1/ip", {{"cidr", "198.51.100.0/33"}}), 400, "bad_cidr");
  expect_error(get("/v1/ip", {{"cidr", "nonsense/24"}}), 400, "bad_cidr");
}

TEST_F(ServeApi, BadInputGetsA4xxNeverACrash) {
  for (const char* bad :
       {"/v1/ip/999.1.1.1", "/v1/ip/1.2.3", "/v1/ip/abc", "/v1/ip/1.2.3.4%00", "/v1/ip/::g", "/v1/ip/1.2.3.4 "})
    expect_error(get(bad), 400, "bad_ip");
  expect_error(get("/v1/ip/" + std::string(100000, '1')), 400, "bad_ip");
  expect_error(get("/v1/nothing"), 404, "no_such_route");
  expect_error(get("/v2/ip/1.2.3.4"), 404, "no_such_route");
  expect_error(get("/v1/ip"), 400, "bad_parameter");
  expect_error(get("/v1/org/no-such-org"), 404, "not_found");
  expect_error(get("/v1/org/" + std::string(1000, 'x')), 400, "bad_org");
  for (const char* l : {"0", "-1", "1001", "x", "", "1e3", "99999999999999999999"})
    expect_error(get("/v1/ip", {{"cidr", "198.51.100.0/24"}, {"limit", l}}), 400, "bad_parameter");
  expect_error(get("/v1/ip", {{"cidr", "198.51.100.0/24"}, {"offset", "-5"}}), 400, "bad_parameter");
  expect_error(get("/v1/search"), 400, "bad_parameter");
  expect_error(get("/v1/search", {{"ja4", "a"}, {"ja3", "b"}}), 400, "bad_parameter");
  expect_error(get("/v1/search", {{"ua", ""}}), 400, "bad_parameter");
  expect_error(get("/v1/search", {{"ua", std::string(5000, 'a')}}), 400, "bad_parameter");
  Request put;
  put.method = "DELETE";
  put.path = "/v1/stats";
  expect_error(api_->handle(put), 405, "method_not_allowed");
  // Bodies: too large, not JSON, too many ips.
  expect_error(post("/v1/ip", std::string(10 << 20, ' ')), 413, "body_too_large");
  expect_error(post("/v1/ip", "{not json"), 400, "bad_body");
  expect_error(post("/v1/ip", R"({"ips": 5})"), 400, "bad_body");
  json many = {{"ips", json::array()}};
  for (int i = 0; i < 1001; ++i) many["ips"].push_back("192.0.2.1");
  expect_error(post("/v1/ip", many.dump()), 413, "too_many_ips");
}

TEST_F(ServeApi, PostManyIpsAndPrefixes) {
  auto [ip, org] = attributed_ip();
  json body = {{"ips", {ip, "192.0.2.250", "not-an-ip", "198.51.100.0/28", "10.0.0.0/8", 7}}};
  auto r = post("/v1/ip", body.dump());
  ASSERT_EQ(r.status, 200) << r.body;
  auto j = json::parse(r.body);
  ASSERT_GE(j["results"].size(), 3u);
  EXPECT_EQ(j["results"][0]["ip"], ip);
  EXPECT_EQ(j["results"][0]["org"], org);
  EXPECT_EQ(j["results"][0]["known"], true);
  EXPECT_GT(j["results"][0]["weeks"].get<int>(), 0);
  EXPECT_EQ(j["results"][1]["ip"], "192.0.2.250");
  EXPECT_EQ(j["results"][1]["known"], false);
  EXPECT_TRUE(j["results"][1]["org"].is_null());
  for (size_t i = 2; i < j["results"].size(); ++i)
    EXPECT_EQ(j["results"][i]["ip"].get<std::string>().rfind("198.51.100.", 0), 0u);
  ASSERT_EQ(j["errors"].size(), 3u) << j["errors"];
  EXPECT_EQ(j["errors"][0]["code"], "bad_ip");
  EXPECT_EQ(j["errors"][1]["code"], "cidr_too_large");
  EXPECT_EQ(j["errors"][2]["code"], "bad_ip");
  // A bare array works too.
  auto bare = post("/v1/ip", json::array({ip}).dump());
  EXPECT_EQ(bare.status, 200);
}

TEST_F(ServeApi, AnOrganisationHasItsIpsFingerprintsAndWeeks) {
  auto [ip, org] = attributed_ip();
  auto j = get_json("/v1/org/" + org);
  EXPECT_EQ(j["org"], org);
  EXPECT_GT(j["total"].get<int>(), 0);
  bool found = false;
  for (const auto& it : j["ips"]) found |= it["ip"] == ip;
  EXPECT_TRUE(found);
  ASSERT_FALSE(j["weekly"].empty());
  int64_t latest = 0;
  for (const auto& w : j["weekly"])
    if (w["window_start"] == "2025-01-20T00:00:00.000000Z") latest = w["ips"];
  EXPECT_GT(latest, 0);
  EXPECT_FALSE(j["fingerprints"]["ports"].empty());
  // Paging: one at a time.
  auto p = get_json("/v1/org/" + org, {{"limit", "1"}});
  EXPECT_EQ(p["ips"].size(), 1u);
  EXPECT_EQ(p["total"], j["total"]);
  if (j["total"].get<int>() > 1) {
    EXPECT_EQ(p["next_offset"], 1);
  }
}

TEST_F(ServeApi, SearchPivotsFromAFingerprintToItsScanners) {
  auto [ip, org] = attributed_ip();
  auto d = get_json("/v1/ip/" + ip);
  const auto& fp = d["fingerprints"];
  int searched = 0;
  for (auto [kind, field] : {std::pair{"ja4", "ja4"},
                             {"ja3", "ja3"},
                             {"user_agents", "ua"},
                             {"qnames", "qname"},
                             {"hassh", "hassh"},
                             {"sni", "sni"}}) {
    if (fp[kind].empty()) continue;
    std::string value = fp[kind][0]["value"];
    auto s = get_json("/v1/search", {{field, value}});
    EXPECT_EQ(s["field"], field);
    EXPECT_EQ(s["value"], value);
    bool found = false;
    for (const auto& it : s["items"]) {
      if (it["ip"] == ip) {
        found = true;
        EXPECT_EQ(it["org"], org);
        EXPECT_GT(it["probes"].get<int>(), 0);
      }
    }
    EXPECT_TRUE(found || s["total"].get<size_t>() > s["items"].size()) << kind << " " << value;
    ++searched;
  }
  EXPECT_GT(searched, 0) << fp.dump();
  // A substring finds what the whole value finds, and more.
  auto zgrab = get_json("/v1/search", {{"ua", "Mozilla"}, {"contains", "1"}, {"limit", "5"}});
  EXPECT_GT(zgrab["total"].get<int>(), 0);
  EXPECT_LE(zgrab["items"].size(), 5u);
  auto none = get_json("/v1/search", {{"ja4", "no-such-fingerprint"}});
  EXPECT_EQ(none["total"], 0);
  EXPECT_TRUE(none["items"].empty());
}

TEST_F(ServeApi, HostileStringsFromCapturesComeBackEscaped) {
  auto r = get(std::string("/v1/ip/") + sgtest::DemoDb::kHostileIp);
  ASSERT_EQ(r.status, 200) << r.body;
  // No markup character appears raw in the JSON text; the value reads back exactly.
  EXPECT_EQ(r.body.find('<'), std::string::npos);
  EXPECT_EQ(r.body.find('>'), std::string::npos);
  EXPECT_NE(r.body.find("\\u003cscript\\u003e"), std::string::npos);
  auto j = json::parse(r.body);
  bool found = false;
  for (const auto& ua : j["fingerprints"]["user_agents"]) found |= ua["value"] == sgtest::DemoDb::kHostileUa;
  EXPECT_TRUE(found) << j["fingerprints"].dump();
  ASSERT_FALSE(j["history"].empty());
  found = false;
  for (const auto& ua : j["history"].back()["fingerprints"]["user_agents"])
    found |= ua["value"] == sgtest::DemoDb::kHostileUa;
  EXPECT_TRUE(found);
  // The search for it, and an error message quoting hostile input, are escaped the same way.
  auto s = get("/v1/search", {{"ua", sgtest::DemoDb::kHostileUa}});
  ASSERT_EQ(s.status, 200);
  EXPECT_EQ(s.body.find('<'), std::string::npos);
  EXPECT_EQ(json::parse(s.body)["total"], 1);
  auto e = get("/v1/org/<script>\"x\u0001");
  EXPECT_EQ(e.status, 404);
  EXPECT_EQ(e.body.find('<'), std::string::npos);
  EXPECT_TRUE(json::parse(e.body, nullptr, false).is_object());
  auto bad = get("/v1/ip/<img src=x>\xff\xfe");
  EXPECT_EQ(bad.status, 400);
  EXPECT_TRUE(json::parse(bad.body, nullptr, false).is_object()) << bad.body;  // invalid UTF-8 replaced
  EXPECT_EQ(bad.body.find('<'), std::string::npos);
}

// The answer of /v1/ip/{ip} is written without nlohmann (api.cc's AnswerWriter) but must stay the text
// json_text writes for the same value: nlohmann's member order, escapes and number format. nlohmann's text
// is canonical, so reading an answer back and writing it again with json_text gives the same bytes.
TEST_F(ServeApi, IpAnswersAreTheTextJsonTextWrites) {
  auto stats = get_json("/v1/stats");
  std::set<std::string> ips = {sgtest::DemoDb::kHostileIp};
  for (const auto& o : stats["orgs"]) {
    auto page = get_json("/v1/org/" + o["org"].get<std::string>(), {{"limit", "1000"}});
    for (const auto& ip : page["ips"]) ips.insert(ip["ip"].get<std::string>());
  }
  ASSERT_GT(ips.size(), 10u);
  for (const auto& ip : ips) {
    auto r = get("/v1/ip/" + ip);
    ASSERT_EQ(r.status, 200) << ip << "\n" << r.body;
    EXPECT_EQ(r.body, sg::serve::json_text(json::parse(r.body))) << ip;
  }
}

TEST(ServeJson, MarkupCharactersAreEscapedOnlyAsJson) {
  json v = {{"a", "<script>&</script>"}, {"b", "\u2028x\x01"}};
  std::string t = sg::serve::json_text(v);
  EXPECT_EQ(t.find_first_of("<>&"), std::string::npos);
  EXPECT_EQ(json::parse(t), v);
}

}  // namespace

namespace {

using nlohmann::json;

TEST(ServeApiLimits, ALongQueryIsStoppedAndAnswered503) {
  const auto& d = sgtest::demo_db();
  ASSERT_TRUE(d.error.empty()) << d.error;
  sg::serve::Api slow(d.db, 0);  // every query is over its time at once
  sg::serve::Request r;
  r.path = "/v1/search";
  r.params = {{"ua", "zgrab"}, {"contains", "1"}};
  auto res = slow.handle(r);
  EXPECT_EQ(res.status, 503) << res.body;
  EXPECT_EQ(json::parse(res.body)["error"]["code"], "query_timeout");
  sg::serve::Api fine(d.db);
  EXPECT_EQ(fine.handle(r).status, 200);
}

// `run` rewrites a week while the API reads it: every answer is whole, from before or after the write.
TEST(ServeApiLimits, AnswersStayWholeWhileAWriterRewritesTheWeek) {
  const auto& d = sgtest::demo_db();
  ASSERT_TRUE(d.error.empty()) << d.error;
  const std::string copy = d.dir + "/writer_copy.db";
  std::filesystem::remove(copy);
  {
    sg::Db src(d.db, sg::Access::read_only);
    src.exec(("VACUUM INTO '" + copy + "'").c_str());
  }
  const int64_t week = 1737331200000000;  // 2025-01-20
  std::vector<sg::ScannerRow> before, after;
  {
    sg::ProbeStore store(copy);
    sg::ScannerQuery q;
    q.from_us = week;
    before = sg::ScannerStore(store.db()).rows(q);
  }
  ASSERT_FALSE(before.empty());
  after = before;
  for (auto& r : after) r.org = "rewritten";
  const std::string ip = before.front().ip, org = before.front().org;

  sg::serve::Api api(copy);
  std::atomic<bool> done{false};
  std::thread writer([&] {
    sg::ProbeStore store(copy);
    sg::ScannerStore s(store.db());
    for (int i = 0; i < 60; ++i) s.replace_window(week, week + sg::aggregate::kWeekUs, i % 2 ? before : after);
    done = true;
  });
  int answers = 0;
  while (!done || answers < 20) {
    sg::serve::Request r;
    r.path = "/v1/ip/" + ip;
    auto res = api.handle(r);
    ASSERT_EQ(res.status, 200) << res.body;
    auto j = json::parse(res.body);
    EXPECT_TRUE(j["org"] == org || j["org"] == "rewritten") << j["org"];
    r.path = "/v1/stats";
    auto st = json::parse(api.handle(r).body);
    int64_t latest = 0;
    for (const auto& o : st["orgs"]) latest += o["ips_latest_week"].get<int64_t>();
    EXPECT_EQ(latest, int64_t(before.size()));  // one week's rows, never half of two writes
    ++answers;
  }
  writer.join();
  std::filesystem::remove(copy);
}

// Doubles and strings of an ip's answer as nlohmann writes them: shortest round-trip numbers ("1.0",
// "1e-05", "1e+16"), control characters as lowercase \u escapes, invalid UTF-8 replaced by U+FFFD, other
// UTF-8 as it is, and '<', '>', '&' as \u escapes.
TEST(ServeApiFormat, DoublesAndEscapesAreNlohmanns) {
  const std::string path = testing::TempDir() + "/sg_serve_format_" + std::to_string(getpid()) + ".db";
  for (auto suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
  {
    sg::ProbeStore store(path);
    sg::ScannerRow row;
    row.window_start = 1737331200000000;
    row.window_end = row.window_start + sg::aggregate::kWeekUs;
    row.ip = "192.0.2.78";
    row.org = "org\x01\x1f<b>&\xc3\xa9\xff";
    row.reason = "tab\there \"q\" \\ \x7f\xe2\x80\xa8 \xe2\x82";
    row.model_version = "v/1";
    row.probability = 1e-05;
    row.confidence = 0.1 + 0.2;
    row.votes = R"({"tls":null,"http":"a<b"})";
    row.evidence = R"({"user_agents":[["x\u0002<",2]],"ja3_hashes":[["abc",1.5]]})";
    row.services = "http,,tls";
    sg::ScannerRow next = row;
    next.window_start = row.window_end;
    next.window_end = next.window_start + sg::aggregate::kWeekUs;
    next.probability = 1.0;
    next.confidence = 1e16;
    sg::ScannerStore s(store.db());
    s.replace_window(row.window_start, row.window_end, {row});
    s.replace_window(next.window_start, next.window_end, {next});
  }
  sg::serve::Api api(path);
  sg::serve::Request r;
  r.path = "/v1/ip/192.0.2.78";
  auto res = api.handle(r);
  ASSERT_EQ(res.status, 200) << res.body;
  EXPECT_EQ(res.body, sg::serve::json_text(json::parse(res.body)));
  for (const char* text :
       {R"("probability":1e-05)", R"("confidence":0.30000000000000004)", R"("probability":1.0)",
        R"("confidence":1e+16)", "\"org\":\"org\\u0001\\u001f\\u003cb\\u003e\\u0026\xc3\xa9\xef\xbf\xbd\"",
        "\"reason\":\"tab\\there \\\"q\\\" \\\\ \x7f\xe2\x80\xa8 \xef\xbf\xbd\"",
        R"("votes":{"http":"a\u003cb","tls":null})", R"("services":["http","tls"])", R"("model_version":"v/1")"})
    EXPECT_NE(res.body.find(text), std::string::npos) << text << "\n" << res.body;
  for (auto suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
}

// A database served before identify wrote its first rows: the rows show up once written.
TEST(ServeApiLimits, TablesAWriterCreatesLaterAreSeen) {
  const std::string path = testing::TempDir() + "/sg_serve_late_" + std::to_string(getpid()) + ".db";
  for (auto suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
  { sg::ProbeStore create(path); }
  sg::serve::Api api(path);
  sg::serve::Request r;
  r.path = "/v1/stats";
  auto st = api.handle(r);
  ASSERT_EQ(st.status, 200) << st.body;
  EXPECT_EQ(json::parse(st.body)["scanner_rows"], 0);
  {
    sg::ProbeStore store(path);
    sg::ScannerRow row;
    row.window_start = 1737331200000000;
    row.window_end = row.window_start + sg::aggregate::kWeekUs;
    row.ip = "192.0.2.77";
    row.org = "alpha";
    row.votes = "{}";
    row.evidence = "{}";
    sg::ScannerStore(store.db()).replace_window(row.window_start, row.window_end, {row});
  }
  r.path = "/v1/ip/192.0.2.77";
  auto ip = api.handle(r);
  ASSERT_EQ(ip.status, 200) << ip.body;
  EXPECT_EQ(json::parse(ip.body)["org"], "alpha");
  for (auto suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
}

}  // namespace

namespace {

// Random requests (fixed seed): paths made of route pieces and hostile bytes, random parameters and
// bodies. Every answer is JSON with a status the API documents, never a 500, never raw markup.
TEST(ServeApiRandom, AnyRequestGetsADocumentedStatusAndJson) {
  const auto& d = sgtest::demo_db();
  ASSERT_TRUE(d.error.empty()) << d.error;
  sg::serve::Api api(d.db);
  std::mt19937 rng(20250120);
  const std::vector<std::string> pieces = {"/v1/ip/",    "/v1/ip",      "/v1/org/",
                                           "/v1/search", "/v1/stats",   "/v2/",
                                           "/",          "198.51.100.", "2001:db8:",
                                           "::",         "/24",         "/16",
                                           "/112",       "/0",          "shodan",
                                           "unknown",    "<script>",    "\"",
                                           "\\",         "%00",         "\xff",
                                           "\x01",       "..",          "9",
                                           "0",          "-1",          "99999999999999999999",
                                           "a",          ":",           ".",
                                           "/"};
  const std::vector<std::string> keys = {"cidr",  "limit", "offset", "ja3",      "ja4", "ua",
                                         "qname", "hassh", "sni",    "contains", "x"};
  const std::set<int> documented = {200, 400, 404, 405, 413};
  auto pick = [&](const std::vector<std::string>& v) { return v[rng() % v.size()]; };
  for (int i = 0; i < 3000; ++i) {
    sg::serve::Request r;
    r.method = rng() % 4 == 0 ? "POST" : rng() % 10 == 0 ? "PUT" : "GET";
    int n = 1 + int(rng() % 5);
    for (int k = 0; k < n; ++k) r.path += pick(pieces);
    for (int k = int(rng() % 3); k > 0; --k) r.params.emplace(pick(keys), pick(pieces) + pick(pieces));
    if (r.method == "POST") {
      int kind = int(rng() % 3);
      if (kind == 0)
        r.body = "{\"ips\": [\"" + pick(pieces) + pick(pieces) + "\", " + pick(pieces) + "]}";
      else if (kind == 1)
        r.body = json{{"ips", {pick(pieces) + pick(pieces), pick(pieces)}}}.dump(-1, ' ', false,
                                                                                 json::error_handler_t::replace);
      else
        for (int k = int(rng() % 50); k > 0; --k) r.body += char(rng());
    }
    auto res = api.handle(r);
    ASSERT_TRUE(documented.count(res.status)) << res.status << " " << r.method << " " << r.path << "\n" << res.body;
    auto j = json::parse(res.body, nullptr, false);
    ASSERT_TRUE(j.is_object()) << r.path << "\n" << res.body;
    ASSERT_EQ(res.body.find_first_of("<>"), std::string::npos) << res.body;
    if (res.status != 200) {
      ASSERT_EQ(j["error"]["status"], res.status);
    }
  }
}

}  // namespace
