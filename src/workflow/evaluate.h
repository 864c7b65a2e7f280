// evaluate: how right the scanner database is where labels say who an ip is (docs/METHOD.md). Scanner level:
// each (window, ip) row against the ip's label in that window — evaluation-unknown organisations, and
// organisations the ensemble never saw in training, count as the single class "unknown"; ips without any
// label are not scored (their truth is unknown). Probe level: the predictions each window was attributed
// with (probe_scores, frozen by identify) against the probe labels, with the same rules over the classes of
// the model that made them. Both levels judge a row by the models that scored it, never by later ones.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "aggregate/metrics.h"
#include "aggregate/window.h"
#include "storage/db.h"

namespace sg::workflow {

// The organisation behind every simulated session (simulate's truth.tsv, whose times are the capture's). A
// probe finds its session by 5-tuple and the nearest time within ProbeStore::kSameSessionUs, the window in
// which the store takes two sources' probes for one session: a log stamps a record with another packet's time
// than the capture's first payload (EVE: the packet that completed the record), so an exact time would judge
// only the log probes that happen to share it.
class TruthIndex {
 public:
  void add(int64_t ts_us, std::string_view src, int64_t sport, std::string_view dst, int64_t dport,
           std::string_view transport, std::string org);
  // The organisation of the session, or nullptr when the truth has none near that time.
  const std::string* find(int64_t ts_us, std::string_view src, int64_t sport, std::string_view dst, int64_t dport,
                          std::string_view transport) const;
  size_t size() const { return sessions_; }

 private:
  std::unordered_map<std::string, std::map<int64_t, std::string>> by_flow_;  // 5-tuple → time → organisation
  size_t sessions_ = 0;
};

// Names judged against the truth of every scanner, labelled or not.
struct NameCounts {
  size_t rows = 0;  // scanners whose truth is known
  size_t named = 0, named_right = 0;
  size_t no_org = 0;        // scanners of no organisation the method knows (unattributed population,
                            // evaluation-unknown and unlisted organisations)
  size_t no_org_named = 0;  // ... that got a name anyway: false attributions
  double false_attribution() const { return no_org ? double(no_org_named) / double(no_org) : 0; }
  double precision() const { return named ? double(named_right) / double(named) : 0; }
};

// Names binned by their confidence against how often they are right.
struct ReliabilityBin {
  double lo = 0, hi = 0;
  size_t names = 0, judged = 0, right = 0;  // judged: names whose truth (or label) is known
};

struct Evaluation {
  int64_t from_us = 0, to_us = 0;
  aggregate::Scores scanners;
  std::map<std::string, aggregate::Scores> probes;             // per service: the learned model's frozen probe scores
  size_t unlabelled_scanners = 0;                              // rows without a label, not scored
  size_t unlabelled_named = 0, baseline_unlabelled_named = 0;  // ... that the model / the baseline named
  std::string ensemble;                                        // the ensemble(s) that scored the rows, comma-separated
  std::string method;  // evidence kinds → "evidence" or "iomatch" (or both, comma-separated)
  // The exact-match baseline (attribute/baseline.h) on exactly the same rows and probes.
  aggregate::Scores baseline;
  std::map<std::string, aggregate::Scores> baseline_probes, evidence_probes;
  bool has_truth = false;
  NameCounts names, baseline_names, ceiling_names;
  // With the truth: what a method that knew every payload's true senders in the test range would get (each
  // payload key → its majority true organisation, then the per-ip vote): the scenario's ceiling.
  aggregate::Scores ceiling;
  std::vector<ReliabilityBin> reliability;
  std::string judged_by;  // "truth" or "labels"
};

// Whether the range has scores to evaluate (identify wrote scanner rows for its whole windows): without
// them an evaluation is empty tables that read like a model that named nobody.
bool has_scanner_rows(Db& db, const aggregate::Windows& w, int64_t from_us, int64_t to_us);

// truth: when given, also the false-attribution rate and the precision of all names over every scanner.
Evaluation evaluate(Db& db, const aggregate::Windows& w, int64_t from_us, int64_t to_us,
                    const TruthIndex* truth = nullptr);

// Machine-readable form (also stored in the evaluations table for the report).
std::string evaluation_json(const Evaluation& e, int min_support);
// A table for people; classes with support under `min_support` hidden (averages over all classes).
std::string evaluation_table(const Evaluation& e, int min_support);

// Keeps the evaluation so the report can show it (one row per range and ensemble, replaced on rerun).
void store_evaluation(Db& db, const Evaluation& e);

}  // namespace sg::workflow
