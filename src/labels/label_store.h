// The labels module's view of its tables (storage/label_store.h owns them and their queries): imports of
// parsed lists, the prefix index built from the stored entries, relabelling the probes under a policy, and the
// labels' settings in meta. Schema version lives in meta `labels.schema`; the probe store's user_version is
// left alone. No method opens a transaction: the caller holds one around a whole import or relabel run.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "labels/importers.h"
#include "labels/policy.h"
#include "labels/prefix_index.h"
#include "storage/db.h"

namespace sg::labels {

// The evaluation-unknown organisations (storage/label_store.h: eval_unknown_setting).
std::vector<std::string> eval_unknown(Db& db);

struct ImportRecord {
  int64_t id = 0;
  std::string path, format, source;
  int64_t entries = 0, refused = 0, unlabelled = 0;
};

struct RelabelStats {
  uint64_t probes = 0, labelled = 0, conflicts = 0, too_weak = 0;
  uint64_t added = 0, changed = 0, removed = 0;  // rows of probe_labels written
};

class LabelStore {
 public:
  static constexpr int kSchemaVersion = 1;
  explicit LabelStore(Db& db);

  // The path of the import stored under this key (a file imported with the same content and options).
  std::optional<std::string> import_path(const std::string& key);
  // Stores a parsed list; an earlier import of the same path (older content or options) is replaced.
  // Returns the new import id and whether something was replaced.
  std::pair<int64_t, bool> save_import(const std::string& key, const std::string& path, const ParsedList& list);

  PrefixIndex load_index();
  // Recomputes probe_labels for probes with id > after_id (0: all), writing only what changed.
  RelabelStats relabel(const PrefixIndex& index, const Policy& policy, int64_t after_id = 0);

  std::vector<ImportRecord> imports();
  std::map<std::string, int64_t> count_by(const char* column);          // label_entries grouped by org or source
  std::map<std::string, int64_t> refusal_reasons();                     // grouped by the reason's kind
  std::vector<std::pair<std::string, Refusal>> refusals(size_t limit);  // (path, refusal)
  std::map<std::string, int64_t> probe_label_counts();

  std::string meta(const std::string& key, const std::string& fallback);
  void set_meta(const std::string& key, const std::string& value);
  void set_eval_unknown(const std::vector<std::string>& orgs);
  Policy policy();
  void set_policy(const Policy& p);

 private:
  Db& db_;
};

}  // namespace sg::labels
