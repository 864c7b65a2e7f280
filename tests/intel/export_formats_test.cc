// The MISP feed and the STIX 2.1 bundle, checked against what their consumers require: MISP's feed layout
// (manifest.json keyed by event uuid, one <uuid>.json per event, hashes.csv of md5(value),uuid) and the
// STIX 2.1 specification's required properties, identifier forms and reference rules.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>

#include "intel/org_names.h"
#include "intel/scanner_export.h"
#include "util/hash.h"
#include "util/uuid.h"

namespace sg {
namespace {

using nlohmann::json;

constexpr int64_t kWeek = 7LL * 86400 * 1000000;
constexpr int64_t kW1 = 1736121600000000;  // 2025-01-06

ScannerRow named(int64_t window, const std::string& ip, const std::string& org, double confidence = 0.95,
                 const std::string& kind = "exact-payload") {
  ScannerRow r;
  r.window_start = window;
  r.window_end = window + kWeek;
  r.ip = ip;
  r.org = org;
  r.probability = confidence;
  r.confidence = confidence;
  r.evidence_kind = kind;
  r.reason = "its http payload seen before from 3 listed ip(s) <b>\"quoted\"</b>";
  r.votes = "{}";
  r.evidence = "{}";
  r.first_seen_us = window + 3600000000LL;
  r.last_seen_us = window + 7200000000LL;
  r.services = "http";
  r.probes = 4;
  r.model_version = "evidence";
  return r;
}

// STIX 2.1 §3.2 timestamps: RFC 3339 in UTC with a Z.
bool stix_time(const json& v) {
  static const std::regex re(R"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z)");
  return v.is_string() && std::regex_match(v.get<std::string>(), re);
}

bool stix_id(const json& v, const std::string& type) {
  static const std::regex re(R"([a-z0-9-]+--[0-9a-f]{8}-[0-9a-f]{4}-[1-5][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12})");
  return v.is_string() && std::regex_match(v.get<std::string>(), re) && v.get<std::string>().rfind(type + "--", 0) == 0;
}

// Every object of a bundle against the properties STIX 2.1 requires of its type; returns objects by id.
std::map<std::string, json> check_bundle(const json& b) {
  EXPECT_EQ(b["type"], "bundle");
  EXPECT_TRUE(stix_id(b["id"], "bundle"));
  std::map<std::string, json> byid;
  if (!b.contains("objects")) return byid;
  EXPECT_FALSE(b["objects"].empty()) << "objects, when present, must not be empty";
  for (const auto& o : b["objects"]) {
    const std::string type = o.value("type", "");
    SCOPED_TRACE(type + " " + o.value("id", ""));
    EXPECT_EQ(o["spec_version"], "2.1");
    EXPECT_TRUE(stix_id(o["id"], type));
    EXPECT_FALSE(byid.count(o["id"])) << "duplicate id";
    byid[o["id"]] = o;
    const bool sco = type == "ipv4-addr" || type == "ipv6-addr";
    if (!sco) {
      EXPECT_TRUE(stix_time(o["created"]));
    }
    if (!sco && type != "marking-definition") {
      EXPECT_TRUE(stix_time(o["modified"]));
      EXPECT_LE(o["created"].get<std::string>(), o["modified"].get<std::string>());
    }
    if (type == "identity") {
      EXPECT_TRUE(o["name"].is_string());
    }
    if (type == "indicator") {
      EXPECT_TRUE(o["pattern"].is_string());
      EXPECT_EQ(o["pattern_type"], "stix");
      EXPECT_TRUE(stix_time(o["valid_from"]));
      EXPECT_LT(o["valid_from"].get<std::string>(), o["valid_until"].get<std::string>());
      EXPECT_TRUE(o["confidence"].is_number_integer());
      EXPECT_GE(o["confidence"].get<int>(), 0);
      EXPECT_LE(o["confidence"].get<int>(), 100);
    }
    if (type == "relationship") {
      EXPECT_TRUE(o["relationship_type"].is_string());
      EXPECT_TRUE(o["source_ref"].is_string());
      EXPECT_TRUE(o["target_ref"].is_string());
    }
    if (type == "observed-data") {
      EXPECT_TRUE(stix_time(o["first_observed"]));
      EXPECT_TRUE(stix_time(o["last_observed"]));
      EXPECT_LE(o["first_observed"].get<std::string>(), o["last_observed"].get<std::string>());
      EXPECT_GE(o["number_observed"].get<int64_t>(), 1);
      EXPECT_LE(o["number_observed"].get<int64_t>(), 999999999);
      EXPECT_FALSE(o["object_refs"].empty());
    }
    if (type == "sighting") {
      EXPECT_TRUE(o["sighting_of_ref"].is_string());
    }
    if (type == "marking-definition") {
      EXPECT_EQ(o["definition_type"], "tlp");
      EXPECT_TRUE(o["definition"]["tlp"].is_string());
    }
    if (sco) {
      EXPECT_TRUE(o["value"].is_string());
    }
  }
  // Every reference resolves inside the bundle (the TLP definition is carried too).
  for (const auto& [id, o] : byid) {
    for (const char* key : {"created_by_ref", "source_ref", "target_ref", "sighting_of_ref"})
      if (o.contains(key)) {
        EXPECT_TRUE(byid.count(o[key])) << id << " " << key;
      }
    for (const char* key : {"object_refs", "observed_data_refs", "where_sighted_refs", "object_marking_refs"})
      if (o.contains(key))
        for (const auto& ref : o[key]) {
          EXPECT_TRUE(byid.count(ref)) << id << " " << key << " " << ref;
        }
  }
  return byid;
}

TEST(StixExport, EveryObjectHasWhatTheSpecificationRequires) {
  std::vector<ScannerRow> rows = {named(kW1, "198.51.100.3", "shadowserver"), named(kW1, "2001:db8::1", "shodan"),
                                  named(kW1, "192.0.2.9", "unknown")};
  auto byid = check_bundle(json::parse(intel::stix_bundle(rows, {}, nullptr, intel::Tlp::amber)));
  std::map<std::string, int> types;
  for (const auto& [id, o] : byid) ++types[o["type"]];
  EXPECT_EQ(types["marking-definition"], 1);
  EXPECT_EQ(types["identity"], 3);  // the producer and two organisations; unknown names nobody
  EXPECT_EQ(types["indicator"], 2);
  EXPECT_EQ(types["ipv4-addr"], 1);
  EXPECT_EQ(types["ipv6-addr"], 1);
  EXPECT_EQ(types["observed-data"], 2);
  EXPECT_EQ(types["sighting"], 2);
  EXPECT_EQ(types["relationship"], 2);
  // Observable ids as STIX derives them (the specification's own example address), so they merge with
  // every other producer's objects for the same address.
  EXPECT_TRUE(byid.count("ipv4-addr--28bb3599-77cd-5a82-a950-b5bc3caf07c4"));
  EXPECT_TRUE(byid.count("ipv6-addr--6469e3a9-b053-5e34-a025-9396ae051d26"));
  EXPECT_EQ(byid["marking-definition--f88d31f6-486f-44da-b317-01333bde0b82"]["name"], "TLP:AMBER");
  bool display = false;
  for (const auto& [id, o] : byid)
    if (o["type"] == "identity" && o.value("x_scannergrouper_slug", "") == "shadowserver")
      display = o["name"] == "Shadowserver Foundation";
  EXPECT_TRUE(display) << "organisations carry their display names";
  for (const auto& [id, o] : byid)
    if (o["type"] == "indicator") {
      EXPECT_EQ(o["valid_from"], "2025-01-06T00:00:00.000000Z");
      EXPECT_EQ(o["valid_until"], "2025-01-13T00:00:00.000000Z");
      EXPECT_EQ(o["confidence"], 95);
      EXPECT_NE(o["description"].get<std::string>().find("exact-payload"), std::string::npos);
    }
}

TEST(StixExport, ReexportOverAnotherRangeKeepsEachIdsCreationTime) {
  std::vector<ScannerRow> history = {named(kW1, "198.51.100.3", "shadowserver"),
                                     named(kW1 + kWeek, "198.51.100.3", "shadowserver"),
                                     named(kW1 + kWeek, "198.51.100.4", "shadowserver")};
  std::vector<ScannerRow> week2 = {history[1], history[2]};
  auto created = [](const std::string& text) {
    std::map<std::string, std::string> out;
    const json b = json::parse(text);
    for (const auto& o : b["objects"])
      if (o.contains("created")) out[o["id"]] = o["created"];
    return out;
  };
  auto whole = created(intel::stix_bundle(history, {}, &history));
  auto later = created(intel::stix_bundle(week2, {}, &history));
  int shared = 0;
  for (const auto& [id, when] : later)
    if (whole.count(id)) {
      ++shared;
      EXPECT_EQ(whole[id], when) << id;
    }
  EXPECT_GE(shared, 5);  // marking, producer, organisation, both indicators and relationships
  const std::string indicator = "indicator--" + uuid_v5("ip:198.51.100.3:shadowserver");
  ASSERT_TRUE(later.count(indicator));
  EXPECT_EQ(later[indicator], "2025-01-06T00:00:00.000000Z") << "first named in week 1, though week 2 was exported";
}

TEST(StixExport, NothingToExportIsAnEmptyValidBundle) {
  for (const auto& rows : {std::vector<ScannerRow>{}, std::vector<ScannerRow>{named(kW1, "192.0.2.1", "unknown")}}) {
    json b = json::parse(intel::stix_bundle(rows));
    check_bundle(b);
    EXPECT_FALSE(b.contains("objects")) << b.dump();
    EXPECT_EQ(b.dump().find("1970"), std::string::npos);
  }
}

TEST(MispFeed, LayoutMispSubscribesTo) {
  std::vector<ScannerRow> rows = {named(kW1, "198.51.100.3", "shadowserver"),
                                  named(kW1, "198.51.100.4", "shadowserver", 0.7, "network"),
                                  named(kW1 + kWeek, "198.51.100.3", "shadowserver"),
                                  named(kW1, "2001:db8::1", "shodan"),
                                  named(kW1, "192.0.2.9", "unknown"),
                                  named(kW1, "192.0.2.10", "censys", 0.6, "public-tool")};
  intel::MispFeed feed = intel::misp_feed(rows, {}, intel::Tlp::green);
  ASSERT_EQ(feed.events.size(), 3u) << "one event per organisation and week; unknown and public-tool left out";
  json manifest = json::parse(feed.manifest);
  ASSERT_EQ(manifest.size(), feed.events.size());
  std::set<std::string> hash_lines;
  std::istringstream hs(feed.hashes);
  for (std::string l; std::getline(hs, l);) hash_lines.insert(l);
  size_t attributes = 0;
  for (const auto& [file, text] : feed.events) {
    json e = json::parse(text)["Event"];
    const std::string uuid = e["uuid"];
    EXPECT_EQ(file, uuid + ".json");
    ASSERT_TRUE(manifest.contains(uuid));
    const json& m = manifest[uuid];
    EXPECT_EQ(m["info"], e["info"]);
    EXPECT_EQ(m["date"], e["date"]);
    EXPECT_EQ(m["Orgc"], e["Orgc"]);
    EXPECT_TRUE(m["timestamp"].is_number_integer());
    EXPECT_TRUE(e["published"].get<bool>());
    EXPECT_EQ(e["Orgc"]["name"], "scannergrouper");
    bool tlp = false, org = false;
    for (const auto& t : e["Tag"]) {
      tlp |= t["name"] == "tlp:green";
      org |= t["name"].get<std::string>().rfind("scannergrouper:organisation=\"", 0) == 0;
    }
    EXPECT_TRUE(tlp && org) << e["Tag"].dump();
    for (const auto& a : e["Attribute"]) {
      ++attributes;
      EXPECT_EQ(a["type"], "ip-src");
      EXPECT_EQ(a["category"], "Network activity");
      EXPECT_NE(a["comment"].get<std::string>().find("confidence 0."), std::string::npos);
      EXPECT_NE(a["Tag"][0]["name"].get<std::string>().find("evidence-kind="), std::string::npos);
      EXPECT_TRUE(hash_lines.count(md5_hex(a["value"].get<std::string>()) + "," + uuid)) << a["value"];
    }
  }
  EXPECT_EQ(attributes, 4u);
  EXPECT_EQ(hash_lines.size(), attributes);
  ASSERT_EQ(feed.warninglists.size(), 2u);
  json list = json::parse(feed.warninglists.at("scannergrouper-shadowserver"));
  for (const char* key : {"name", "version", "description", "matching_attributes", "type", "list"})
    EXPECT_TRUE(list.contains(key)) << key;
  EXPECT_EQ(list["list"], json::array({"198.51.100.3/32", "198.51.100.4/32"}));
  // The same input, the same feed: event and attribute uuids are name-based.
  EXPECT_EQ(intel::misp_feed(rows, {}, intel::Tlp::green).manifest, feed.manifest);
}

TEST(MispFeed, HostileOrganisationNamesStayInsideTheFolder) {
  for (const std::string org : {"../../etc/passwd", "a b", "a-b", "..", "", "Shodan"}) {
    std::string f = intel::file_safe(org);
    EXPECT_EQ(f.find('/'), std::string::npos) << org;
    EXPECT_NE(f, "..");
    EXPECT_NE(f, ".");
    EXPECT_FALSE(f.empty());
  }
  EXPECT_NE(intel::file_safe("a b"), intel::file_safe("a-b"));
  EXPECT_EQ(intel::file_safe("shodan"), "shodan");
  EXPECT_EQ(intel::display_name("paloalto-xpanse"), "Palo Alto Networks Cortex Xpanse");
  EXPECT_EQ(intel::display_name("someone-new"), "someone-new");
}

}  // namespace
}  // namespace sg
