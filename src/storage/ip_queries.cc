#include "storage/ip_queries.h"

#include <algorithm>
#include <map>
#include <utility>

#include <fmt/format.h>

#include "storage/sqlite.h"

namespace sg {

IpProbeSummary ip_probe_summary(Db& db, const std::string& ip) {
  IpProbeSummary s;
  Stmt q(db, "SELECT service, count(*), min(ts_us), max(ts_us) FROM probes WHERE src=? GROUP BY service", Stmt::reuse);
  q.bind(1, ip);
  while (q.step()) {
    s.per_service[q.col_text(0)] = q.col_int(1);
    s.total += q.col_int(1);
    s.first_us = s.first_us ? std::min(s.first_us, q.col_int(2)) : q.col_int(2);
    s.last_us = std::max(s.last_us, q.col_int(3));
  }
  return s;
}

std::vector<IpLabel> ip_labels(Db& db, const std::string& ip) {
  std::vector<IpLabel> out;
  if (!db.has_table("probe_labels")) return out;
  Stmt l(db,
         "SELECT l.org, count(*), l.source FROM probe_labels l JOIN probes p ON p.id = l.probe_id WHERE p.src = ? "
         "GROUP BY l.org, l.source ORDER BY 2 DESC",
         Stmt::reuse);
  l.bind(1, ip);
  while (l.step()) out.push_back({l.col_text(0), l.col_int(1), l.col_text(2)});
  return out;
}

IpProbesAndLabels ip_probes_and_labels(Db& db, const std::string& ip) {
  IpProbesAndLabels out;
  const bool labels = db.has_table("probe_labels");
  Stmt q(db,
         labels
             ? "SELECT p.service, p.ts_us, l.org, l.source FROM probes p LEFT JOIN probe_labels l ON l.probe_id = p.id "
               "WHERE p.src = ?"
             : "SELECT service, ts_us FROM probes WHERE src = ?",
         Stmt::reuse);
  q.bind(1, ip);
  struct Span {
    int64_t n = 0, first = 0, last = 0;
  };
  std::map<std::string, Span> services;  // in the order of GROUP BY service (BINARY: bytes)
  std::map<std::pair<std::string, std::string>, int64_t> groups;
  while (q.step()) {
    auto [it, fresh] = services.try_emplace(q.col_text(0));
    const int64_t ts = q.col_int(1);
    Span& s = it->second;
    s.first = fresh ? ts : std::min(s.first, ts);
    s.last = fresh ? ts : std::max(s.last, ts);
    ++s.n;
    if (labels && !q.col_null(2)) ++groups[{q.col_text(2), q.col_text(3)}];
  }
  // Folded as ip_probe_summary folds its groups, so that both give the same figures.
  IpProbeSummary& sum = out.summary;
  for (const auto& [service, s] : services) {
    sum.per_service[service] = s.n;
    sum.total += s.n;
    sum.first_us = sum.first_us ? std::min(sum.first_us, s.first) : s.first;
    sum.last_us = std::max(sum.last_us, s.last);
  }
  // As ip_labels orders them: most probes first, ties in (org, source) order.
  for (auto& [key, n] : groups) out.labels.push_back({key.first, n, key.second});
  std::stable_sort(out.labels.begin(), out.labels.end(),
                   [](const IpLabel& a, const IpLabel& b) { return a.probes > b.probes; });
  return out;
}

void for_each_latest_probe(Db& db, const std::string& ip, int64_t limit,
                           const std::function<void(std::string_view)>& fn) {
  Stmt e(db, "SELECT json FROM probes WHERE src = ? ORDER BY ts_us DESC LIMIT ?", Stmt::reuse);
  e.bind(1, ip).bind(2, limit);
  while (e.step()) fn(e.col_text_view(0));
}

void for_each_ip_in_text_range(Db& db, const std::string& lo, const std::string& hi,
                               const std::function<bool(const std::string&)>& fn) {
  // Both sides come from an index (scanners_ip, probes_src_ts); UNION sorts and removes duplicates.
  Stmt s(db, hi.empty() ? "SELECT ip FROM scanners WHERE ip >= ?1 UNION SELECT src FROM probes WHERE src >= ?1 "
                          "ORDER BY 1"
                        : "SELECT ip FROM scanners WHERE ip >= ?1 AND ip < ?2 "
                          "UNION SELECT src FROM probes WHERE src >= ?1 AND src < ?2 ORDER BY 1");
  s.bind(1, lo);
  if (!hi.empty()) s.bind(2, hi);
  while (s.step())
    if (!fn(s.col_text(0))) return;
}

std::vector<OrgIp> org_ips(Db& db, const std::string& org, const Page& page, int64_t* total) {
  if (total) {
    Stmt c(db, "SELECT count(DISTINCT ip) FROM scanners WHERE org = ?");
    c.bind(1, org);
    c.step();
    *total = c.col_int(0);
  }
  std::vector<OrgIp> out;
  Stmt s(db,
         "SELECT ip, count(*), min(window_start), max(window_start), min(first_seen), max(last_seen), sum(probes), "
         "max(confidence), (SELECT evidence_kind FROM scanners l WHERE l.ip = s.ip AND l.org = s.org "
         "ORDER BY window_start DESC LIMIT 1) "
         // org in GROUP BY (one value under the WHERE): PostgreSQL refuses the subquery's s.org otherwise
         "FROM scanners s WHERE org = ? GROUP BY ip, org ORDER BY ip LIMIT ? OFFSET ?");
  s.bind(1, org).bind(2, page.limit).bind(3, page.offset);
  while (s.step()) {
    OrgIp r;
    r.ip = s.col_text(0);
    r.windows = s.col_int(1);
    r.first_window_us = s.col_int(2);
    r.last_window_us = s.col_int(3);
    r.first_seen_us = s.col_int(4);
    r.last_seen_us = s.col_int(5);
    r.probes = s.col_int(6);
    r.confidence = s.col_double(7);
    r.evidence_kind = s.col_text(8);
    out.push_back(std::move(r));
  }
  return out;
}

std::vector<WindowCount> org_weekly(Db& db, const std::string& org) {
  std::vector<WindowCount> out;
  Stmt s(db,
         "SELECT window_start, count(*), sum(probes) FROM scanners WHERE org = ? GROUP BY window_start "
         "ORDER BY window_start");
  s.bind(1, org);
  while (s.step()) out.push_back({s.col_int(0), s.col_int(1), s.col_int(2)});
  return out;
}

void for_each_org_evidence(Db& db, const std::string& org, int64_t limit,
                           const std::function<void(const std::string&)>& fn) {
  Stmt s(db, "SELECT evidence FROM scanners WHERE org = ? ORDER BY window_start DESC LIMIT ?");
  s.bind(1, org).bind(2, limit);
  while (s.step()) fn(s.col_text(0));
}

std::vector<FingerprintIp> ips_with_fingerprint(Db& db, const std::string& service, const std::string& json_path,
                                                const std::string& value, bool contains, const Page& page,
                                                int64_t* total) {
  // One pass over the service's probes (probes_service_ts narrows to them); the groups are few next to
  // the probes, so they are paged here rather than scanned twice for a count.
  // The value at a JSON path: SQLite's json_extract, PostgreSQL's jsonpath (the same `$.a.b` paths) as text.
  const char* value_at =
      db.postgres() ? "(jsonb_path_query_first(json::jsonb, CAST(?2 AS jsonpath)) #>> '{}')" : "json_extract(json, ?2)";
  const std::string sql =
      contains ? fmt::format(
                     "SELECT src, count(*), min(ts_us), max(ts_us) FROM probes WHERE service = ?1 AND "
                     "{} > 0 GROUP BY src ORDER BY src",
                     db.postgres() ? fmt::format("strpos({}, ?3)", value_at) : fmt::format("instr({}, ?3)", value_at))
               : fmt::format(
                     "SELECT src, count(*), min(ts_us), max(ts_us) FROM probes WHERE service = ?1 AND "
                     "{} = ?3 GROUP BY src ORDER BY src",
                     value_at);
  Stmt s(db, sql.c_str());
  s.bind(1, service).bind(2, json_path).bind(3, value);
  std::vector<FingerprintIp> out;
  int64_t n = 0;
  while (s.step()) {
    if (n >= page.offset && n < page.offset + page.limit)
      out.push_back({s.col_text(0), s.col_int(1), s.col_int(2), s.col_int(3)});
    ++n;
  }
  if (total) *total = n;
  return out;
}

std::optional<LatestDecision> latest_decision(Db& db, const std::string& ip) {
  Stmt s(db,
         "SELECT org, evidence_kind, confidence, window_start, (SELECT count(*) FROM scanners c WHERE c.ip = s.ip) "
         "FROM scanners s WHERE ip = ? ORDER BY window_start DESC LIMIT 1",
         Stmt::reuse);
  s.bind(1, ip);
  if (!s.step()) return std::nullopt;
  return LatestDecision{s.col_text(0), s.col_text(1), s.col_double(2), s.col_int(3), s.col_int(4)};
}

DbStats db_stats(Db& db) {
  DbStats st;
  {
    Stmt s(db, "SELECT count(*), coalesce(min(ts_us), 0), coalesce(max(ts_us), 0) FROM probes");
    s.step();
    st.probes = s.col_int(0);
    st.first_probe_us = s.col_int(1);
    st.last_probe_us = s.col_int(2);
  }
  {
    Stmt s(db, "SELECT service, count(*) FROM probes GROUP BY service");
    while (s.step()) st.probes_by_service[s.col_text(0)] = s.col_int(1);
  }
  {
    Stmt s(db, "SELECT count(DISTINCT src) FROM probes");
    s.step();
    st.source_ips = s.col_int(0);
  }
  {
    Stmt s(db, "SELECT count(*) FROM captures");
    s.step();
    st.captures = s.col_int(0);
  }
  {
    Stmt s(db, "SELECT count(*), count(DISTINCT ip) FROM scanners");
    s.step();
    st.scanner_rows = s.col_int(0);
    st.scanner_ips = s.col_int(1);
  }
  {
    Stmt s(db, "SELECT DISTINCT window_start FROM scanners ORDER BY window_start");
    while (s.step()) st.windows.push_back(s.col_int(0));
  }
  std::map<std::string, DbStats::Org> orgs;
  {
    Stmt s(db, "SELECT org, count(*), count(DISTINCT ip) FROM scanners GROUP BY org");
    while (s.step()) orgs[s.col_text(0)] = {s.col_text(0), 0, s.col_int(1), s.col_int(2)};
  }
  if (!st.windows.empty()) {
    Stmt s(db, "SELECT org, count(*) FROM scanners WHERE window_start = ? GROUP BY org");
    s.bind(1, st.windows.back());
    while (s.step()) orgs[s.col_text(0)].ips = s.col_int(1);
  }
  for (auto& [name, o] : orgs) st.orgs.push_back(o);
  std::stable_sort(st.orgs.begin(), st.orgs.end(),
                   [](const auto& a, const auto& b) { return a.ips != b.ips ? a.ips > b.ips : a.all_ips > b.all_ips; });
  return st;
}

}  // namespace sg
