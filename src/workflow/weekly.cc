#include "workflow/weekly.h"

#include <fmt/format.h>

#include <chrono>
#include <filesystem>
#include <stdexcept>

#include "features/select.h"
#include "report/report.h"
#include "storage/model_registry.h"
#include "storage/probe_store.h"
#include "storage/workflow_queries.h"
#include "util/atomic_file.h"
#include "util/time.h"
#include "workflow/identify.h"
#include "workflow/refit.h"
#include "workflow/run_state.h"
#include "workflow/week_report.h"
#include "workflow/windows.h"

namespace sg::workflow {

namespace {

using Clock = std::chrono::steady_clock;

double since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

std::string day(int64_t us) { return format_ts(us).substr(0, 10); }

std::string join(const std::vector<std::string>& parts, const char* sep) {
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : sep) + p;
  return out;
}

// What one stage did, for the week's log line and the run_weeks.log column.
struct StageDone {
  std::string text;
  double seconds = 0;
};

struct Context {
  Db& db;
  const WeeklyConfig& cfg;
  aggregate::Windows w;
  const RunLog& detail;
};

int64_t now_us(const WeeklyConfig& cfg) {
  if (cfg.now_us) return *cfg.now_us;
  return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Complete windows of the stored probes, ascending: from the first probe's window to the newest probe's,
// those that a newer probe proves finished, or that the clock left behind by the grace (the last week of a
// finished folder has no newer probe, but its captures are all there). Weeks after the newest probe wait for
// probes of their own, so a folder of old captures does not become a row of empty weeks up to today.
std::vector<int64_t> complete_windows(Db& db, const aggregate::Windows& w, const WeeklyConfig& cfg) {
  std::vector<int64_t> out;
  auto span = probe_time_span(db);
  if (!span) return out;
  const int64_t newest = span->second;
  const int64_t clock_done = now_us(cfg) - cfg.clock_grace_us;  // windows ending by this are complete
  for (int64_t start = w.start_of(span->first); start <= newest; start += w.length_us) {
    const int64_t end = start + w.length_us;
    if (end <= newest || end <= clock_done) out.push_back(start);
  }
  return out;
}

std::vector<int64_t> windows_ending_by(const std::vector<int64_t>& complete, const aggregate::Windows& w, int64_t cut) {
  std::vector<int64_t> out;
  for (int64_t s : complete)
    if (s + w.length_us <= cut) out.push_back(s);
  return out;
}

// Adds the complete weeks run does not know yet to run_weeks; returns why nothing can start, if so.
std::string plan(Context& c, RunState& state, WeeklyOutcome& out) {
  auto complete = complete_windows(c.db, c.w, c.cfg);
  out.complete_weeks = complete.size();
  auto known = state.weeks();
  if (!known.empty()) {
    std::vector<int64_t> fresh;
    for (int64_t s : complete) {
      if (s > known.back().window_start) fresh.push_back(s);
      if (s < known.front().window_start) ++out.late_weeks;
    }
    state.add_weeks(fresh, WeekRole::incremental);
    return "";
  }
  ModelRegistry reg(c.db);
  if (auto ens = reg.latest_ensemble()) {  // models trained before run took over
    auto covered = windows_ending_by(complete, c.w, ens->data_to_us);
    std::vector<int64_t> later(complete.begin() + covered.size(), complete.end());
    state.add_weeks(covered, WeekRole::bootstrap, Stage::trained);
    state.add_weeks(later, WeekRole::incremental);
    return "";
  }
  std::vector<int64_t> boot;
  if (c.cfg.bootstrap_until) {
    const int64_t until = *c.cfg.bootstrap_until;
    const int64_t cut = c.w.start_of(until) == until ? until : c.w.end_of(until);
    if (!complete.empty() && cut <= complete.front())
      throw std::runtime_error(fmt::format("--until-bootstrap {} ends no week: the first week starts {}", day(until),
                                           day(complete.front())));
    boot = windows_ending_by(complete, c.w, cut);
    if (complete.empty() || complete.back() + c.w.length_us < cut)
      return fmt::format("the bootstrap weeks (ending {}) are not complete yet ({} complete weeks)", day(cut),
                         complete.size());
  } else {
    if (complete.size() < size_t(c.cfg.bootstrap_weeks))
      return fmt::format("{} of {} bootstrap weeks complete", complete.size(), c.cfg.bootstrap_weeks);
    boot.assign(complete.begin(), complete.begin() + c.cfg.bootstrap_weeks);
  }
  std::vector<int64_t> later(complete.begin() + boot.size(), complete.end());
  state.add_weeks(boot, WeekRole::bootstrap);
  state.add_weeks(later, WeekRole::incremental);
  return "";
}

// select + train (incremental schema) for each service, then the ensemble, on every probe before `cut`.
// A service whose model for this cut is already registered (a resumed run) is not trained again.
StageDone bootstrap_train(Context& c, int64_t cut) {
  auto t0 = Clock::now();
  ModelRegistry reg(c.db);
  std::vector<std::string> models, notes;
  for (Service s : model_services()) {
    const std::string name = service_name(s);
    features::SelectOptions so;
    so.until_us = cut;
    so.rules = c.cfg.select_rules;
    auto sel = features::select_service(c.db, s, so);
    if (sel.status == features::SelectStatus::no_labels || sel.status == features::SelectStatus::uninformative) {
      notes.push_back(fmt::format("{}: no selection ({})", name, features::status_name(sel.status)));
      continue;
    }
    auto last = reg.latest_model(name);
    if (last && last->data_to_us == cut && last->mode == "incremental") {
      models.push_back(last->version);
      continue;
    }
    TrainConfig tc = c.cfg.train;
    tc.from_us.reset();
    tc.until_us = cut;
    tc.schema_mode = features::SchemaMode::incremental;
    auto r = train_service(c.db, s, tc, c.detail);
    if (r.trained)
      models.push_back(r.run.version);
    else
      notes.push_back(fmt::format("{}: {}", name, r.why_not));
  }
  for (const auto& n : notes) c.detail("bootstrap: " + n);
  if (models.empty()) throw std::runtime_error("bootstrap: no service could be trained (" + join(notes, "; ") + ")");
  std::string ensemble;
  if (ensemble_is_current(c.db, cut)) {
    ensemble = reg.latest_ensemble()->version;
  } else {
    RefitConfig rc{std::nullopt, cut, c.cfg.proba, c.cfg.train.models_dir};
    auto e = refit_ensemble(c.db, c.w, rc, c.detail);
    if (!e.fitted) throw std::runtime_error("bootstrap: ensemble: " + e.why_not);
    c.detail(ensemble_summary(e));
    ensemble = e.run.version;
  }
  return {fmt::format("select+train {}, {}", join(models, "/"), ensemble), since(t0)};
}

// A bootstrap week is scored by models trained on it: its names are in-sample, and the log says so.
StageDone identify_week(Context& c, int64_t start, bool in_sample) {
  auto t0 = Clock::now();
  auto r = identify(c.db, c.w, start, start + c.w.length_us, c.detail, c.cfg.method);
  return {fmt::format("identify {} scanners ({}{})", r.scanners, r.ensemble, in_sample ? ", in-sample" : ""),
          since(t0)};
}

// Resumes each service's model on the week, then refits the ensemble on every week so far. update_service
// refuses a week its model already covers, and the ensemble is refitted only when it is not current, so a
// resumed run redoes exactly what the crash cut short.
StageDone update_week(Context& c, int64_t start) {
  auto t0 = Clock::now();
  const int64_t end = start + c.w.length_us;
  ModelRegistry reg(c.db);
  TrainConfig tc = c.cfg.train;
  tc.options = c.cfg.week_options;
  tc.schema_mode = features::SchemaMode::incremental;
  std::vector<std::string> models, notes;
  for (Service s : model_services()) {
    const std::string name = service_name(s);
    auto last = reg.latest_model(name);
    if (last && last->data_to_us >= end) {
      models.push_back(last->version);
      continue;
    }
    auto r = update_service(c.db, s, start, end, tc, c.detail);
    if (r.trained)
      models.push_back(r.run.version);
    else
      notes.push_back(fmt::format("{} kept ({})", last ? last->version : name, r.why_not));
  }
  for (const auto& n : notes) c.detail(fmt::format("{} week: {}", day(start), n));
  std::string ensemble;
  if (ensemble_is_current(c.db, end)) {
    ensemble = reg.latest_ensemble()->version;
  } else {
    RefitConfig rc{std::nullopt, end, c.cfg.proba, c.cfg.train.models_dir};
    auto e = refit_ensemble(c.db, c.w, rc, c.detail);
    c.detail(ensemble_summary(e));
    ensemble = e.fitted ? e.run.version : reg.latest_ensemble()->version + " kept";
  }
  return {fmt::format("update {}{}, {}", models.empty() ? "nothing" : join(models, "/"),
                      notes.empty() ? "" : fmt::format(" ({} kept)", notes.size()), ensemble),
          since(t0)};
}

StageDone report_week(Context& c, int64_t start, bool in_sample) {
  auto t0 = Clock::now();
  auto r = write_week_report(c.db, c.w, start, c.cfg.report_dir, in_sample);
  // The analyst's HTML page of the week, beside the text summary.
  report::ReportOptions o;
  o.from_us = start;
  o.to_us = start + c.w.length_us;
  o.title = "scannergrouper report, week of " + format_ts(start).substr(0, 10);
  auto html = report::build_report(c.db, o);
  std::string page =
      (std::filesystem::path(c.cfg.report_dir) / ("week-" + format_ts(start).substr(0, 10) + ".html")).string();
  write_text_atomically(page, html.html);
  return {fmt::format("report {} and {}", r.path, page), since(t0)};
}

bool stopped(const WeeklyConfig& cfg) { return cfg.stop && cfg.stop->load(); }

}  // namespace

WeeklyOutcome run_weeks(Db& db, const WeeklyConfig& cfg, const RunLog& log, const RunLog& detail) {
  Context c{db, cfg, stored_windows(db), detail};
  RunState state(db);
  WeeklyOutcome out;
  out.waiting = plan(c, state, out);
  if (out.late_weeks)
    log(
        fmt::format("warning: {} complete week(s) before the first week run processed are not processed "
                    "(captures are expected in time order)",
                    out.late_weeks));
  auto weeks = state.weeks();
  int64_t cut = 0;  // end of the bootstrap weeks
  for (const auto& wk : weeks)
    if (wk.role == WeekRole::bootstrap) cut = wk.window_start + c.w.length_us;

  for (auto& wk : weeks) {
    if (wk.stage == Stage::reported) {
      ++out.done_weeks;
      continue;
    }
    std::vector<std::string> parts;
    while (wk.stage != Stage::reported && !stopped(cfg)) {
      const Stage to = next_stage(wk.role, wk.stage);
      StageDone done;
      std::vector<WeekState*> which = {&wk};
      if (to == Stage::trained) {
        // The bootstrap weeks are trained on together; all of them move to `trained` at once.
        done = bootstrap_train(c, cut);
        which.clear();
        for (auto& b : weeks)
          if (b.role == WeekRole::bootstrap && b.stage == Stage::pending) which.push_back(&b);
        log(fmt::format("bootstrap on {} week(s) until {}: {} {:.1f} s", which.size(), day(cut), done.text,
                        done.seconds));
      } else if (to == Stage::identified) {
        done = identify_week(c, wk.window_start, wk.role == WeekRole::bootstrap);
      } else if (to == Stage::updated) {
        done = update_week(c, wk.window_start);
      } else {
        done = report_week(c, wk.window_start, wk.role == WeekRole::bootstrap);
      }
      const std::string text = fmt::format("{} {:.1f} s", done.text, done.seconds);
      std::vector<int64_t> starts;
      for (auto* b : which) starts.push_back(b->window_start);
      state.advance(starts, to, done.seconds, text);
      for (auto* b : which) b->stage = to;
      ++out.transitions;
      if (to != Stage::trained) parts.push_back(text);
    }
    if (!parts.empty()) log(fmt::format("{} week: {}", day(wk.window_start), join(parts, "; ")));
    if (wk.stage == Stage::reported) ++out.done_weeks;
    if (stopped(cfg)) break;
  }
  return out;
}

}  // namespace sg::workflow
