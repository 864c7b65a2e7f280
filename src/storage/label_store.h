// The label tables of the scanner database and every query on them (the labels module decides what goes in,
// the feature stage reads probe_labels):
//   label_imports   one row per imported file (content hash + options = the idempotence key)
//   label_entries   the prefixes each import contributed (org canonical, period as [from, to) µs, NULL = open)
//   label_refusals  rows an import could not use, by line and reason
//   probe_labels    the label of each labelled probe (org, and the sources that agreed)
//   meta            the labels' settings (labels.schema, labels.eval_unknown, labels.policy, ...)
// Nothing here opens a transaction: the caller holds one around a whole import or relabel run.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "storage/db.h"

namespace sg {

class Stmt;

// meta and probe_labels: what readers of the labels need (a read-only connection gets TEMP tables).
void ensure_probe_label_tables(Db& db);
// Every label table: meta, the imported lists and probe_labels.
void ensure_label_tables(Db& db);

// A meta value; the table must exist.
std::optional<std::string> label_meta(Db& db, const std::string& key);
void set_label_meta(Db& db, const std::string& key, const std::string& value);
// A meta value of a database that may have no meta table (nothing is created then): nullopt.
std::optional<std::string> label_meta_if_present(Db& db, const std::string& key);

struct LabelImportRow {
  int64_t id = 0;  // set when read
  std::string key, path, format, source;
  int64_t entries = 0, refused = 0, unlabelled = 0;
};

struct LabelEntryRow {
  std::string prefix;  // CIDR text
  std::string org, source;
  std::optional<int64_t> valid_from, valid_to;  // µs; nullopt: open
};

struct LabelRefusalRow {
  std::string path;  // of the import
  int64_t line = 0;
  std::string reason;
};

// The path of the import stored under this key.
std::optional<std::string> label_import_path(Db& db, const std::string& key);

// Writes one import: the row (any earlier import of the same path goes, its entries and refusals with it),
// then its entries and refusals.
class LabelImportWriter {
 public:
  LabelImportWriter(Db& db, const LabelImportRow& row);
  ~LabelImportWriter();
  int64_t id() const { return id_; }
  bool replaced() const { return replaced_; }  // an earlier import of the path was deleted
  void add_entry(const LabelEntryRow& e);
  void add_refusal(int64_t line, const std::string& reason);

 private:
  bool replaced_;
  int64_t id_;
  std::unique_ptr<Stmt> entry_, refusal_;  // storage/sqlite.h
};

void for_each_label_entry(Db& db, const std::function<void(const LabelEntryRow&)>& fn);
std::vector<LabelImportRow> label_imports(Db& db);  // ordered by path
// label_entries grouped by org or source (any other column name counts by org).
std::map<std::string, int64_t> label_entry_counts(Db& db, const std::string& column);
void for_each_label_refusal_reason(Db& db, const std::function<void(const std::string& reason)>& fn);
std::vector<LabelRefusalRow> label_refusals(Db& db, size_t limit);  // ordered by path, line
std::map<std::string, int64_t> probe_label_counts(Db& db);          // probes per org

// probe_labels rows with probe_id > after_id: probe id → (org, source).
std::unordered_map<int64_t, std::pair<std::string, std::string>> probe_labels_after(Db& db, int64_t after_id);
// Probes with id > after_id in id order: (id, source address, ts_us).
void for_each_probe_source(Db& db, int64_t after_id,
                           const std::function<void(int64_t id, const std::string& src, int64_t ts_us)>& fn);
// Distinct source addresses of probes without a label, ascending, at most `limit`.
std::vector<std::string> unlabelled_sources(Db& db, size_t limit);
int64_t highest_probe_id(Db& db);  // 0 when there are none

// Upserts and deletes probe_labels rows with statements prepared once for a whole relabel run.
class ProbeLabelWriter {
 public:
  explicit ProbeLabelWriter(Db& db);
  ~ProbeLabelWriter();
  void put(int64_t probe_id, const std::string& org, const std::string& source);
  void remove(int64_t probe_id);

 private:
  std::unique_ptr<Stmt> up_, del_;  // storage/sqlite.h
};

// The evaluation-unknown organisations: those evaluation treats as the class "unknown" and training as
// unlabelled (meta labels.eval_unknown, comma-separated; censys and driftnet when unset). Names trimmed and
// lower-cased, empty ones dropped: the one reading of the setting for every stage.
constexpr const char* kEvalUnknownKey = "labels.eval_unknown";
constexpr const char* kDefaultEvalUnknown = "censys,driftnet";
std::vector<std::string> eval_unknown_setting(Db& db);

}  // namespace sg
