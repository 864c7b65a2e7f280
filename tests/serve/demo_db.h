// A scanner database from the demo, built once per test process the way an analyst builds one: the demo
// simulated, ingested with one extra capture whose user agent is hostile markup, labels imported, fields
// selected; then the scanner rows of the evidence method (identify --method evidence without the
// ensemble, which needs libtorch): payload evidence counted before 2025-01-13, the two weeks after it
// attributed, each row with the facts identify gives it (first/last seen, services, probes, evidence).
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "aggregate/evidence.h"
#include "aggregate/window.h"
#include "attribute/evidence.h"
#include "features/labels.h"
#include "storage/probe_store.h"
#include "storage/scanner_store.h"
#include "storage/sqlite.h"
#include "support/cli_run.h"
#include "support/frames.h"

namespace sgtest {

struct DemoDb {
  std::string dir, db;
  std::string error;  // why it could not be built
  // The ip whose user agent is hostile markup, and that user agent.
  static constexpr const char* kHostileIp = "203.0.113.66";
  static constexpr const char* kHostileUa = "Mozilla/5.0 <script>alert(\"x\")</script> & 'q' \\ </td>\tend";
  static constexpr int64_t kCut = 1736726400000000;  // 2025-01-13
  static constexpr int64_t kEnd = 1737936000000000;  // 2025-01-27
};

inline void build_demo_db(DemoDb& d) {
  namespace fs = std::filesystem;
  d.dir = (fs::temp_directory_path() / ("sg_serve_demo_" + std::to_string(getpid()))).string();
  fs::remove_all(d.dir);
  fs::create_directories(d.dir);
  d.db = d.dir + "/demo.db";
  auto step = [&](const std::string& args) {
    auto r = run_cli(args);
    if (r.rc != 0 && d.error.empty()) d.error = args + "\n" + r.out;
    return r.rc == 0;
  };
  if (!step("simulate --scenario demo --out " + d.dir + "/cap/")) return;
  // The hostile capture: one HTTP request on 2025-01-21 whose User-Agent is markup and quotes.
  std::string req = std::string("GET /<b>x</b>?a=\"1\" HTTP/1.1\r\nHost: 192.0.2.1\r\nUser-Agent: ") +
                    DemoDb::kHostileUa + "\r\nAccept: */*\r\n\r\n";
  write_pcap(d.dir + "/hostile.pcap", 1,
             tcp_session(1737453600000000, {203, 0, 113, 66}, {192, 0, 2, 1}, 41000, 80, {req}));
  if (!step("ingest -q --db " + d.db + " --sensor-net 192.0.2.0/28 --sensor-net 2001:db8::/124 " + d.dir + "/cap/ " +
            d.dir + "/hostile.pcap"))
    return;
  if (!step("labels import -q --db " + d.db + " " + d.dir + "/cap/labels.tsv")) return;
  if (!step("select --db " + d.db + " --until 2025-01-13")) return;

  // The evidence method's rows, as identify writes them.
  sg::ProbeStore store(d.db);
  sg::Db& db = store.db();
  std::set<std::string> orgs;
  auto unknown = sg::features::eval_unknown_orgs(db);
  {
    sg::Stmt s(db, "SELECT DISTINCT org FROM probe_labels");
    while (s.step()) {
      auto k = sg::features::org_key(s.col_text(0));
      if (!unknown.count(k)) orgs.insert(k);
    }
  }
  std::vector<std::string> classes(orgs.begin(), orgs.end());
  sg::aggregate::Windows w;
  auto att = sg::attribute::Attributor::build(db, classes, DemoDb::kCut, w);
  struct Facts {
    int64_t first = INT64_MAX, last = INT64_MIN, probes = 0;
    std::set<std::string> services;
    sg::aggregate::Evidence ev;
  };
  std::map<std::pair<int64_t, std::string>, Facts> facts;
  {
    sg::Stmt s(db, "SELECT ts_us, src, service, json FROM probes WHERE ts_us >= ? AND ts_us < ? ORDER BY ts_us, id");
    s.bind(1, DemoDb::kCut).bind(2, DemoDb::kEnd);
    while (s.step()) {
      auto& f = facts[{w.start_of(s.col_int(0)), s.col_text(1)}];
      f.first = std::min(f.first, s.col_int(0));
      f.last = std::max(f.last, s.col_int(0));
      ++f.probes;
      f.services.insert(s.col_text(2));
      auto j = nlohmann::json::parse(s.col_text(3), nullptr, false);
      if (j.is_object()) f.ev.add_probe(j);
    }
  }
  std::map<int64_t, std::vector<sg::ScannerRow>> by_window;
  sg::attribute::WindowSenders senders;
  for (auto& wk : sg::attribute::window_keys(db, att, w, DemoDb::kCut, DemoDb::kEnd, &senders)) {
    auto dec = att.decide(wk, &senders);
    const auto& f = facts[{wk.window, wk.ip}];
    sg::ScannerRow r;
    r.window_start = wk.window;
    r.window_end = wk.window + w.length_us;
    r.ip = wk.ip;
    r.org = dec.cls < 0 ? "unknown" : att.classes()[size_t(dec.cls)];
    r.probability = dec.raw;
    r.confidence = dec.confidence;
    r.evidence_kind = sg::attribute::evidence_kind_name(dec.kind);
    r.reason = dec.reason;
    r.votes = "{}";
    r.first_seen_us = f.first;
    r.last_seen_us = f.last;
    for (const char* s : {"http", "tls", "dns", "ssh", "rdp", "syn", "other"})
      if (f.services.count(s)) r.services += (r.services.empty() ? "" : ",") + std::string(s);
    r.probes = f.probes;
    r.evidence = f.ev.to_json();
    r.model_version = "evidence-test";
    by_window[wk.window].push_back(std::move(r));
  }
  sg::ScannerStore scanners(db);
  for (auto& [win, rows] : by_window) scanners.replace_window(win, win + w.length_us, rows);
  if (by_window.size() != 2 && d.error.empty()) d.error = "expected rows in two weeks";
}

// The process's demo database (built on first use; removed when the process ends).
inline const DemoDb& demo_db() {
  static DemoDb d;
  static bool built = false;
  if (!built) {
    built = true;
    build_demo_db(d);
    // SG_KEEP_DEMO_DB=1 keeps it for a look (its path is printed).
    if (std::getenv("SG_KEEP_DEMO_DB"))
      std::fprintf(stderr, "demo database: %s\n", d.db.c_str());
    else
      std::atexit([] { std::filesystem::remove_all(d.dir); });
  }
  return d;
}

}  // namespace sgtest
