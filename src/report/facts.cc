// Sections read from what other commands stored: evaluation tables, the MI ranking, model and training facts.
#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "report/plot.h"
#include "report/sections.h"
#include "storage/model_registry.h"
#include "storage/report_queries.h"

namespace sg::report {

using nlohmann::json;

namespace {

// Stored JSON is read defensively: a missing or mistyped member reads as empty or 0, never throws.
const json& obj(const json& j, const char* key) {
  static const json empty = json::object();
  if (!j.is_object()) return empty;
  auto it = j.find(key);
  return it != j.end() && it->is_object() ? *it : empty;
}

double num(const json& j, const char* key) {
  if (!j.is_object()) return 0;
  auto it = j.find(key);
  return it != j.end() && it->is_number() ? it->get<double>() : 0;
}

std::string text_of(const json& j, const char* key, const std::string& otherwise) {
  if (!j.is_object()) return otherwise;
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : otherwise;
}

const json& array_of(const json& j, const char* key) {
  static const json empty = json::array();
  if (!j.is_object()) return empty;
  auto it = j.find(key);
  return it != j.end() && it->is_array() ? *it : empty;
}

std::string count_of(const json& j, const char* key) { return std::to_string(int64_t(num(j, key))); }

// One stored scores object (workflow/evaluate.cc's JSON) as a table; classes under min_support hidden.
void scores_table(Context& c, const json& scores, const std::string& caption) {
  std::vector<std::vector<std::string>> rows;
  auto row = [&](const std::string& name, const json& s) {
    rows.push_back(
        {name, fixed(num(s, "precision")), fixed(num(s, "recall")), fixed(num(s, "f1")), count_of(s, "support")});
  };
  int hidden = 0;
  for (const auto& [name, s] : obj(scores, "classes").items()) {
    if (num(s, "support") < c.options.min_support) {
      ++hidden;
      continue;
    }
    row(name, s);
  }
  row("weighted avg", obj(scores, "weighted"));
  row("macro avg", obj(scores, "macro"));
  std::string cap = caption;
  if (hidden)
    cap += fmt::format(" {} organisations with fewer than {} rows hidden (averages include them).", hidden,
                       c.options.min_support);
  c.html.table({"organisation", "precision", "recall", "F1", "support"}, rows, cap);
}

}  // namespace

void evaluation_section(Context& c) {
  c.section("evaluation", "Evaluation against the labels");
  if (table_rows(c.db, "probe_labels") == 0) {
    c.note(
        "No evaluation: the database holds no labels ('scannergrouper labels import' adds published scanner "
        "lists), so there is nothing to score the attributions against.");
    return;
  }
  if (!c.db.has_table("evaluations")) {
    c.note("Labels exist but no evaluation is stored: run 'scannergrouper evaluate' for the range.");
    return;
  }
  int shown = 0;
  for (const auto& ev : evaluations_overlapping(c.db, c.from_us, c.to_us)) {
    json e = json::parse(ev.json, nullptr, false);
    if (!e.is_object()) continue;
    ++shown;
    c.html.subheading(fmt::format("{} .. {}, {}", date_of(ev.from_us), date_of(ev.to_us), ev.ensemble));
    const json& sc = obj(e, "scanners");
    scores_table(c, sc,
                 fmt::format("Scanner level: each (week, ip) against its label; {} rows scored, {} without a label "
                             "not scored. Evaluation-unknown organisations are scored as \"unknown\".",
                             count_of(sc, "rows"), count_of(e, "unlabelled_scanners")));
    std::vector<std::pair<std::string, double>> bars;
    for (const auto& [name, x] : obj(sc, "classes").items())
      if (num(x, "support") >= c.options.min_support) bars.emplace_back(plot_label(name), num(x, "f1"));
    if (!bars.empty())
      c.figure(bar_chart("Scanner-level F1 per organisation", bars, "F1"),
               fmt::format("F1 per organisation, {} .. {}.", date_of(ev.from_us), date_of(ev.to_us)));
    if (e.contains("baseline")) {
      const json& b = obj(e, "baseline");
      c.note(
          fmt::format("Method {}. The exact-match baseline on the same {} rows (each probe's selected fields "
                      "looked up among the training probes, majority organisation, per-ip vote): weighted F1 "
                      "{} against the method's {} (margin {:+.3f}). Unlabelled scanners named: the method {}, "
                      "the baseline {}.",
                      text_of(e, "method", "?"), count_of(b, "rows"), fixed(num(obj(b, "weighted"), "f1")),
                      fixed(num(obj(sc, "weighted"), "f1")), num(e, "margin_weighted_f1"),
                      count_of(e, "unlabelled_named"), count_of(e, "baseline_unlabelled_named")));
    }
    if (e.contains("truth")) {
      std::vector<std::vector<std::string>> rows;
      for (const char* who : {"model", "baseline", "ceiling"}) {
        const json& t = obj(obj(e, "truth"), who);
        rows.push_back({who, count_of(t, "named"), fixed(num(t, "precision")), fixed(num(t, "false_attribution_rate")),
                        count_of(t, "false_attributions"), count_of(t, "no_org_scanners")});
      }
      c.html.table(
          {"", "names", "precision", "false-attribution rate", "false attributions", "scanners of no known org"}, rows,
          "Every scanner judged by the simulator's truth: a false attribution is a name given to a scanner "
          "of no known organisation (the unattributed population, evaluation-unknown or unlisted "
          "organisations). The ceiling knows every test payload's true senders.");
    }
    if (e.contains("reliability")) {
      std::vector<std::vector<std::string>> rows;
      for (const auto& b : array_of(obj(e, "reliability"), "bins"))
        if (num(b, "names") > 0)
          rows.push_back({fixed(num(b, "from"), 1) + "-" + fixed(num(b, "to"), 1), count_of(b, "names"),
                          count_of(b, "judged"),
                          num(b, "judged") > 0 ? fixed(num(b, "right") / num(b, "judged")) : std::string("-")});
      if (!rows.empty())
        c.html.table({"confidence", "names", "judged", "right"}, rows,
                     fmt::format("Reliability: names by their confidence against how often they are right (judged "
                                 "by the {}).",
                                 text_of(obj(e, "reliability"), "judged_by", "labels")));
    }
    for (const auto& [svc, ps] : obj(e, "probes").items())
      scores_table(c, ps, fmt::format("Probe level, {}: {} labelled probes.", svc, count_of(ps, "rows")));
  }
  if (!shown) c.note("Labels exist but no evaluation overlaps this range: run 'scannergrouper evaluate' for it.");
}

void ranking_section(Context& c) {
  c.section("ranking", "Field ranking by mutual information");
  if (table_rows(c.db, "feature_selection") == 0) {
    c.note("No field ranking: run 'scannergrouper select' (it needs labelled probes).");
    return;
  }
  for (const auto& service : ranked_services(c.db)) {
    std::vector<std::vector<std::string>> rows;
    std::vector<std::pair<std::string, double>> bars;
    int64_t until = 0;
    for (const auto& f : field_ranking(c.db, service)) {
      until = f.until_us;
      rows.push_back({std::to_string(f.rank), f.field, fixed(f.mi, 4), std::to_string(f.distinct_values),
                      std::to_string(f.present), fixed(f.ratio, 3), f.random ? "yes" : "",
                      f.selected ? "selected" : ""});
      if (bars.size() < 15) bars.emplace_back(plot_label(f.field), f.mi);
    }
    c.html.subheading(service);
    c.html.table({"rank", "field", "MI (nats)", "distinct", "present", "distinct/present", "random-like", "selected"},
                 rows,
                 fmt::format("Labelled probes before {}; random-like fields (nearly every value distinct) are left out "
                             "of the selection.",
                             date_of(until)));
    c.figure(bar_chart(service + ": mutual information with the organisation", bars, "MI (nats)"),
             fmt::format("{}: the fields ranked by mutual information (top 15).", service));
  }
}

void models_section(Context& c) {
  c.section("models", "Models and training");
  if (table_rows(c.db, "model_runs") == 0) {
    c.note("No model trained yet: run 'scannergrouper train'.");
  } else {
    std::vector<std::vector<std::string>> rows;
    for (const auto& m : ModelRegistry(c.db).models()) {
      std::string names;
      for (const auto& x : m.classes) names += (names.empty() ? "" : ", ") + x;
      rows.push_back({m.version, m.mode, m.backbone, std::to_string(m.schema_version),
                      fmt::format("{} .. {}", date_of(m.data_from_us), date_of(m.data_to_us)),
                      std::to_string(m.iterations), fixed(m.seconds, 1), m.parent ? std::to_string(*m.parent) : "",
                      names, m.created.substr(0, 19)});
    }
    c.html.table({"model", "mode", "backbone", "schema", "training data", "iterations", "seconds", "parent", "classes",
                  "created"},
                 rows, "Every per-service model; the newest of a service is in use.");
  }
  if (table_rows(c.db, "ensemble_runs")) {
    std::vector<std::vector<std::string>> rows;
    for (const auto& r : ModelRegistry(c.db).ensembles()) {
      std::string m;
      for (const auto& x : r.service_models)
        if (!x.empty()) m += (m.empty() ? "" : ", ") + x;
      rows.push_back({r.version, m, std::to_string(r.classes.size()), fixed(r.theta, 2), r.proba, date_of(r.data_to_us),
                      std::to_string(r.rows), fixed(r.train_f1), r.created.substr(0, 19)});
    }
    c.html.table(
        {"ensemble", "service models", "classes", "θ", "probability", "trained until", "rows", "train F1", "created"},
        rows, "Logistic-regression ensembles over the per-service votes; θ is the unknown threshold.");
  }
  if (table_rows(c.db, "feature_schema")) {
    std::vector<std::vector<std::string>> rows;
    for (const auto& f : feature_schema_rows(c.db))
      rows.push_back({f.service, f.mode, std::to_string(f.version), fmt::format("{}×{}", f.side, f.side),
                      std::to_string(f.cells), f.created.substr(0, 19)});
    c.html.table({"service", "mode", "version", "image", "cells", "created"}, rows,
                 "Encoding schemas (versions only append cells).");
  }
}

}  // namespace sg::report
