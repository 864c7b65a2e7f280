#include "pipeline/lookup.h"

#include "aggregate/evidence.h"
#include "storage/ip_queries.h"
#include "util/time.h"

namespace sg::pipeline {

namespace {

struct ProbeSummary {
  std::map<std::string, int64_t> per_service;
  int64_t first = 0, last = 0, total = 0;
  nlohmann::json labels = nlohmann::json::array();  // [{org, probes, sources}], most probes first
  std::string evidence = "{}";                      // aggregate::Evidence over the ip's latest probes
};

ProbeSummary probe_summary(Db& db, const std::string& ip) {
  ProbeSummary s;
  auto sum = ip_probe_summary(db, ip);
  s.per_service = sum.per_service;
  s.first = sum.first_us;
  s.last = sum.last_us;
  s.total = sum.total;
  if (!s.total) return s;
  for (const auto& l : ip_labels(db, ip))
    s.labels.push_back({{"org", l.org}, {"probes", l.probes}, {"sources", l.sources}});
  aggregate::Evidence ev;
  for_each_latest_probe(db, ip, kLookupEvidenceProbes, [&](std::string_view text) {
    auto j = nlohmann::json::parse(text, nullptr, false);
    if (j.is_object()) ev.add_probe(j);
  });
  s.evidence = ev.to_json();
  return s;
}

nlohmann::json ip_json(const std::string& ip, const ProbeSummary& p, const std::vector<ScannerRow>& rows) {
  nlohmann::json j{{"ip", ip}, {"probes", p.total}, {"probes_by_service", p.per_service}};
  if (p.total) {
    j["first_probe"] = format_ts(p.first);
    j["last_probe"] = format_ts(p.last);
  }
  j["labels"] = p.labels;
  j["evidence"] = nlohmann::json::parse(p.evidence);
  nlohmann::json windows = nlohmann::json::array();
  for (const auto& r : rows)
    windows.push_back({{"window_start", format_ts(r.window_start)},
                       {"org", r.org},
                       {"probability", r.probability},
                       {"confidence", r.confidence},
                       {"evidence_kind", r.evidence_kind},
                       {"why", r.reason},
                       {"votes", nlohmann::json::parse(r.votes)},
                       {"services", r.services},
                       {"probes", r.probes},
                       {"evidence", nlohmann::json::parse(r.evidence)},
                       {"model_version", r.model_version}});
  j["windows"] = windows;
  j["org"] = rows.empty() ? nlohmann::json(nullptr) : nlohmann::json(rows.back().org);
  return j;
}

}  // namespace

nlohmann::json lookup_ip(Db& db, ScannerStore& scanners, const std::string& ip) {
  ScannerQuery q;
  q.ip = ip;
  auto probes = probe_summary(db, ip);
  return ip_json(ip, probes, scanners.rows(q));
}

}  // namespace sg::pipeline
