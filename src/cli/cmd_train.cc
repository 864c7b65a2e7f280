// `train` (one-time, full mode) and `update` (one incremental week): the per-service IOMatch models and
// the scanner-level ensemble after them (docs/METHOD.md, the paper's method).
#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "aggregate/window.h"
#include "cli/commands.h"
#include "cli/common.h"
#include "features/feature_store.h"
#include "probe/service.h"
#include "storage/model_registry.h"
#include "storage/probe_store.h"
#include "util/time.h"
#include "util/verbosity.h"
#include "workflow/ensemble.h"
#include "workflow/predict.h"
#include "workflow/refit.h"
#include "workflow/train.h"
#include "workflow/windows.h"

namespace sg::cli {

namespace {

// The services with a per-service model (probe/service.h), as --services names them.
std::vector<std::string> voted_names() {
  std::vector<std::string> out;
  for (Service s : voted_services()) out.push_back(service_name(s));
  return out;
}

// The options write into the workflow's config structs, whose defaults --help shows.
struct TrainArgs {
  std::string db, until, from, week, anchor, format = "table";
  workflow::TrainConfig train;
  workflow::RefitConfig refit;
  std::string backbone = model::backbone_name(train.backbone), proba = workflow::proba_kind_name(refit.proba);
  std::vector<std::string> services = voted_names();
  int window_days = 0;
  bool incremental = false;
};

// The stages' log and, with --format table, the summary lines: information on stderr, silenced by -q.
void log_line(const std::string& s) {
  if (chatty()) fmt::print(stderr, "{}\n", s);
}

// With --format json the same facts go to stdout as one object when the command ends.
struct Outcome {
  nlohmann::json services = nlohmann::json::array();
  nlohmann::json ensemble = nullptr;
  std::string note;  // update: why the ensemble was kept
};

nlohmann::json ensemble_json(const workflow::EnsembleReport& e) {
  const auto& r = e.run;
  return {{"version", r.version},
          {"classes", r.classes},
          {"service_models", r.service_models},
          {"theta", r.theta},
          {"proba", r.proba},
          {"data_to", format_ts(r.data_to_us)},
          {"rows", e.rows},
          {"known_rows", e.known_rows},
          {"unknown_rows", e.unknown_rows},
          {"train_f1", r.train_f1},
          {"path", r.path}};
}

void print_outcome(const TrainArgs& a, const Outcome& o) {
  if (a.format != "json") return;
  nlohmann::json j = {{"services", o.services}, {"ensemble", o.ensemble}};
  if (!o.note.empty()) j["note"] = o.note;
  print_json(j);
}

workflow::TrainConfig config(const TrainArgs& a) {
  workflow::TrainConfig c = a.train;
  c.backbone = model::parse_backbone(a.backbone);
  c.schema_mode = a.incremental ? features::SchemaMode::incremental : features::SchemaMode::full;
  c.models_dir = ModelRegistry::models_dir(a.db);
  if (c.options.device == "cuda" && !model::cuda_available())
    throw std::runtime_error("--device cuda: this libtorch has no CUDA (README: building against a CUDA libtorch)");
  model::set_threads(c.options.threads);
  return c;
}

std::vector<Service> services_of(const TrainArgs& a) {
  std::vector<Service> out;
  for (const auto& name : a.services) {
    auto s = service_from_name(name);
    if (!s || std::find(workflow::model_services().begin(), workflow::model_services().end(), *s) ==
                  workflow::model_services().end())
      throw CLI::ValidationError("--services",
                                 fmt::format("'{}' is not one of {}", name,
                                             join_service_names(", ", [](const ServiceInfo& i) { return i.voted; })));
    out.push_back(*s);
  }
  return out;
}

// After the models: predict the training range, then fit the ensemble and θ on it.
void refit_ensemble(Db& db, const aggregate::Windows& w, std::optional<int64_t> from, int64_t until, const TrainArgs& a,
                    Outcome& out) {
  workflow::RefitConfig rc = a.refit;
  rc.from_us = from;
  rc.until_us = until;
  rc.proba = workflow::parse_proba_kind(a.proba);
  rc.models_dir = ModelRegistry::models_dir(a.db);
  auto e = workflow::refit_ensemble(db, w, rc, log_line);
  if (!e.fitted) throw std::runtime_error("ensemble: " + e.why_not);
  out.ensemble = ensemble_json(e);
  if (a.format == "table") log_line(workflow::ensemble_summary(e));
}

void report(const workflow::TrainReport& r, const TrainArgs& a, Outcome& out) {
  nlohmann::json j = {{"service", r.service},
                      {"trained", r.trained},
                      {"probes", r.probes},
                      {"labelled", r.labelled},
                      {"skipped_records", r.skipped_records}};
  if (r.trained)
    j.update(nlohmann::json{{"version", r.run.version},
                            {"iterations", r.run.iterations},
                            {"seconds", r.run.seconds},
                            {"classes", r.run.classes},
                            {"checkpoint", r.run.path}});
  else
    j["why_not"] = r.why_not;
  out.services.push_back(j);
  // Records left out of training are data lost: said under -q and with --format json too.
  if (r.skipped_records)
    fmt::print(stderr, "warning: {}: {} stored records were not JSON and were skipped\n", r.service, r.skipped_records);
  if (a.format != "table") return;
  if (!r.trained) {
    log_line(fmt::format("{}: not trained: {}", r.service, r.why_not));
    return;
  }
  log_line(fmt::format("{}: {} trained: {} iterations in {:.1f} s, {} organisations, checkpoint {}", r.service,
                       r.run.version, r.run.iterations, r.run.seconds, r.run.classes.size(), r.run.path));
}

void run_train(const TrainArgs& a) {
  auto cfg = config(a);
  cfg.until_us = parse_date_us(a.until);
  if (!a.from.empty()) cfg.from_us = parse_date_us(a.from);
  ProbeStore store(a.db);
  workflow::set_windows(store.db(), a.anchor.empty() ? std::nullopt : std::optional(parse_date_us(a.anchor)),
                        a.window_days > 0 ? std::optional(int64_t(a.window_days) * 24 * 3600 * 1000000) : std::nullopt);
  aggregate::Windows w = workflow::stored_windows(store.db());
  int trained = 0;
  Outcome out;
  std::string why;
  for (Service s : services_of(a)) {
    auto r = workflow::train_service(store.db(), s, cfg, log_line);
    report(r, a, out);
    trained += r.trained;
    if (!r.trained) why += fmt::format("; {}: {}", r.service, r.why_not);
  }
  if (!trained) throw std::runtime_error("no service could be trained" + why);
  refit_ensemble(store.db(), w, cfg.from_us, cfg.until_us, a, out);
  print_outcome(a, out);
}

void run_update(const TrainArgs& a) {
  auto cfg = config(a);
  ProbeStore store(a.db);
  aggregate::Windows w = workflow::stored_windows(store.db());
  int64_t week = w.start_of(parse_date_us(a.week));
  int64_t end = week + w.length_us;
  int updated = 0;
  Outcome out;
  for (Service s : services_of(a)) {
    auto r = workflow::update_service(store.db(), s, week, end, cfg, log_line);
    report(r, a, out);
    updated += r.trained;
  }
  if (!updated) {
    out.note = "no model changed; the ensemble is kept";
    if (a.format == "table") log_line("update: " + out.note);
    return print_outcome(a, out);
  }
  refit_ensemble(store.db(), w, std::nullopt, end, a, out);
  print_outcome(a, out);
}

// A new ensemble on the current models, e.g. after a label import or to compare θ's two probabilities.
void run_refit(const TrainArgs& a) {
  ProbeStore store(a.db);
  auto latest = ModelRegistry(store.db()).latest_ensemble();
  if (a.until.empty() && !latest) throw std::runtime_error("no ensemble yet: give --until, or train first");
  int64_t until = a.until.empty() ? latest->data_to_us : parse_date_us(a.until);
  std::optional<int64_t> from;
  if (!a.from.empty()) from = parse_date_us(a.from);
  model::set_threads(a.train.options.threads);
  Outcome out;
  refit_ensemble(store.db(), workflow::stored_windows(store.db()), from, until, a, out);
  print_outcome(a, out);
}

void range_and_theta_options(CLI::App* cmd, TrainArgs& a) {
  cmd->add_option("--threads", a.train.options.threads, "CPU threads (0 = every core)")->capture_default_str();
  cmd->add_option("--proba", a.proba,
                  "probability θ compares: normalised (reference code), raw (paper) or auto (the better on the "
                  "training rows)")
      ->check(CLI::IsMember(workflow::proba_kind_names()))
      ->capture_default_str();
  cmd->add_option(
         "--theta-rows", a.refit.theta_rows,
         "rows θ is searched on: all (known + evaluation-unknown as unknown) or known (the paper's protocol literally)")
      ->check(CLI::IsMember({"all", "known"}))
      ->capture_default_str();
  add_format_option(cmd, a.format, {"table", "json"},
                    "table (lines on stderr) or json (the services trained and the ensemble: one object on stdout)");
}

void common_options(CLI::App* cmd, TrainArgs& a) {
  cmd->add_option("--db", a.db, fmt::format("database with probes, labels and a feature selection {}", kDbHelp))
      ->required()
      ->check(kExistingDb);
  cmd->add_option("--backbone", a.backbone, "mlp (fast on CPU) or wrn (WRN-10-2, the paper's)")
      ->check(CLI::IsMember({"mlp", "wrn"}))
      ->capture_default_str();
  cmd->add_option("--device", a.train.options.device, "cpu, or cuda with a CUDA-enabled libtorch")
      ->check(CLI::IsMember({"cpu", "cuda"}))
      ->capture_default_str();
  cmd->add_option("--services", a.services, "services to train")->delimiter(',')->capture_default_str();
  cmd->add_option("--seed", a.train.options.seed, "seed of weights and batches (runs repeat on CPU)")
      ->capture_default_str();
  range_and_theta_options(cmd, a);
  cmd->add_option("--min-class-probes", a.train.min_class_probes,
                  "organisations with fewer labelled probes stay unlabelled")
      ->capture_default_str();
}

}  // namespace

void add_train(CLI::App& app) {
  auto a = std::make_shared<TrainArgs>();
  auto* cmd = app.add_subcommand("train", model_command_help("train"));
  cmd->footer(
      "One-time training (docs/METHOD.md, the paper's method): for http, tls and dns, an IOMatch open-set model on "
      "every probe\n"
      "before --until (labelled probes of known organisations supervise; all probes are the unlabelled pool;\n"
      "evaluation-unknown organisations count as unlabelled), then the training probes are predicted and the\n"
      "logistic-regression ensemble and its unknown threshold θ are fitted on the labelled scanners.\n"
      "Checkpoints go to DB.models/. --incremental trains on the fixed canvas so weekly `update`s can follow.\n"
      "The log goes to stderr (-q: warnings only); --format json prints the models and the ensemble as one object.\n"
      "Example: scannergrouper train --db scanners.db --until 2025-02-26 --backbone mlp");
  common_options(cmd, *a);
  cmd->add_option("--until", a->until, "end of the training data (YYYY-MM-DD or RFC 3339), exclusive")->required();
  cmd->add_option("--from", a->from, "start of the training data (default: the first probe)");
  // 0 iterations would register untrained models as the current ones.
  cmd->add_option("--iterations", a->train.options.iterations, "training iterations per service")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_option("--batch", a->train.options.batch, "labelled probes per iteration (B)")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_option("--uratio", a->train.options.uratio, "unlabelled probes per labelled one in a batch")
      ->capture_default_str();
  cmd->add_flag("--incremental", a->incremental, "use the incremental (fixed canvas) schema");
  cmd->add_option("--week-anchor", a->anchor,
                  "start of any week (e.g. 2024-12-09T16:00:00Z for the paper's weeks); default Monday 00:00 UTC");
  cmd->add_option("--window-days", a->window_days,
                  "length of the scanner windows in days (default 7); e.g. one window over a whole test period")
      ->check(CLI::Range(1, 3660));
  cmd->callback([a] { run_train(*a); });
}

void add_update(CLI::App& app) {
  auto a = std::make_shared<TrainArgs>();
  // A week's update: the reference's incremental mode (model::incremental_mode_options).
  const auto week = model::incremental_mode_options();
  a->train.options.iterations = week.iterations;
  a->train.options.batch = week.batch;
  auto* cmd = app.add_subcommand("update", model_command_help("update"));
  cmd->footer(
      "One incremental week (README, Long-term operation): the encoding schema grows by the week's new tokens "
      "(appended,\n"
      "positions never move), each service's latest model resumes (weights, EMA, optimiser, schedule) and trains\n"
      "on the week's probes only, and the ensemble is refitted on every week so far. Needs `train --incremental`.\n"
      "--format json prints the models updated and the ensemble as one object (-q: no log on stderr).\n"
      "Example: scannergrouper update --db scanners.db --week 2025-01-13");
  common_options(cmd, *a);
  cmd->add_option("--week", a->week, "any time inside the week (weeks follow the anchor set at train)")->required();
  cmd->add_option("--iterations", a->train.options.iterations, "iterations for the week")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_option("--batch", a->train.options.batch, "labelled probes per iteration")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_option("--uratio", a->train.options.uratio, "unlabelled probes per labelled one")->capture_default_str();
  a->incremental = true;
  cmd->callback([a] { run_update(*a); });
}

void add_refit(CLI::App& app) {
  auto a = std::make_shared<TrainArgs>();
  auto* cmd = app.add_subcommand("refit", model_command_help("refit"));
  cmd->footer(
      "The scanner-level ensemble and its unknown threshold θ fitted again (docs/METHOD.md) without training the\n"
      "per-service models: the training range is predicted with the current models (probes they already\n"
      "predicted are not redone), then the logistic regression and θ are fitted on its labelled scanners. Use it\n"
      "after importing labels, or to compare the probability θ is compared with: --proba normalised (the\n"
      "reference code: each class's sigmoid over their sum) or raw (the paper: the class's own sigmoid).\n"
      "A new ensemble version is registered; `identify` then uses it. Windows already identified keep theirs.\n"
      "--format json prints the new ensemble as one object (-q: no log on stderr).\n"
      "Example: scannergrouper refit --db scanners.db --proba raw");
  cmd->add_option("--db", a->db, fmt::format("database with trained models {}", kDbHelp))
      ->required()
      ->check(kExistingDb);
  cmd->add_option("--until", a->until, "end of the training range (default: that of the latest ensemble)");
  cmd->add_option("--from", a->from, "start of the training range (default: the first probe)");
  range_and_theta_options(cmd, *a);
  cmd->callback([a] { run_refit(*a); });
}

}  // namespace sg::cli
