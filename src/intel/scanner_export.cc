#include "intel/scanner_export.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>

#include "export/csv.h"
#include "intel/org_names.h"
#include "util/atomic_file.h"
#include "util/hash.h"
#include "util/time.h"
#include "util/uuid.h"

namespace sg::intel {

namespace {

using nlohmann::json;

json row_json(const ScannerRow& r) {
  auto parse = [](const std::string& text) { return text.empty() ? json::object() : json::parse(text); };
  return json{{"ip", r.ip},
              {"org", r.org},
              {"probability", r.probability},
              {"confidence", r.confidence},
              {"evidence_kind", r.evidence_kind},
              {"reason", r.reason},
              {"window_start", format_ts(r.window_start)},
              {"window_end", format_ts(r.window_end)},
              {"first_seen", format_ts(r.first_seen_us)},
              {"last_seen", format_ts(r.last_seen_us)},
              {"services", r.services},
              {"probes", r.probes},
              {"votes", parse(r.votes)},
              {"evidence", parse(r.evidence)},
              {"model_version", r.model_version}};
}

bool is_ipv6(const std::string& ip) { return ip.find(':') != std::string::npos; }

std::string kinds_text(const std::map<std::string, int>& kinds) {
  std::string out;
  for (const auto& [k, n] : kinds) out += fmt::format("{}{} {}", out.empty() ? "" : ", ", n, k);
  return out;
}

}  // namespace

bool NameFilter::keeps(const ScannerRow& r) const {
  if (r.org == "unknown") return true;
  if (r.confidence < min_confidence) return false;
  return public_tool || r.evidence_kind != "public-tool";
}

void write_jsonl(const std::vector<ScannerRow>& rows, std::ostream& out) {
  for (const auto& r : rows) out << row_json(r).dump(-1, ' ', false, json::error_handler_t::replace) << '\n';
}

json rows_json(const std::vector<ScannerRow>& rows) {
  json all = json::array();
  for (const auto& r : rows) all.push_back(row_json(r));
  return all;
}

void write_json(const std::vector<ScannerRow>& rows, std::ostream& out) {
  out << rows_json(rows).dump(-1, ' ', false, json::error_handler_t::replace) << '\n';
}

void write_csv(const std::vector<ScannerRow>& rows, std::ostream& out) {
  out << "window_start,window_end,ip,org,probability,services,probes,first_seen,last_seen,votes,model_version,"
         "confidence,evidence_kind,reason\n";
  for (const auto& r : rows)
    out << CsvRow()
               .text(format_ts(r.window_start))
               .text(format_ts(r.window_end))
               .text(r.ip)
               .text(r.org)
               .number(r.probability)
               .text(r.services)
               .number(r.probes)
               .text(format_ts(r.first_seen_us))
               .text(format_ts(r.last_seen_us))
               .text(r.votes)
               .text(r.model_version)
               .number(r.confidence)
               .text(r.evidence_kind)
               .text(r.reason)
               .line();
}

std::map<std::string, ScannerRow> latest_attributed(const std::vector<ScannerRow>& rows, const NameFilter& f) {
  std::map<std::string, ScannerRow> latest;  // over all rows: a later unknown window retracts the ip
  for (const auto& r : rows) {
    auto it = latest.find(r.ip);
    if (it == latest.end() || r.window_start > it->second.window_start) latest[r.ip] = r;
  }
  std::erase_if(latest, [&](const auto& kv) { return kv.second.org == "unknown" || !f.keeps(kv.second); });
  return latest;
}

std::map<std::string, std::string> misp_warninglists(const std::vector<ScannerRow>& rows, const NameFilter& f) {
  std::map<std::string, std::vector<std::string>> ips;
  std::map<std::string, std::map<std::string, int>> kinds;
  std::map<std::string, double> lowest;
  int64_t newest = 0;
  for (const auto& [ip, r] : latest_attributed(rows, f)) {
    ++kinds[r.org][r.evidence_kind];
    auto lo = lowest.try_emplace(r.org, r.confidence).first;
    lo->second = std::min(lo->second, r.confidence);
    ips[r.org].push_back(is_ipv6(ip) ? ip + "/128" : ip + "/32");
    newest = std::max(newest, r.window_end);
  }
  std::map<std::string, std::string> out;
  // MISP compares versions as integers; the date of the newest window orders exports over time.
  int version = std::stoi(format_ts(newest).substr(0, 10).erase(7, 1).erase(4, 1));
  for (auto& [org, list] : ips) {
    json w{{"name", fmt::format("Scanners attributed to {} by scannergrouper", display_name(org))},
           {"version", version},
           {"description", fmt::format("IP addresses whose probes scannergrouper attributed to the scanning "
                                       "organisation {} ('{}', latest weekly window); confidence {:.2f} or more; "
                                       "evidence: {}.",
                                       display_name(org), org, lowest[org], kinds_text(kinds[org]))},
           {"matching_attributes", {"ip-src", "ip-dst", "domain|ip"}},
           {"type", "cidr"},
           {"list", list}};
    out[org] = w.dump(2, ' ', false, json::error_handler_t::replace);
  }
  return out;
}

Tlp parse_tlp(const std::string& text) {
  if (text == "white" || text == "clear") return Tlp::white;
  if (text == "green") return Tlp::green;
  if (text == "amber") return Tlp::amber;
  if (text == "red") return Tlp::red;
  throw std::invalid_argument("TLP must be white (clear), green, amber or red, not '" + text + "'");
}

std::string tlp_name(Tlp t) {
  switch (t) {
    case Tlp::white:
      return "white";
    case Tlp::green:
      return "green";
    case Tlp::amber:
      return "amber";
    case Tlp::red:
      return "red";
  }
  return "amber";
}

namespace {

int64_t epoch_seconds(int64_t us) { return us / 1000000; }

// MISP's own layout for an event, as its feeds (and PyMISP's to_feed) write them: strings for the numeric
// enumerations and timestamps, as MISP exports them.
json misp_org() { return {{"name", "scannergrouper"}, {"uuid", uuid_v5("producer:scannergrouper")}}; }

json misp_tags(const std::string& org, Tlp tlp) {
  return json::array(
      {{{"name", "tlp:" + tlp_name(tlp)}}, {{"name", fmt::format("scannergrouper:organisation=\"{}\"", org)}}});
}

}  // namespace

MispFeed misp_feed(const std::vector<ScannerRow>& rows, const NameFilter& f, Tlp tlp) {
  // One event per (organisation, week): the ips the week's window named for it.
  std::map<std::pair<std::string, int64_t>, std::vector<const ScannerRow*>> weeks;
  for (const auto& r : rows)
    if (r.org != "unknown" && f.keeps(r)) weeks[{r.org, r.window_start}].push_back(&r);
  MispFeed feed;
  json manifest = json::object();
  for (auto& [key, members] : weeks) {
    const auto& [org, week] = key;
    std::sort(members.begin(), members.end(), [](const ScannerRow* a, const ScannerRow* b) { return a->ip < b->ip; });
    const std::string uuid = uuid_v5(fmt::format("misp-event:{}:{}", org, week));
    int64_t end = 0;
    json attributes = json::array();
    for (const ScannerRow* r : members) {
      end = std::max(end, r->window_end);
      attributes.push_back(
          {{"uuid", uuid_v5(fmt::format("misp-attribute:{}:{}:{}", org, week, r->ip))},
           {"type", "ip-src"},
           {"category", "Network activity"},
           {"value", r->ip},
           {"to_ids", false},  // a scanner is context for an alert, not a detection of its own
           {"disable_correlation", false},
           {"deleted", false},
           {"timestamp", std::to_string(epoch_seconds(r->window_end))},
           {"first_seen", format_ts(r->first_seen_us)},
           {"last_seen", format_ts(r->last_seen_us)},
           {"comment", fmt::format("confidence {:.2f}; evidence {}: {}", r->confidence, r->evidence_kind, r->reason)},
           {"Tag", json::array({{{"name", fmt::format("scannergrouper:evidence-kind=\"{}\"", r->evidence_kind)}}})}});
      feed.hashes += fmt::format("{},{}\n", md5_hex(r->ip), uuid);
    }
    const std::string date = format_ts(week).substr(0, 10);
    const std::string info = fmt::format("Scanners attributed to {} ({}), week of {}", display_name(org), org, date);
    const std::string stamp = std::to_string(epoch_seconds(end));
    const json org_ref = misp_org(), tags = misp_tags(org, tlp);
    json event{{"Event",
                {{"uuid", uuid},
                 {"info", info},
                 {"date", date},
                 {"threat_level_id", "4"},  // undefined: scanning is not a threat level of its own
                 {"analysis", "2"},         // complete: the week is over
                 {"published", true},
                 {"timestamp", stamp},
                 {"publish_timestamp", stamp},
                 {"Orgc", org_ref},
                 {"Tag", tags},
                 {"Attribute", attributes}}}};
    feed.events[uuid + ".json"] = event.dump(2, ' ', false, json::error_handler_t::replace);
    manifest[uuid] = {{"Orgc", org_ref},
                      {"Tag", tags},
                      {"info", info},
                      {"date", date},
                      {"analysis", 2},
                      {"threat_level_id", 4},
                      {"timestamp", epoch_seconds(end)}};
  }
  feed.manifest = manifest.dump(2, ' ', false, json::error_handler_t::replace);
  for (auto& [org, text] : misp_warninglists(rows, f)) feed.warninglists["scannergrouper-" + file_safe(org)] = text;
  return feed;
}

namespace {

// STIX 2.1 §7.2.1.4: the predefined TLP marking definitions, by their fixed ids.
json tlp_marking(Tlp t) {
  static const char* kIds[] = {"marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9",
                               "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da",
                               "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82",
                               "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed"};
  const std::string name = tlp_name(t);
  std::string upper = name;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return {{"type", "marking-definition"},          {"spec_version", "2.1"},    {"id", kIds[static_cast<int>(t)]},
          {"created", "2017-01-20T00:00:00.000Z"}, {"definition_type", "tlp"}, {"name", "TLP:" + upper},
          {"definition", {{"tlp", name}}}};
}

// STIX 2.1 §2.9: a cyber-observable's id is a UUID v5 in this namespace of its id-contributing
// properties as canonical JSON, so every producer gives one address the same id.
constexpr std::string_view kStixObservableNamespace = "00abedb4-aa42-466c-9c01-fed23315a9b7";

struct Span {
  int64_t first = INT64_MAX, last = 0;
  void add(const ScannerRow& r) {
    first = std::min(first, r.window_start);
    last = std::max(last, r.window_end);
  }
};

}  // namespace

std::string stix_bundle(const std::vector<ScannerRow>& rows, const NameFilter& f,
                        const std::vector<ScannerRow>* history, Tlp tlp) {
  auto latest = latest_attributed(rows, f);
  if (latest.empty())  // a bundle's objects, when present, may not be empty (STIX 2.1 §8)
    return json{{"type", "bundle"}, {"id", "bundle--" + uuid_v5("bundle:empty")}}.dump(2);
  // An object's created and modified come from every window of the database that named it, not from the
  // range exported, so exporting another range never gives one id two creation times.
  Span all;
  std::map<std::string, Span> org_span, ip_span;
  for (const auto* set : {history, &rows}) {
    if (!set) continue;
    for (const auto& r : *set) {
      if (r.org == "unknown") continue;
      all.add(r);
      org_span[r.org].add(r);
      ip_span[r.ip + "\n" + r.org].add(r);
    }
  }
  const json marking = tlp_marking(tlp);
  const json markings = json::array({marking["id"]});
  const std::string producer = "identity--" + uuid_v5("producer:scannergrouper");
  json objects = json::array({marking});
  objects.push_back({{"type", "identity"},
                     {"spec_version", "2.1"},
                     {"id", producer},
                     {"created", format_ts(all.first)},
                     {"modified", format_ts(all.last)},
                     {"name", "scannergrouper"},
                     {"identity_class", "system"},
                     {"object_marking_refs", markings}});
  std::set<std::string> orgs;
  for (const auto& [ip, r] : latest) orgs.insert(r.org);
  for (const auto& org : orgs) {
    const Span& s = org_span[org];
    objects.push_back({{"type", "identity"},
                       {"spec_version", "2.1"},
                       {"id", "identity--" + uuid_v5("org:" + org)},
                       {"created_by_ref", producer},
                       {"created", format_ts(s.first)},
                       {"modified", format_ts(s.last)},
                       {"name", display_name(org)},
                       {"description", fmt::format("Internet scanning organisation; '{}' in scanner lists", org)},
                       {"identity_class", "organization"},
                       {"x_scannergrouper_slug", org},
                       {"object_marking_refs", markings}});
  }
  for (const auto& [ip, r] : latest) {
    const Span& s = ip_span[ip + "\n" + r.org];
    const std::string type = is_ipv6(ip) ? "ipv6-addr" : "ipv4-addr";
    const std::string address = type + "--" + uuid_v5_in(kStixObservableNamespace, json{{"value", ip}}.dump());
    const std::string indicator = "indicator--" + uuid_v5("ip:" + ip + ":" + r.org);
    const std::string window = fmt::format("{}:{}", ip, r.window_start);
    const std::string observed = "observed-data--" + uuid_v5("observed:" + window);
    objects.push_back({{"type", type}, {"spec_version", "2.1"}, {"id", address}, {"value", ip}});
    objects.push_back({{"type", "indicator"},
                       {"spec_version", "2.1"},
                       {"id", indicator},
                       {"created_by_ref", producer},
                       {"created", format_ts(s.first)},
                       {"modified", format_ts(s.last)},
                       {"name", fmt::format("{} scanner {}", display_name(r.org), ip)},
                       {"indicator_types", {"attribution"}},
                       {"pattern", fmt::format("[{}:value = '{}']", type, ip)},
                       {"pattern_type", "stix"},
                       {"valid_from", format_ts(r.window_start)},  // the week that named it
                       {"valid_until", format_ts(r.window_end)},
                       {"description", fmt::format("evidence: {}; {}", r.evidence_kind, r.reason)},
                       {"confidence", std::clamp(static_cast<int>(r.confidence * 100 + 0.5), 0, 100)},
                       {"object_marking_refs", markings}});
    objects.push_back({{"type", "relationship"},
                       {"spec_version", "2.1"},
                       {"id", "relationship--" + uuid_v5("rel:" + ip + ">" + r.org)},
                       {"created_by_ref", producer},
                       {"created", format_ts(s.first)},
                       {"modified", format_ts(s.last)},
                       {"relationship_type", "related-to"},
                       {"source_ref", indicator},
                       {"target_ref", "identity--" + uuid_v5("org:" + r.org)},
                       {"object_marking_refs", markings}});
    // The probes seen that week: what the sensors observed, and the sighting of the indicator in them.
    const int64_t count = std::max<int64_t>(r.probes, 1);
    objects.push_back({{"type", "observed-data"},
                       {"spec_version", "2.1"},
                       {"id", observed},
                       {"created_by_ref", producer},
                       {"created", format_ts(r.window_end)},
                       {"modified", format_ts(r.window_end)},
                       {"first_observed", format_ts(r.first_seen_us)},
                       {"last_observed", format_ts(std::max(r.last_seen_us, r.first_seen_us))},
                       {"number_observed", count},
                       {"object_refs", {address}},
                       {"object_marking_refs", markings}});
    objects.push_back({{"type", "sighting"},
                       {"spec_version", "2.1"},
                       {"id", "sighting--" + uuid_v5("sighting:" + window)},
                       {"created_by_ref", producer},
                       {"created", format_ts(r.window_end)},
                       {"modified", format_ts(r.window_end)},
                       {"first_seen", format_ts(r.first_seen_us)},
                       {"last_seen", format_ts(std::max(r.last_seen_us, r.first_seen_us))},
                       {"count", count},
                       {"sighting_of_ref", indicator},
                       {"observed_data_refs", {observed}},
                       {"where_sighted_refs", {producer}},
                       {"object_marking_refs", markings}});
  }
  json bundle{{"type", "bundle"},
              {"id", "bundle--" + uuid_v5(fmt::format("bundle:{}:{}:{}", latest.size(), all.first, all.last))},
              {"objects", objects}};
  return bundle.dump(2, ' ', false, json::error_handler_t::replace);
}

void write_misp_feed(const MispFeed& feed, const std::string& dir) {
  const std::filesystem::path root(dir);
  std::filesystem::create_directories(root);
  for (const auto& [file, text] : feed.events) write_text_atomically((root / file).string(), text + "\n");
  for (const auto& [name, text] : feed.warninglists) {
    std::filesystem::create_directories(root / "lists" / name);
    write_text_atomically((root / "lists" / name / "list.json").string(), text + "\n");
  }
  write_text_atomically((root / "hashes.csv").string(), feed.hashes);
  write_text_atomically((root / "manifest.json").string(), feed.manifest + "\n");
}

}  // namespace sg::intel
