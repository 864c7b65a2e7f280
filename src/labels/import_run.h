// One `labels import` run: walk the named files and folders, parse each list, store what changed, then
// relabel the probes already in the database — all in one transaction, so a failed run leaves the labels
// as they were. A file whose content and options were imported before is skipped (idempotent).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "labels/importers.h"
#include "labels/label_store.h"
#include "labels/policy.h"
#include "storage/db.h"

namespace sg::labels {

struct ImportRequest {
  std::vector<std::string> paths;
  ImportOptions options;  // source/source_forced: --source; aliases/rules set by run_import
  std::optional<std::string> aliases_file, rules_file;
  std::optional<std::vector<std::string>> eval_unknown;
  std::optional<Policy> policy;
  bool ptr_table = false;
  // Reverse-resolve the sources of unlabelled probes (at most rdns_max addresses) and import the names the
  // rDNS rules match, as source `rdns-live` (undated, like any list's present state). Runs before the
  // write transaction so slow resolvers never hold the database lock.
  bool rdns_live = false;
  size_t rdns_max = 10000;
};

enum class FileStatus { imported, replaced, unchanged, duplicate, not_a_list };
const char* to_string(FileStatus s);

struct FileOutcome {
  std::string path;
  FileStatus status = FileStatus::imported;
  ParsedList list;      // entries/refusals of this file (empty when unchanged or a duplicate)
  std::string same_as;  // duplicate: the path imported earlier with the same content and options
};

struct ImportReport {
  std::vector<FileOutcome> files;
  size_t rdns_resolved = 0, rdns_matched = 0;  // live reverse lookups: names found, names a rule matched
  RelabelStats relabel;
  double seconds = 0;
};

ImportReport run_import(Db& db, const ImportRequest& req);

// The alias table and rDNS rules in force for a database: the ones stored with it by an import that gave
// --aliases / --rdns-rules, else the built-in ones.
Aliases stored_aliases(LabelStore& store);
RdnsRules stored_rules(LabelStore& store);

// Label probes with id > after_id with the stored entries and policy (what `ingest` calls after adding
// probes). Opens its own transaction.
RelabelStats label_new_probes(Db& db, int64_t after_id);
int64_t max_probe_id(Db& db);  // 0 when there are none

// Files under a path (the path itself when it is a file), sorted, hidden ones skipped. Throws
// std::runtime_error when the path does not exist.
std::vector<std::string> list_files(const std::string& path);

}  // namespace sg::labels
