// Read queries over the scanner database for the commands that answer questions about ips, organisations
// and fingerprints (`lookup`, `serve`): what an ip's probes were, which lists name it, which ips an
// organisation has, which ips sent a fingerprint, and the database's totals. Every query is bounded (an
// index range, a LIMIT) or says where it is not; none writes.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "storage/db.h"

namespace sg {

// The probes stored for one ip.
struct IpProbeSummary {
  std::map<std::string, int64_t> per_service;
  int64_t first_us = 0, last_us = 0, total = 0;
};
IpProbeSummary ip_probe_summary(Db& db, const std::string& ip);

// The organisation the label lists give an ip's probes: one entry per (org, sources), most probes first.
struct IpLabel {
  std::string org;
  int64_t probes = 0;
  std::string sources;  // the lists, joined with '+'
};
std::vector<IpLabel> ip_labels(Db& db, const std::string& ip);

// Both of the above from one pass over the ip's index entries (`serve` asks for both on every lookup).
struct IpProbesAndLabels {
  IpProbeSummary summary;
  std::vector<IpLabel> labels;
};
IpProbesAndLabels ip_probes_and_labels(Db& db, const std::string& ip);

// The stored JSON of an ip's latest probes, newest first, at most `limit` (each text valid during its call).
void for_each_latest_probe(Db& db, const std::string& ip, int64_t limit,
                           const std::function<void(std::string_view json)>& fn);

// The distinct ips the scanner table or the probes hold whose text lies in [lo, hi) (byte order, the
// canonical text: both indexed), ascending. An empty `hi` means no upper bound. The caller narrows a
// prefix to the text range its addresses share and filters the candidates exactly.
void for_each_ip_in_text_range(Db& db, const std::string& lo, const std::string& hi,
                               const std::function<bool(const std::string& ip)>& fn);

// One ip of an organisation: the windows whose rows name it.
struct OrgIp {
  std::string ip;
  int64_t windows = 0;
  int64_t first_window_us = 0, last_window_us = 0;
  int64_t first_seen_us = 0, last_seen_us = 0;
  int64_t probes = 0;
  double confidence = 0;      // the highest of its rows
  std::string evidence_kind;  // of its latest row
};
struct Page {
  int64_t limit = 100, offset = 0;
};
// The ips some row names `org` for, by ip; `total` gets how many there are.
std::vector<OrgIp> org_ips(Db& db, const std::string& org, const Page& page, int64_t* total);

// Per window: how many ips the rows name `org` for and their probes, ascending.
struct WindowCount {
  int64_t window_start_us = 0, ips = 0, probes = 0;
};
std::vector<WindowCount> org_weekly(Db& db, const std::string& org);

// The evidence JSON of the latest `limit` rows naming `org`, newest first.
void for_each_org_evidence(Db& db, const std::string& org, int64_t limit,
                           const std::function<void(const std::string& evidence)>& fn);

// The ips whose probes carry `value` in one field of their stored JSON (a JSON path such as '$.tls.ja4'),
// among the probes of `service`. contains: a substring rather than the whole value. This reads every probe
// of the service: it is as fast as a scan of them.
struct FingerprintIp {
  std::string ip;
  int64_t probes = 0, first_us = 0, last_us = 0;
};
std::vector<FingerprintIp> ips_with_fingerprint(Db& db, const std::string& service, const std::string& json_path,
                                                const std::string& value, bool contains, const Page& page,
                                                int64_t* total);

// The latest scanner row's decision for an ip, if it has one.
struct LatestDecision {
  std::string org, evidence_kind;
  double confidence = 0;
  int64_t window_start_us = 0, windows = 0;
};
std::optional<LatestDecision> latest_decision(Db& db, const std::string& ip);

// Totals for a front page.
struct DbStats {
  int64_t probes = 0, source_ips = 0, captures = 0, first_probe_us = 0, last_probe_us = 0;
  int64_t scanner_rows = 0, scanner_ips = 0;
  std::vector<int64_t> windows;  // window starts with rows, ascending
  struct Org {
    std::string org;
    int64_t ips = 0;                // in the latest window
    int64_t rows = 0, all_ips = 0;  // over every window
  };
  std::vector<Org> orgs;  // most ips in the latest window first
  std::map<std::string, int64_t> probes_by_service;
};
DbStats db_stats(Db& db);

}  // namespace sg
