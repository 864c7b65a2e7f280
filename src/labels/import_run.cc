#include "labels/import_run.h"

#include <fmt/format.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "storage/label_store.h"
#include "util/hash.h"

namespace fs = std::filesystem;

namespace sg::labels {

const char* to_string(FileStatus s) {
  switch (s) {
    case FileStatus::imported:
      return "imported";
    case FileStatus::replaced:
      return "replaced";
    case FileStatus::unchanged:
      return "unchanged";
    case FileStatus::duplicate:
      return "duplicate";
    case FileStatus::not_a_list:
      return "not a list";
  }
  return "";
}

namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(fmt::format("{}: cannot read", path));
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Default source: the first folder below the named directory (one published list per folder), or the
// file's own name when it sits directly in it or was named itself.
std::string derive_source(const fs::path& root, const fs::path& file) {
  if (fs::is_directory(root)) {
    auto rel = fs::relative(file, root);
    if (std::distance(rel.begin(), rel.end()) > 1) return rel.begin()->string();
  }
  return file.stem().string();
}

std::string options_key(const ImportOptions& o, const std::string& aliases, const std::string& rules) {
  return fmt::format("org={}|source={}|forced={}|period={}|force={}|ptr={}|aliases={}|rules={}", o.org, o.source,
                     o.source_forced, o.period ? format_period(*o.period) : "-", o.force, o.ptr_table,
                     sha256_hex(aliases), sha256_hex(rules));
}

}  // namespace

std::vector<std::string> list_files(const std::string& path) {
  std::vector<std::string> out;
  if (!fs::exists(path)) throw std::runtime_error(fmt::format("{}: no such file or directory", path));
  if (!fs::is_directory(path)) return {path};
  for (auto it = fs::recursive_directory_iterator(path, fs::directory_options::skip_permission_denied);
       it != fs::recursive_directory_iterator(); ++it) {
    std::string name = it->path().filename().string();
    if (!name.empty() && name[0] == '.') {
      if (it->is_directory()) it.disable_recursion_pending();
      continue;
    }
    if (it->is_regular_file()) out.push_back(it->path().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

Aliases stored_aliases(LabelStore& store) {
  std::string text = store.meta("labels.aliases", "");
  return text.empty() ? Aliases::builtin() : Aliases::parse(text, "stored alias table");
}

RdnsRules stored_rules(LabelStore& store) {
  std::string text = store.meta("labels.rdns_rules", "");
  return text.empty() ? RdnsRules::builtin() : RdnsRules::parse(text, "stored rDNS rules");
}

// `ip,ptr-name` CSV text for the sources of unlabelled probes that have a PTR name.
std::string resolve_unlabelled(Db& db, size_t max, ImportReport& report) {
  LabelStore store(db);  // the tables must exist for the query
  std::vector<std::string> ips = unlabelled_sources(db, max);
  std::string csv;
  for (const auto& ip : ips)
    if (auto name = reverse_lookup(ip)) {
      ++report.rdns_resolved;
      csv += ip + "," + *name + "\n";
    }
  return csv;
}

ImportReport run_import(Db& db, const ImportRequest& req) {
  auto t0 = std::chrono::steady_clock::now();
  ImportReport report;
  std::string live_ptr;
  if (req.rdns_live) live_ptr = resolve_unlabelled(db, req.rdns_max, report);
  Transaction tx(db);
  LabelStore store(db);
  if (req.aliases_file) {
    std::string text = read_file(*req.aliases_file);
    Aliases::parse(text, *req.aliases_file);  // validate before storing
    store.set_meta("labels.aliases", text);
  }
  if (req.rules_file) {
    std::string text = read_file(*req.rules_file);
    RdnsRules::parse(text, *req.rules_file);
    store.set_meta("labels.rdns_rules", text);
  }
  if (req.eval_unknown)
    store.set_eval_unknown(*req.eval_unknown);
  else if (store.meta("labels.eval_unknown", "").empty())
    store.set_meta(kEvalUnknownKey, kDefaultEvalUnknown);  // stored with the labels it applies to
  if (req.policy) store.set_policy(*req.policy);
  Aliases aliases = stored_aliases(store);
  RdnsRules rules = stored_rules(store);
  for (const auto& root : req.paths) {
    for (const auto& file : list_files(root)) {
      ImportOptions opt = req.options;
      opt.aliases = &aliases;
      opt.rules = &rules;
      opt.ptr_table = req.ptr_table;
      if (!opt.source_forced) opt.source = derive_source(root, file);
      std::string content = read_file(file);
      std::string abs = fs::weakly_canonical(fs::absolute(file)).string();
      std::string key = sha256_hex(sha256_hex(content) + "\n" + options_key(opt, aliases.text(), rules.text()));
      FileOutcome out;
      out.path = file;
      if (auto earlier = store.import_path(key)) {
        out.status = *earlier == abs ? FileStatus::unchanged : FileStatus::duplicate;
        out.same_as = *earlier;
      } else {
        out.list = parse_list(file, content, opt);
        if (!out.list.skip_reason.empty()) {
          if (!fs::is_directory(root)) throw std::runtime_error(fmt::format("{}: {}", file, out.list.skip_reason));
          out.status = FileStatus::not_a_list;
        } else {
          out.status = store.save_import(key, abs, out.list).second ? FileStatus::replaced : FileStatus::imported;
        }
      }
      report.files.push_back(std::move(out));
    }
  }
  if (req.rdns_live) {
    ImportOptions opt = req.options;
    opt.aliases = &aliases;
    opt.rules = &rules;
    opt.ptr_table = true;
    opt.source = "rdns-live";
    opt.source_forced = true;
    FileOutcome out;
    out.path = "rdns-live";
    out.list = parse_list(out.path, live_ptr.empty() ? "" : "ip,name\n" + live_ptr, opt);
    out.list.format = Format::ptr_csv;
    out.list.skip_reason.clear();  // no names resolved is an empty result, not a bad file
    report.rdns_matched = out.list.entries.size();
    std::string key = sha256_hex("rdns-live\n" + live_ptr + options_key(opt, aliases.text(), rules.text()));
    // Each run adds to what earlier runs found: keyed by its own results, under its own path.
    if (!out.list.entries.empty() && !store.import_path(key))
      store.save_import(key, "rdns-live:" + key.substr(0, 16), out.list);
    report.files.push_back(std::move(out));
  }
  report.relabel = store.relabel(store.load_index(), store.policy());
  tx.commit();
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return report;
}

int64_t max_probe_id(Db& db) { return highest_probe_id(db); }

RelabelStats label_new_probes(Db& db, int64_t after_id) {
  Transaction tx(db);
  LabelStore store(db);
  RelabelStats st = store.relabel(store.load_index(), store.policy(), after_id);
  tx.commit();
  return st;
}

}  // namespace sg::labels
