// `export`: the scanner database for other tools — JSON Lines / CSV rows (with history), a MISP feed
// with warninglists, or a STIX 2.1 bundle.
#include <fmt/format.h>

#include <filesystem>
#include <iostream>
#include <sstream>

#include "cli/commands.h"
#include "cli/common.h"
#include "intel/scanner_export.h"
#include "storage/probe_store.h"
#include "storage/scanner_store.h"
#include "util/atomic_file.h"
#include "util/terminal.h"
#include "util/verbosity.h"

namespace sg::cli {

namespace {

struct ExportArgs {
  std::string db, format = "jsonl", out, from, to, org, tlp = "green";
  intel::NameFilter names;
};

void run_export(const ExportArgs& a) {
  if (!database_exists(a.db)) throw std::runtime_error(fmt::format("{}: no such database", a.db));
  ProbeStore store(a.db, Access::read_only);
  ScannerStore scanners(store.db());
  ScannerQuery q;
  if (!a.from.empty()) q.from_us = parse_date_us(a.from);
  if (!a.to.empty()) q.to_us = parse_date_us(a.to);
  if (!a.org.empty()) q.org = a.org;
  auto rows = scanners.rows(q);
  std::erase_if(rows, [&](const ScannerRow& r) { return !a.names.keeps(r); });
  if (rows.empty() && chatty())
    fmt::print(stderr, "export: no scanner rows in {} for this selection (run identify first)\n", term_safe(a.db));

  const intel::Tlp tlp = intel::parse_tlp(a.tlp);
  if (a.format == "misp") {
    if (a.out.empty() || a.out == "-")
      throw CLI::ValidationError("--out", "--format misp writes a feed folder: give --out DIR");
    const auto feed = intel::misp_feed(rows, a.names, tlp);
    intel::write_misp_feed(feed, a.out);
    if (chatty())
      fmt::print(stderr, "export: MISP feed of {} event(s) and {} warninglist(s) written to {}\n", feed.events.size(),
                 feed.warninglists.size(), term_safe(a.out));
    return;
  }
  std::ostringstream text;
  if (a.format == "jsonl") {
    intel::write_jsonl(rows, text);
  } else if (a.format == "json") {
    intel::write_json(rows, text);
  } else if (a.format == "csv") {
    intel::write_csv(rows, text);
  } else {
    const auto history = scanners.rows({});  // every window, for each object's creation time
    text << intel::stix_bundle(rows, a.names, &history, tlp) << '\n';
  }
  if (a.out.empty() || a.out == "-") {
    write_stdout(text.str());
  } else {
    write_text_atomically(a.out, text.str());
    if (chatty()) fmt::print(stderr, "export: {} rows as {} written to {}\n", rows.size(), a.format, term_safe(a.out));
  }
}

}  // namespace

void add_export(CLI::App& app) {
  auto args = std::make_shared<ExportArgs>();
  auto* cmd = app.add_subcommand("export", "Export the scanner database (JSON Lines, CSV, MISP, STIX 2.1)");
  cmd->footer(
      "Export the scanner database. jsonl, json (one array) and csv give every (window, ip) row, history\n"
      "included. misp writes a MISP feed folder (manifest.json, hashes.csv, one event per organisation and\n"
      "week with its ips as ip-src attributes) that MISP can subscribe to, plus lists/<name>/list.json\n"
      "warninglists (each ip's latest name). stix gives one STIX 2.1 bundle: per organisation an identity\n"
      "with its display name, per ip its address observable, an indicator valid for the week that named it,\n"
      "a relationship to the organisation, and the week's observed-data and sighting, all marked with --tlp.\n"
      "Unknown ips are left out of misp and stix. Every name says its confidence and evidence kind (STIX\n"
      "indicator confidence and description, MISP attribute comment and tag); names under --min-confidence\n"
      "are left out, and so are names resting only on public-tool payloads unless --public-tool.\n"
      "Examples:\n"
      "  scannergrouper export --db scanners.db --format stix --out scanners.stix.json\n"
      "  scannergrouper export --db scanners.db --format misp --out misp/\n"
      "  scannergrouper export --db scanners.db --format csv --from 2025-01-01 --org shodan");
  cmd->add_option("--db", args->db, fmt::format("scanner database {}", kDbHelp))->required();
  add_format_option(cmd, args->format, {"jsonl", "json", "csv", "misp", "stix"}, "jsonl | json | csv | misp | stix");
  cmd->add_option("--out", args->out, "output file (default, or -: standard output); a directory for misp");
  cmd->add_option("--from", args->from, "windows starting at or after this date (YYYY-MM-DD or RFC 3339)");
  cmd->add_option("--to", args->to, "windows starting before this date");
  cmd->add_option("--org", args->org, "only this organisation");
  cmd->add_option("--min-confidence", args->names.min_confidence,
                  "leave out names whose confidence is lower (0-1; a confidence p means such names were right "
                  "about p of the time on the training weeks)")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  cmd->add_option("--tlp", args->tlp,
                  "Traffic Light Protocol marking of the STIX objects and MISP events: white "
                  "(or clear), green, amber, red")
      ->check(CLI::IsMember({"white", "clear", "green", "amber", "red"}))
      ->capture_default_str();
  cmd->add_flag("--public-tool", args->names.public_tool,
                "also export names that rest only on payloads public tools send too");
  cmd->callback([args] { run_export(*args); });
}

}  // namespace sg::cli
