#include "serve/scanner_export.h"

#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "export/csv.h"
#include "export/json.h"
#include "util/uuid.h"

namespace sg::serve {

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
    json w{{"name", fmt::format("Scanners attributed to {} by scannergrouper", org)},
           {"version", version},
           {"description", fmt::format("IP addresses whose probes scannergrouper attributed to the scanning "
                                       "organisation '{}' (latest weekly window); confidence {:.2f} or more; "
                                       "evidence: {}.",
                                       org, lowest[org], kinds_text(kinds[org]))},
           {"matching_attributes", {"ip-src", "ip-dst", "domain|ip"}},
           {"type", "cidr"},
           {"list", list}};
    out[org] = w.dump(2);
  }
  return out;
}

std::string stix_bundle(const std::vector<ScannerRow>& rows, const NameFilter& f) {
  auto latest = latest_attributed(rows, f);
  json objects = json::array();
  const std::string producer = "identity--" + uuid_v5("producer:scannergrouper");
  int64_t first = INT64_MAX, last = 0;
  std::map<std::string, std::pair<int64_t, int64_t>> org_span;
  for (const auto& [ip, r] : latest) {
    auto& span = org_span.try_emplace(r.org, INT64_MAX, 0).first->second;
    span.first = std::min(span.first, r.first_seen_us);
    span.second = std::max(span.second, r.last_seen_us);
    first = std::min(first, r.first_seen_us);
    last = std::max(last, r.last_seen_us);
  }
  if (latest.empty()) first = last = 0;
  objects.push_back({{"type", "identity"},
                     {"spec_version", "2.1"},
                     {"id", producer},
                     {"created", format_ts(first)},
                     {"modified", format_ts(last)},
                     {"name", "scannergrouper"},
                     {"identity_class", "system"}});
  for (const auto& [org, span] : org_span) {
    objects.push_back({{"type", "identity"},
                       {"spec_version", "2.1"},
                       {"id", "identity--" + uuid_v5("org:" + org)},
                       {"created_by_ref", producer},
                       {"created", format_ts(span.first)},
                       {"modified", format_ts(span.second)},
                       {"name", org},
                       {"identity_class", "organization"}});
  }
  for (const auto& [ip, r] : latest) {
    std::string indicator = "indicator--" + uuid_v5("ip:" + ip);
    std::string pattern = fmt::format("[{}:value = '{}']", is_ipv6(ip) ? "ipv6-addr" : "ipv4-addr", ip);
    objects.push_back({{"type", "indicator"},
                       {"spec_version", "2.1"},
                       {"id", indicator},
                       {"created_by_ref", producer},
                       {"created", format_ts(r.first_seen_us)},
                       {"modified", format_ts(r.last_seen_us)},
                       {"name", fmt::format("{} scanner {}", r.org, ip)},
                       {"indicator_types", {"attribution"}},
                       {"pattern", pattern},
                       {"pattern_type", "stix"},
                       {"valid_from", format_ts(r.first_seen_us)},
                       {"description", fmt::format("evidence: {}; {}", r.evidence_kind, r.reason)},
                       {"confidence", std::clamp(static_cast<int>(r.confidence * 100 + 0.5), 0, 100)}});
    objects.push_back({{"type", "relationship"},
                       {"spec_version", "2.1"},
                       {"id", "relationship--" + uuid_v5("rel:" + ip + ">" + r.org)},
                       {"created_by_ref", producer},
                       {"created", format_ts(r.first_seen_us)},
                       {"modified", format_ts(r.last_seen_us)},
                       {"relationship_type", "related-to"},
                       {"source_ref", indicator},
                       {"target_ref", "identity--" + uuid_v5("org:" + r.org)}});
  }
  json bundle{{"type", "bundle"}, {"id", "bundle--" + uuid_v5(fmt::format("bundle:{}:{}", latest.size(), last))},
              {"objects", objects}};
  return bundle.dump(2);
}

}  // namespace sg::serve
