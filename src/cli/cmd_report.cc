// `report`: the analyst's HTML report, one self-contained file.
#include <fmt/format.h>

#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/common.h"
#include "report/report.h"
#include "storage/probe_store.h"
#include "util/atomic_file.h"
#include "util/terminal.h"
#include "util/time.h"
#include "util/verbosity.h"

namespace sg::cli {

namespace {

struct ReportArgs {
  std::string db, out, from, to, format = "table";
  bool no_compute = false;
  report::ReportOptions opt;
};

void run_report(ReportArgs& a) {
  auto start = std::chrono::steady_clock::now();
  if (!a.from.empty()) a.opt.from_us = parse_date_us(a.from);
  if (!a.to.empty()) a.opt.to_us = parse_date_us(a.to);
  a.opt.compute_clusters = !a.no_compute;
  const bool to_stdout = a.out == "-";  // the HTML alone on standard output, the summary on stderr
  if (to_stdout && a.format == "json")
    throw CLI::ValidationError("--format", "--format json prints on standard output, where --out - writes the HTML");
  if (!to_stdout) std::filesystem::create_directories(a.out);
  // Reading is all a report needs; it keeps the clusters it computes only where it may write.
  ProbeStore store(a.db, may_write(a.db) ? Access::read_write : Access::read_only);
  auto r = report::build_report(store.db(), a.opt);
  auto path = to_stdout ? std::string("standard output") : (std::filesystem::path(a.out) / "report.html").string();
  if (to_stdout)
    write_stdout(r.html);
  else
    write_text_atomically(path, r.html);
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (a.format == "json") {
    nlohmann::json j = {{"path", path},
                        {"sections", r.sections},  // ids, in page order
                        {"figures", r.figures},
                        {"bytes", r.html.size()},
                        {"from", format_ts(r.from_us)},
                        {"to", format_ts(r.to_us)},
                        {"clusters_computed", r.clusters_computed},
                        {"notes", r.notes},
                        {"seconds", seconds}};
    print_json(j);
    return;
  }
  if (chatty())
    for (const auto& n : r.notes) fmt::print(stderr, "note: {}\n", term_safe(n));
  if (to_stdout && !chatty()) return;  // the summary is on stderr there: information, silenced by -q
  fmt::print(to_stdout ? stderr : stdout, "wrote {} ({} sections, {} figures, {:.1f} KiB) for {} .. {}{} in {:.2f} s\n",
             path, r.sections.size(), r.figures, r.html.size() / 1024.0, format_ts(r.from_us).substr(0, 10),
             format_ts(r.to_us).substr(0, 10), r.clusters_computed ? ", clusters computed" : "", seconds);
}

}  // namespace

void add_report(CLI::App& app) {
  auto a = std::make_shared<ReportArgs>();
  auto* cmd = app.add_subcommand("report", "Write the analyst's HTML report (one self-contained file)");
  cmd->footer(
      "Writes DIR/report.html: attribution per organisation (scanners, probes, services, weekly trend), the\n"
      "evaluation tables where labels allow, the unknown-probe clusters with their statistics and t-SNE maps,\n"
      "unknown-class probes predicted as known, the AbuseIPDB view, the mutual-information ranking and the\n"
      "model/training facts. Plots are drawn by gnuplot and embedded as SVG, so the file opens offline. Parts\n"
      "without data say why. Clusters are read from 'clusters' runs, or computed (and kept) when the range has\n"
      "none. The file is replaced atomically; the time taken is printed (--format json: as one JSON object).\n"
      "Example: scannergrouper report --db scanners.db --out report/ --from 2025-01-20 --to 2025-01-27");
  cmd->add_option("--db", a->db, fmt::format("the scannergrouper database {}", kDbHelp))
      ->required()
      ->check(kExistingDb);
  cmd->add_option("--out", a->out, "directory for report.html (created if needed), or - for standard output")
      ->required();
  cmd->add_option("--from", a->from, "start (YYYY-MM-DD or RFC 3339); default: the first week with scanners");
  cmd->add_option("--to", a->to, "end, exclusive; default: the end of the last week with scanners");
  cmd->add_option("--min-support", a->opt.min_support, "hide organisations with fewer scanners in evaluation tables")
      ->capture_default_str();
  cmd->add_flag("--no-compute", a->no_compute, "do not analyse the unknowns when no clusters are stored for the range");
  cmd->add_option("--seed", a->opt.clusters.seed, "seed for clusters computed by the report")->capture_default_str();
  add_format_option(cmd, a->format, {"table", "json"}, "table (one line) or json (one object; not with --out -)");
  cmd->callback([a] { run_report(*a); });
}

}  // namespace sg::cli
