// `run`: long-term operation over a capture folder (README, Long-term operation). Each pass ingests the captures not
// seen yet, re-imports the label lists, and takes every complete week through its stages (bootstrap
// training, identify, weekly update, report; workflow/weekly.h). With --watch it keeps passing until
// SIGINT/SIGTERM. The state lives in the database, so a killed run resumes where it stopped and a rerun
// over the same folder changes nothing.
#include <fmt/format.h>
#include <unistd.h>

#include <cstdlib>
#include <nlohmann/json.hpp>
#include <optional>

#include "cli/capture_options.h"
#include "cli/commands.h"
#include "cli/common.h"
#include "model/iomatch.h"
#include "pipeline/run_passes.h"
#include "pipeline/stop.h"
#include "util/time.h"
#include "util/verbosity.h"
#include "workflow/run_state.h"
#include "workflow/weekly.h"
#include "workflow/windows.h"

namespace sg::cli {

namespace {

// The options write into the weekly config, whose defaults --help shows.
struct RunArgs {
  std::string db, captures, report, until_bootstrap, anchor, format = "table";
  std::vector<std::string> sensor_nets, labels;
  workflow::WeeklyConfig weekly;
  std::string backbone = model::backbone_name(weekly.train.backbone), proba = workflow::proba_kind_name(weekly.proba),
              method = workflow::method_name(weekly.method);
  int watch = 0;
  bool no_syn = false;
};

std::string now_text() { return now_ts().substr(0, 19); }  // to the second: a log line

// Warnings and errors: printed at every verbosity.
void log_line(const std::string& s) { fmt::print(stderr, "[{}] {}\n", now_text(), s); }
// What each pass did: information, silenced by -q (--format json puts the same facts on stdout). The stages
// log their warnings through it too; those print under -q.
void info_line(const std::string& s) {
  if (chatty() || s.starts_with("warning")) log_line(s);
}

workflow::WeeklyConfig weekly_config(const RunArgs& a) {
  workflow::WeeklyConfig c = a.weekly;
  if (!a.until_bootstrap.empty()) c.bootstrap_until = parse_date_us(a.until_bootstrap);
  c.train.backbone = model::parse_backbone(a.backbone);
  c.train.models_dir = ModelRegistry::models_dir(a.db);
  // One --seed, --threads and --device for the bootstrap and the weekly updates alike.
  c.week_options.seed = c.train.options.seed;
  c.week_options.threads = c.train.options.threads;
  c.week_options.device = c.train.options.device;
  c.proba = workflow::parse_proba_kind(a.proba);
  c.method = *workflow::method_from_name(a.method);
  c.report_dir = a.report.empty() ? a.db + ".reports" : a.report;
  c.stop = &pipeline::stop_flag();
  // The clock that completes a week without newer probes (weekly.h); tests pin it to the demo's dates.
  if (const char* now = std::getenv("SG_NOW")) c.now_us = parse_date_us(now);
  return c;
}

void ingest_pass(const RunArgs& a, ProbeStore& store, nlohmann::json& pass) {
  CaptureOptions opt;
  opt.quiet = true;
  StderrEvents events(opt);
  auto r = with_usage_errors([&] {
    return pipeline::ingest_pass(store, {a.captures, a.sensor_nets, a.no_syn}, events, workflow::reported_until);
  });
  if (r.no_captures) {
    info_line(fmt::format("ingest: no capture files in {} yet", a.captures));
    pass["ingest"] = {{"files_ingested", 0}, {"files_skipped", 0}, {"new_probes", 0}, {"labelled", 0}};
    return;
  }
  const pipeline::IngestOutcome& o = r.outcome;
  if (o.exit_code) g_exit_code = o.exit_code;
  pass["ingest"] = {{"files_ingested", o.files_ingested},
                    {"files_skipped", o.files_skipped},
                    {"new_probes", o.new_probes},
                    {"labelled", o.labelled.labelled},
                    {"seconds", o.seconds}};
  info_line(fmt::format("ingest: {} new file(s), {} already ingested, {} new probes ({} labelled) {:.1f} s",
                        o.files_ingested, o.files_skipped, o.new_probes, o.labelled.labelled, o.seconds));
  if (r.late_probes) {
    pass["ingest"]["late_probes"] = r.late_probes;
    log_line(
        fmt::format("warning: {} new probes fall in weeks already reported; those weeks are not redone "
                    "(captures are expected in time order)",
                    r.late_probes));
  }
}

void labels_pass(const RunArgs& a, ProbeStore& store, nlohmann::json& pass) {
  if (a.labels.empty()) return;
  auto r = pipeline::labels_pass(store.db(), a.labels);
  pass["labels"] = {{"imported_files", r.imported_files}, {"unchanged_files", r.unchanged_files},
                    {"added", r.relabel.added},           {"changed", r.relabel.changed},
                    {"removed", r.relabel.removed},       {"seconds", r.seconds}};
  info_line(fmt::format(
      "labels: {} list file(s) imported, {} unchanged; probe labels {} added, {} changed, {} removed "
      "{:.1f} s",
      r.imported_files, r.unchanged_files, r.relabel.added, r.relabel.changed, r.relabel.removed, r.seconds));
}

void one_pass(const RunArgs& a, const workflow::WeeklyConfig& cfg) {
  ProbeStore store(a.db);
  nlohmann::json pass = nlohmann::json::object();
  ingest_pass(a, store, pass);
  if (pipeline::stop_requested()) {
    if (a.format == "json") print_json(pass);
    return;
  }
  labels_pass(a, store, pass);
  auto detail = [](const std::string& s) {
    if (verbose()) log_line(s);  // -v: the stages' own progress
  };
  auto out = workflow::run_weeks(store.db(), cfg, info_line, detail);
  if (!out.waiting.empty()) info_line("waiting: " + out.waiting);
  info_line(fmt::format("{} of {} complete week(s) done", out.done_weeks, out.complete_weeks));
  pass["weeks"] = {{"complete", out.complete_weeks},
                   {"done", out.done_weeks},
                   {"stages", out.transitions},
                   {"late", out.late_weeks}};
  pass["waiting"] = out.waiting.empty() ? nlohmann::json(nullptr) : nlohmann::json(out.waiting);
  if (a.format == "json") print_json(pass);
}

void run_run(const RunArgs& a) {
  if (a.weekly.bootstrap_weeks < 1) throw CLI::ValidationError("--bootstrap-weeks", "must be at least 1");
  pipeline::parse_sensor_nets(a.sensor_nets);  // a bad prefix is an error before any work
  auto cfg = weekly_config(a);
  if (cfg.train.options.device == "cuda" && !model::cuda_available())
    throw std::runtime_error("--device cuda: this libtorch has no CUDA (README: building against a CUDA libtorch)");
  // Same inputs and seed give the same database: deterministic kernels and a fixed thread count.
  if (cfg.train.options.device == "cpu") model::set_deterministic(true);
  model::set_threads(cfg.train.options.threads);
  {
    ProbeStore store(a.db);
    if (!a.anchor.empty()) workflow::set_windows(store.db(), parse_date_us(a.anchor), std::nullopt);
  }
  pipeline::install_stop_handlers();
  while (true) {
    try {
      one_pass(a, cfg);
    } catch (const std::exception& e) {
      if (!a.watch) throw;
      log_line(fmt::format("error: {} (retrying after {} s)", e.what(), a.watch));
    }
    if (!a.watch || pipeline::stop_requested()) break;
    for (int i = 0; i < a.watch && !pipeline::stop_requested(); ++i) sleep(1);
    if (pipeline::stop_requested()) break;
  }
  if (pipeline::stop_requested()) info_line("stopped by signal; a rerun continues where this one stopped");
}

}  // namespace

void add_run(CLI::App& app) {
  auto a = std::make_shared<RunArgs>();
  auto* cmd = app.add_subcommand("run", model_command_help("run"));
  cmd->footer(
      "Long-term operation over a folder of captures. Each pass: ingest the capture files not\n"
      "ingested yet, re-import the --labels lists, then take every complete week through its stages. A week\n"
      "is complete when the newest stored probe is at or past its end, or the clock is 6 hours past it\n"
      "(captures are expected in time order; probes arriving later for a finished week are stored but the\n"
      "week is not redone). Until models exist, the first --bootstrap-weeks complete weeks are used to select\n"
      "fields and train (incremental schema) and are then identified (in-sample: their reports say so).\n"
      "Each later week is identified with the models of earlier weeks only, then the models are updated on\n"
      "it and the ensemble refitted, then a summary goes to REPORT/week-YYYY-MM-DD.txt.\n"
      "Every stage is committed in the table run_weeks: after a crash or a kill the next run resumes at the\n"
      "first unfinished stage, and rerunning over the same folder changes nothing. Same inputs and --seed\n"
      "give the same database on CPU (deterministic kernels, --threads fixed). -v adds the stages' own\n"
      "progress to the log, -q leaves only warnings and errors; --format json prints what each pass did.\n"
      "Example: scannergrouper run --db scanners.db --captures /var/log/honeypot/ --sensor-net 192.0.2.0/24 \\\n"
      "           --labels lists/ --watch 3600");
  cmd->add_option("--db", a->db, fmt::format("database (created if missing) {}", kDbHelp))->required();
  cmd->add_option("--captures", a->captures, "folder searched (recursively) for pcap/pcapng files")
      ->required()
      ->check(CLI::ExistingDirectory);
  cmd->add_option("--sensor-net", a->sensor_nets, "CIDR of the sensors (repeatable), as for ingest")
      ->allow_extra_args(false);
  cmd->add_flag("--no-syn", a->no_syn, "leave out TCP sessions that sent a SYN but no payload");
  cmd->add_option("--labels", a->labels, "label list file or folder to (re)import each pass (repeatable)")
      ->allow_extra_args(false)
      ->check(CLI::ExistingPath);
  cmd->add_option("--report", a->report, "folder for the weekly reports (default: DB.reports)");
  cmd->add_option("--bootstrap-weeks", a->weekly.bootstrap_weeks, "complete weeks the first models are trained on")
      ->capture_default_str();
  cmd->add_option("--until-bootstrap", a->until_bootstrap,
                  "instead of a count: train the first models on the complete weeks ending by this date");
  cmd->add_option("--week-anchor", a->anchor,
                  "start of any week (e.g. 2024-12-09T16:00:00Z for the paper's weeks); default Monday 00:00 UTC");
  cmd->add_option("--backbone", a->backbone, "mlp (fast on CPU) or wrn (WRN-10-2, the paper's)")
      ->check(CLI::IsMember({"mlp", "wrn"}))
      ->capture_default_str();
  cmd->add_option("--device", a->weekly.train.options.device,
                  "cpu, or cuda with a CUDA-enabled libtorch (not bit-repeatable)")
      ->check(CLI::IsMember({"cpu", "cuda"}))
      ->capture_default_str();
  cmd->add_option("--iterations", a->weekly.train.options.iterations,
                  "training iterations per service for the bootstrap models")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_option("--batch", a->weekly.train.options.batch, "labelled probes per bootstrap iteration")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_option("--week-iterations", a->weekly.week_options.iterations,
                  "iterations per service for each weekly update")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_option("--week-batch", a->weekly.week_options.batch, "labelled probes per weekly iteration")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_option("--seed", a->weekly.train.options.seed, "seed of weights and batches")->capture_default_str();
  cmd->add_option("--threads", a->weekly.train.options.threads, "CPU threads for training (fixed, so that runs repeat)")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_option("--proba", a->proba,
                  "probability θ compares: normalised (reference code), raw (paper) or auto (the better on the "
                  "training rows)")
      ->check(CLI::IsMember(workflow::proba_kind_names()))
      ->capture_default_str();
  cmd->add_option("--min-class-probes", a->weekly.train.min_class_probes,
                  "organisations with fewer labelled probes stay unlabelled")
      ->capture_default_str();
  cmd->add_option("--method", a->method,
                  "who names the scanners: evidence (payload and network evidence with calibrated confidence), "
                  "payload (payloads alone) or iomatch (the paper's models and ensemble)")
      ->check(CLI::IsMember({"evidence", "payload", "iomatch"}))
      ->capture_default_str();
  cmd->add_option("--watch", a->watch, "keep running: look for new captures every SECONDS until SIGINT/SIGTERM")
      ->check(CLI::NonNegativeNumber);
  // -v (every command's, add_verbosity_options) also logs the stages' own progress (training steps,
  // predictions); -q keeps only warnings and errors.
  add_format_option(cmd, a->format, {"table", "json"},
                    "table (a log on stderr) or json (one object per pass on stdout: ingest, labels, weeks)");
  cmd->callback([a] { run_run(*a); });
}

}  // namespace sg::cli
