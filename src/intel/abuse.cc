#include "intel/abuse.h"

#include <arpa/inet.h>
#include <fmt/format.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "storage/abuse_store.h"

namespace sg::intel {

using nlohmann::json;

namespace {

// The address in the form inet_ntop writes, so that it matches the probes' and scanners' ip columns.
std::string normal_ip(const std::string& text) {
  unsigned char buf[16];
  char out[INET6_ADDRSTRLEN];
  if (inet_pton(AF_INET, text.c_str(), buf) == 1) return inet_ntop(AF_INET, buf, out, sizeof out);
  if (inet_pton(AF_INET6, text.c_str(), buf) == 1) return inet_ntop(AF_INET6, buf, out, sizeof out);
  return "";
}

// One check: the data object (from {"data":{...}} or bare) → a check, or the reason it is not one.
std::string read_check(const json& record, AbuseCheck& out) {
  if (!record.is_object()) return "not a JSON object";
  const json* data = &record;
  if (auto d = record.find("data"); d != record.end()) {
    if (!d->is_object()) return "\"data\" is not an object";
    data = &*d;
  }
  auto ip = data->find("ipAddress");
  if (ip == data->end() || !ip->is_string()) return "no ipAddress";
  out.ip = normal_ip(ip->get<std::string>());
  if (out.ip.empty()) return "ipAddress is not an IP address";
  auto sc = data->find("abuseConfidenceScore");
  if (sc == data->end() || !sc->is_number_integer()) return "no integer abuseConfidenceScore";
  int64_t score = sc->get<int64_t>();
  if (score < 0 || score > 100) return fmt::format("abuseConfidenceScore {} outside 0..100", score);
  out.score = int(score);
  out.raw = data->dump(-1, ' ', false, json::error_handler_t::replace);
  return "";
}

void take(const json& record, const std::string& file, size_t line, AbuseParse& out) {
  AbuseCheck c;
  std::string why = read_check(record, c);
  if (why.empty())
    out.checks.push_back(std::move(c));
  else
    out.skips.push_back({file, line, why});
}

}  // namespace

AbuseParse parse_abuse_checks(const std::string& text, const std::string& file) {
  AbuseParse out;
  json whole = json::parse(text, nullptr, false);
  if (!whole.is_discarded()) {
    // {"data":[...]} (a list endpoint) and a plain array are lists of checks; anything else is one check.
    const json* list = whole.is_array() ? &whole : nullptr;
    if (whole.is_object())
      if (auto d = whole.find("data"); d != whole.end() && d->is_array()) list = &*d;
    if (list) {
      for (size_t i = 0; i < list->size(); ++i) {
        size_t before = out.skips.size();
        take((*list)[i], file, 0, out);
        if (out.skips.size() > before)
          out.skips.back().reason = fmt::format("element {}: {}", i, out.skips.back().reason);
      }
    } else {
      take(whole, file, 1, out);
    }
    return out;
  }
  std::istringstream in(text);
  std::string l;
  size_t n = 0;
  while (std::getline(in, l)) {
    ++n;
    if (l.find_first_not_of(" \t\r") == std::string::npos) continue;
    json j = json::parse(l, nullptr, false);
    if (j.is_discarded())
      out.skips.push_back({file, n, "not JSON"});
    else
      take(j, file, n, out);
  }
  return out;
}

AbuseImport import_abuse_checks(Db& db, const std::vector<AbuseCheck>& checks, const std::string& checked_at) {
  create_abuse_reports(db);
  AbuseImport r;
  Transaction tx(db);
  AbuseReportWriter reports(db);
  for (const auto& c : checks) {
    std::optional<std::string> stored = reports.raw(c.ip);
    if (stored && *stored == c.raw) {
      ++r.unchanged;
      continue;
    }
    ++(stored ? r.changed : r.added);
    reports.put(c.ip, c.score, checked_at, c.raw);
  }
  tx.commit();
  return r;
}

std::map<std::string, int> abuse_scores(Db& db) { return abuse_report_scores(db); }

}  // namespace sg::intel
