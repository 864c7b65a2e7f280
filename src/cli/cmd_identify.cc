// `identify` (the scanner database for a range) and `evaluate` (its scores where labels exist).
#include <fmt/format.h>

#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/common.h"
#include "intel/scanner_export.h"
#include "model/iomatch.h"
#include "simulate/truth.h"
#include "storage/model_registry.h"
#include "storage/probe_store.h"
#include "storage/scanner_store.h"
#include "util/terminal.h"
#include "util/time.h"
#include "util/verbosity.h"
#include "workflow/evaluate.h"
#include "workflow/identify.h"
#include "workflow/windows.h"

namespace sg::cli {

namespace {

struct RangeArgs {
  std::string db, from, to, format = "table", method = workflow::method_name(workflow::kDefaultMethod), truth;
  int threads = 0, min_support = 0;
};

// --from at or after --to would be widened into weeks that hold nothing, and the command would report an
// empty success (evaluate would even store the empty row): refused before the database is opened.
std::pair<int64_t, int64_t> range_of(const RangeArgs& a) {
  const int64_t from = parse_date_us(a.from), to = parse_date_us(a.to);
  if (from >= to) throw std::invalid_argument(fmt::format("--from {} is not before --to {}", a.from, a.to));
  return {from, to};
}

void print_summary(const workflow::IdentifyReport& r) {
  fmt::print("{} scanners in {} week(s) {} .. {} ({} method, {}, {:.1f} s)\n", r.scanners, r.windows,
             format_ts(r.from_us).substr(0, 10), format_ts(r.to_us).substr(0, 10), workflow::method_name(r.method),
             r.ensemble, r.seconds);
  std::vector<std::pair<std::string, size_t>> orgs(r.per_org.begin(), r.per_org.end());
  std::stable_sort(orgs.begin(), orgs.end(), [](auto& a, auto& b) { return a.second > b.second; });
  fmt::print("  {:<24} {:>8}\n", "organisation", "scanners");
  for (const auto& [org, n] : orgs) fmt::print("  {:<24} {:>8}\n", term_safe(org), n);
}

// The summary of print_summary, and with it every row of the range (the rows jsonl prints).
nlohmann::json identify_json(const workflow::IdentifyReport& r, const std::vector<ScannerRow>& rows) {
  return {{"scanners", r.scanners},
          {"windows", r.windows},
          {"from", format_ts(r.from_us)},
          {"to", format_ts(r.to_us)},
          {"method", workflow::method_name(r.method)},
          {"ensemble", r.ensemble},
          {"seconds", r.seconds},
          {"per_org", r.per_org},
          {"rows", intel::rows_json(rows)}};
}

void run_identify(const RangeArgs& a) {
  model::set_threads(a.threads);
  const auto [from, to] = range_of(a);
  ProbeStore store(a.db);
  if (!ModelRegistry(store.db()).latest_ensemble())
    throw std::runtime_error("no trained models yet: run train first (scannergrouper train --db DB --until DATE)");
  auto w = workflow::stored_windows(store.db());
  auto rep = workflow::identify(
      store.db(), w, from, to,
      [](const std::string& s) {
        if (chatty()) fmt::print(stderr, "{}\n", term_safe(s));  // progress: -q drops it
      },
      *workflow::method_from_name(a.method));
  if (a.format == "table") {
    print_summary(rep);
    return;
  }
  ScannerStore scanners(store.db());
  ScannerQuery q;
  q.from_us = rep.from_us;
  q.to_us = rep.to_us;
  auto rows = scanners.rows(q);
  if (a.format == "json")
    print_json(identify_json(rep, rows));
  else if (a.format == "jsonl")
    intel::write_jsonl(rows, std::cout);
  else
    intel::write_csv(rows, std::cout);
}

void run_evaluate(const RangeArgs& a) {
  const auto [from, to] = range_of(a);
  ProbeStore store(a.db);
  auto w = workflow::stored_windows(store.db());
  if (!workflow::has_scanner_rows(store.db(), w, from, to))
    throw std::runtime_error("no scanner rows in this range: run identify first");
  std::optional<workflow::TruthIndex> truth;
  if (!a.truth.empty()) {
    truth.emplace();
    size_t rows = 0;
    simulate::for_each_truth(a.truth, [&](const simulate::TruthRow& r) {
      truth->add(r.ts_us, r.src, r.sport, r.dst, r.dport, r.transport, r.org);
      ++rows;
    });
    if (!rows) throw std::runtime_error(fmt::format("{}: no truth rows (expected simulate's truth.tsv)", a.truth));
  }
  auto e = workflow::evaluate(store.db(), w, from, to, truth ? &*truth : nullptr);
  workflow::store_evaluation(store.db(), e);
  if (a.format == "json")
    write_stdout(workflow::evaluation_json(e, a.min_support) + "\n");
  else
    write_stdout(workflow::evaluation_table(e, a.min_support));
}

void range_options(CLI::App* cmd, RangeArgs& a) {
  cmd->add_option("--db", a.db, fmt::format("the scannergrouper database {}", kDbHelp))->required()->check(kExistingDb);
  cmd->add_option("--from", a.from, "start (YYYY-MM-DD or RFC 3339, UTC); widened to the start of its week")
      ->required();
  cmd->add_option("--to", a.to, "end, exclusive; widened to the end of its week")->required();
}

}  // namespace

void add_identify(CLI::App& app) {
  auto a = std::make_shared<RangeArgs>();
  auto* cmd = app.add_subcommand("identify", model_command_help("identify"));
  cmd->footer(
      "Attribute every scanner ip of a range, week by week. The default method, evidence, asks who sent the\n"
      "ip's payloads before the training cut: a payload that listed ips of one organisation send names it, one\n"
      "that unlisted ips send too is a public tool's default and names nobody; each name has a confidence\n"
      "measured on the training weeks and an evidence kind. A payload an organisation shares with others\n"
      "names it only from a /24 (/48) where its listed ips scanned before (evidence kind network; --method\n"
      "payload leaves that level out). --method iomatch is the paper's: service models\n"
      "vote per (week, ip) and the ensemble names an organisation or \"unknown\" (best probability under θ).\n"
      "Each week's rows replace that week's earlier rows atomically. -q drops the progress lines on stderr.\n"
      "Example: scannergrouper identify --db scanners.db --from 2025-02-26 --to 2025-03-18 --format csv");
  range_options(cmd, *a);
  add_format_option(cmd, a->format, {"table", "json", "jsonl", "csv"},
                    "table (summary per organisation), json (the summary and every row: one object), jsonl or csv "
                    "(every row)");
  cmd->add_option("--threads", a->threads, "CPU threads for inference (0 = every core)");
  cmd->add_option("--method", a->method,
                  "evidence: payload and network evidence with calibrated confidence (default); payload: the "
                  "same on payloads alone; iomatch: the paper's IOMatch votes and logistic-regression ensemble")
      ->check(CLI::IsMember({"evidence", "payload", "iomatch"}))
      ->capture_default_str();
  cmd->callback([a] { run_identify(*a); });
}

void add_evaluate(CLI::App& app) {
  auto a = std::make_shared<RangeArgs>();
  auto* cmd = app.add_subcommand("evaluate", model_command_help("evaluate"));
  cmd->footer(
      "Per-organisation precision, recall, F1 and support at scanner level (each (week, ip) row against the\n"
      "ip's label), weighted and macro averages, and per-service probe-level tables. Evaluation-unknown\n"
      "organisations (labels.eval_unknown, default censys,driftnet) and organisations unseen in training are\n"
      "scored as one class \"unknown\"; ips without a label are not scored. Beside the model, the exact-match\n"
      "baseline on the same rows (each probe's selected fields looked up among the training probes, majority\n"
      "organisation, the same per-ip vote) and the margin; probe-level tables for the learned model, the\n"
      "payload evidence and the baseline; a reliability table (names by confidence against how often they\n"
      "are right). --format json prints all of it as one object. With --truth (simulated captures), every\n"
      "scanner is judged: the false-attribution rate\n"
      "(scanners of no known organisation that got a name) and the precision of all names given.\n"
      "Example: scannergrouper evaluate --db scanners.db --from 2025-02-26 --to 2025-03-18 --min-support 5");
  range_options(cmd, *a);
  add_format_option(cmd, a->format, {"table", "json"}, "table or json (one object)");
  cmd->add_option("--min-support", a->min_support, "hide organisations with fewer scanners (the paper hides < 5)")
      ->capture_default_str();
  cmd->add_option("--truth", a->truth,
                  "simulate's truth.tsv: also judge every scanner, labelled or not (false attributions, the "
                  "precision of all names)")
      ->check(CLI::ExistingFile);
  cmd->callback([a] { run_evaluate(*a); });
}

}  // namespace sg::cli
