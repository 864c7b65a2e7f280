// `export`: the scanner database for other tools — JSON Lines / CSV rows (with history), a MISP feed
// with warninglists, or a STIX 2.1 bundle.
#include <fmt/format.h>

#include <filesystem>
#include <iostream>
#include <sstream>

#include "cli/commands.h"
#include "cli/common.h"
#include "util/atomic_file.h"
#include "serve/scanner_export.h"
#include "storage/probe_store.h"
#include "storage/scanner_store.h"

namespace sg::cli {

namespace {

struct ExportArgs {
  std::string db, format = "jsonl", out, from, to, org, tlp = "green";
  serve::NameFilter names;
};

void run_export(const ExportArgs& a) {
  if (!std::filesystem::exists(a.db)) throw std::runtime_error(fmt::format("{}: no such database", a.db));
  ProbeStore store(a.db, Access::read_only);
  ScannerStore scanners(store.db());
  ScannerQuery q;
  if (!a.from.empty()) q.from_us = parse_date_us(a.from);
  if (!a.to.empty()) q.to_us = parse_date_us(a.to);
  if (!a.org.empty()) q.org = a.org;
  auto rows = scanners.rows(q);
  std::erase_if(rows, [&](const ScannerRow& r) { return !a.names.keeps(r); });
  if (rows.empty()) fmt::print(stderr, "export: no scanner rows in {} for this selection (run identify first)\n", a.db);

  const serve::Tlp tlp = serve::parse_tlp(a.tlp);
  if (a.format == "misp") {
    if (a.out.empty() || a.out == "-")
      throw CLI::ValidationError("--out", "--format misp writes a feed folder: give --out DIR");
    const std::filesystem::path dir(a.out);
    auto feed = serve::misp_feed(rows, a.names, tlp);
    std::filesystem::create_directories(dir);
    for (const auto& [file, text] : feed.events) write_text_atomically((dir / file).string(), text + "\n");
    for (const auto& [name, text] : feed.warninglists) {
      std::filesystem::create_directories(dir / "lists" / name);
      write_text_atomically((dir / "lists" / name / "list.json").string(), text + "\n");
    }
    // The index last: a MISP that polls mid-export sees the previous feed or this one whole.
    write_text_atomically((dir / "hashes.csv").string(), feed.hashes);
    write_text_atomically((dir / "manifest.json").string(), feed.manifest + "\n");
    fmt::print(stderr, "export: MISP feed of {} event(s) and {} warninglist(s) written to {}\n", feed.events.size(),
               feed.warninglists.size(), a.out);
    return;
  }
  std::ostringstream text;
  if (a.format == "jsonl") {
    serve::write_jsonl(rows, text);
  } else if (a.format == "csv") {
    serve::write_csv(rows, text);
  } else {
    const auto history = scanners.rows({});  // every window, for each object's creation time
    text << serve::stix_bundle(rows, a.names, &history, tlp) << '\n';
  }
  if (a.out.empty() || a.out == "-") {
    write_stdout(text.str());
  } else {
    write_text_atomically(a.out, text.str());
    fmt::print(stderr, "export: {} rows as {} written to {}\n", rows.size(), a.format, a.out);
  }
}

}  // namespace

void add_export(CLI::App& app) {
  auto args = std::make_shared<ExportArgs>();
  auto* cmd = app.add_subcommand("export", "Export the scanner database (JSON Lines, CSV, MISP, STIX 2.1)");
  cmd->footer(
      "Export the scanner database. jsonl and csv give every (window, ip) row, history included. misp writes\n"
      "a MISP feed folder (manifest.json, hashes.csv, one event per organisation and week with its ips as\n"
      "ip-src attributes) that MISP can subscribe to, plus lists/<name>/list.json warninglists (each ip's\n"
      "latest name). stix gives one STIX 2.1 bundle: per organisation an identity with its display name,\n"
      "per ip its address observable, an indicator valid for the week that named it, a relationship to the\n"
      "organisation, and the week's observed-data and sighting, all marked with --tlp. Unknown ips are left\n"
      "out of misp and stix. Every name says its confidence and evidence kind (STIX indicator confidence and\n"
      "description, MISP attribute comment and tag); names under --min-confidence are left out, and so are\n"
      "names resting only on public-tool payloads unless --public-tool.\n"
      "Examples:\n"
      "  scannergrouper export --db scanners.db --format stix --out scanners.stix.json\n"
      "  scannergrouper export --db scanners.db --format misp --out misp/\n"
      "  scannergrouper export --db scanners.db --format csv --from 2025-01-01 --org shodan");
  cmd->add_option("--db", args->db, "scanner database")->required();
  cmd->add_option("--format", args->format, "jsonl | csv | misp | stix")
      ->check(CLI::IsMember({"jsonl", "csv", "misp", "stix"}));
  cmd->add_option("--out", args->out, "output file (default, or -: standard output); a directory for misp");
  cmd->add_option("--from", args->from, "windows starting at or after this date (YYYY-MM-DD or RFC 3339)");
  cmd->add_option("--to", args->to, "windows starting before this date");
  cmd->add_option("--org", args->org, "only this organisation");
  cmd->add_option("--min-confidence", args->names.min_confidence,
                  "leave out names whose confidence is lower (0-1; a confidence p means such names were right "
                  "about p of the time on the training weeks)")
      ->check(CLI::Range(0.0, 1.0))->capture_default_str();
  cmd->add_option("--tlp", args->tlp, "Traffic Light Protocol marking of the STIX objects and MISP events: white "
                                      "(or clear), green, amber, red")
      ->check(CLI::IsMember({"white", "clear", "green", "amber", "red"}))
      ->capture_default_str();
  cmd->add_flag("--public-tool", args->names.public_tool,
                "also export names that rest only on payloads public tools send too");
  cmd->callback([args] { run_export(*args); });
}

}  // namespace sg::cli
