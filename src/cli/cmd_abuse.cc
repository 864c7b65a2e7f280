// `abuse import`: AbuseIPDB check results for the report's abuse view.
#include <fmt/format.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli/commands.h"
#include "cli/common.h"
#include "intel/abuse.h"
#include "storage/probe_store.h"
#include "util/terminal.h"
#include "util/time.h"

namespace sg::cli {

namespace {

struct AbuseArgs {
  std::string db;
  std::vector<std::string> files;
  std::string format = "table";
  size_t show_skips = 10;
};

constexpr uintmax_t kMaxFile = 512ull << 20;

std::string read_all(const std::string& path) {
  std::error_code ec;
  auto size = std::filesystem::file_size(path, ec);
  if (ec) throw std::runtime_error(fmt::format("{}: cannot read: {}", path, ec.message()));
  if (size > kMaxFile) throw std::runtime_error(fmt::format("{}: larger than 512 MiB, not a check file", path));
  std::ifstream f(path, std::ios::binary);
  std::ostringstream s;
  s << f.rdbuf();
  return s.str();
}

void run_import(const AbuseArgs& a) {
  std::vector<intel::AbuseCheck> checks;
  size_t skipped = 0;
  for (const auto& path : a.files) {
    auto r = intel::parse_abuse_checks(read_all(path), path);
    for (const auto& s : r.skips) {
      if (skipped++ < a.show_skips)
        fmt::print(stderr, "skip: {}{}: {}\n", term_safe(s.file), s.line ? fmt::format(":{}", s.line) : "",
                   term_safe(s.reason));  // reasons may quote the file
    }
    checks.insert(checks.end(), r.checks.begin(), r.checks.end());
  }
  if (skipped > a.show_skips) fmt::print(stderr, "skip: ... {} more\n", skipped - a.show_skips);
  ProbeStore store(a.db);
  auto now = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
                 .count();
  auto r = intel::import_abuse_checks(store.db(), checks, format_ts(now));
  size_t abusive = 0;
  for (const auto& c : checks) abusive += c.score >= intel::kAbusiveScore;
  if (a.format == "json") {
    print_json(nlohmann::json{{"checks", checks.size()},
                              {"files", a.files.size()},
                              {"abusive", abusive},
                              {"abusive_score", intel::kAbusiveScore},
                              {"skipped", skipped},
                              {"added", r.added},
                              {"updated", r.changed},
                              {"unchanged", r.unchanged}});
    return;
  }
  fmt::print(
      "{} checks read from {} files ({} with abuseConfidenceScore >= {}), {} skipped; {} new, {} updated, "
      "{} unchanged\n",
      checks.size(), a.files.size(), abusive, intel::kAbusiveScore, skipped, r.added, r.changed, r.unchanged);
}

}  // namespace

void add_abuse(CLI::App& app) {
  auto* cmd = app.add_subcommand("abuse", "AbuseIPDB reports for scanner ips (the report's abuse view)");
  cmd->require_subcommand(1);
  auto a = std::make_shared<AbuseArgs>();
  auto* imp = cmd->add_subcommand("import", "Import AbuseIPDB /check results");
  imp->footer(
      "Reads AbuseIPDB /check responses ({\"data\":{\"ipAddress\":..., \"abuseConfidenceScore\":...}}): one object\n"
      "per file, a JSON array of them, or JSON Lines. The latest check per ip is kept (table abuse_reports);\n"
      "re-importing the same checks changes nothing. Records without an ip address or a 0..100 score are\n"
      "skipped and named (file:line; also under -q). The report counts an ip as abusive at a score of 25 or more.\n"
      "--format json prints the counts as one JSON object.\n"
      "Example: scannergrouper abuse import --db scanners.db checks/*.json");
  imp->add_option("--db", a->db, fmt::format("the scannergrouper database {}", kDbHelp))
      ->required()
      ->check(kExistingDb);
  imp->add_option("files", a->files, "check result files")->required()->check(CLI::ExistingFile);
  imp->add_option("--show-skips", a->show_skips, "how many skipped records to name")->capture_default_str();
  add_format_option(imp, a->format, {"table", "json"}, "table (one line) or json (one object)");
  imp->callback([a] { run_import(*a); });
}

}  // namespace sg::cli
