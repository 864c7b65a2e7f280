// The scanner database: one row per (window, ip) with the organisation the ensemble chose, its probability,
// the per-service votes and the evidence an analyst checks the call against. History is kept: every
// window has its own rows, and scoring a window again replaces exactly that window's rows in one
// transaction, so a rerun never duplicates and a crash never leaves half a window.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "storage/db.h"

namespace sg {

struct ScannerRow {
  int64_t window_start = 0, window_end = 0;
  std::string ip;
  std::string org;  // an organisation, or "unknown"
  double probability = 0;
  std::string votes;  // JSON object service → voted class name (null when the service is absent)
  int64_t first_seen_us = 0, last_seen_us = 0;
  std::string services;  // comma-separated, in the order http,tls,dns,ssh,rdp,syn,other
  int64_t probes = 0;
  std::string evidence;  // JSON object: user_agents, ja3_hashes, ja4s, qnames, ... with counts
  std::string model_version;
  // How far the name can be trusted: the share of such names that were right when measured on the training
  // windows (for "unknown", the confidence that no known organisation sent it), the kind of evidence (on
  // the ladder exact-payload, near-payload, learned; public-tool, weak, no-match for unknown) and one line
  // saying why.
  double confidence = 0;
  std::string evidence_kind = "learned";
  std::string reason;
};

struct ScannerQuery {
  std::optional<int64_t> from_us, to_us;  // windows starting in [from, to)
  std::optional<std::string> org;
  std::optional<std::string> ip;
};

class ScannerStore {
 public:
  explicit ScannerStore(Db& db);

  // Replaces every row of the window [start, end) with `rows` atomically; returns rows written.
  size_t replace_window(int64_t start, int64_t end, const std::vector<ScannerRow>& rows);
  void for_each(const ScannerQuery& q, const std::function<void(const ScannerRow&)>& fn);
  std::vector<ScannerRow> rows(const ScannerQuery& q);
  // Whether any row matches, without reading them.
  bool any(const ScannerQuery& q);
  // Window starts that have rows, ascending.
  std::vector<int64_t> windows();

 private:
  Db& db_;
  const char* columns_;  // what for_each selects (a read-only database from before confidences has no such columns)
};

}  // namespace sg
