// `select`: rank every field by mutual information with the organisation, freeze the top ones and store
// the first encoding schemas (docs/METHOD.md).
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/common.h"
#include "features/select.h"
#include "storage/probe_store.h"
#include "util/terminal.h"
#include "util/time.h"

namespace sg::cli {

namespace {

using namespace sg::features;

struct SelectArgs {
  std::string db, until, service, format = "table";
  int top = 6;
  bool keep_random = false, force = false;
};

void print_table(const SelectOutcome& o) {
  const Ranking& r = o.ranking;
  const char* svc = service_name(r.service);
  if (o.status == SelectStatus::no_labels) {
    fmt::print("{}: no labelled probes before {}; nothing selected\n\n", svc, format_ts(r.until_us));
    return;
  }
  if (o.status == SelectStatus::uninformative) {
    fmt::print(
        "{}: {} labelled probes of {} organisation(s) before {}: no field tells organisations apart; "
        "nothing selected\n\n",
        svc, r.probes, r.orgs, format_ts(r.until_us));
    return;
  }
  fmt::print("{}: {} labelled probes before {}, {} organisations, H(org) = {:.4f} nats\n", svc, r.probes,
             format_ts(r.until_us), r.orgs, r.h_org);
  fmt::print("{:>4}  {:<22} {:>9}  {:>17} {:>6}  {:<6}  {}\n", "rank", "field", "MI (nats)", "distinct/present",
             "ratio", "flag", "selected");
  int rank = 0;
  for (const FieldRank& f : r.fields)
    fmt::print("{:>4}  {:<22} {:>9.4f}  {:>17} {:>6.3f}  {:<6}  {}\n", ++rank, f.field, f.mi,
               fmt::format("{}/{}", f.distinct, f.present), f.ratio, f.random ? "random" : "", f.selected ? "*" : "");
  fmt::print("selected (frozen): {}\n", fmt::join(o.selected, ", "));
  fmt::print(
      "schema v1: full {}x{} ({} cells), incremental {}x{} ({} of {} cells); tokens: {} kept, {} under "
      "the minimum count, {} over the cap\n",
      o.full.side, o.full.side, o.full.cells.size(), o.incremental.side, o.incremental.side, o.incremental.cells.size(),
      o.incremental.capacity(), o.full_report.tokens_kept, o.full_report.below_min_count, o.full_report.over_cap);
  for (const SkipLog* s : {&r.skips, &o.vocabulary_skips})
    if (s->count)  // the examples quote stored probes
      fmt::print("skipped {} damaged stored probes: {}\n", s->count,
                 term_safe(fmt::format("{}", fmt::join(s->examples, "; "))));
  fmt::print("status: {}\n\n", status_name(o.status));
}

nlohmann::json to_json(const SelectOutcome& o) {
  const Ranking& r = o.ranking;
  nlohmann::json j = {{"service", service_name(r.service)},
                      {"until", format_ts(r.until_us)},
                      {"status", status_name(o.status)},
                      {"probes", r.probes},
                      {"orgs", r.orgs},
                      {"h_org", r.h_org}};
  j["ranking"] = nlohmann::json::array();
  for (const FieldRank& f : r.fields) {
    const FieldSpec* spec = find_field(r.service, f.field);
    j["ranking"].push_back({{"field", f.field},
                            {"mi", f.mi},
                            {"distinct", f.distinct},
                            {"present", f.present},
                            {"ratio", f.ratio},
                            {"random", f.random},
                            {"selected", f.selected},
                            {"kind", kind_name(spec->kind)},
                            {"width", spec->width},
                            {"tokens", spec->tokens}});
  }
  j["selected"] = o.selected;
  if (o.status != SelectStatus::no_labels && o.status != SelectStatus::uninformative) {
    j["schema"] = {{"version", o.full.version},
                   {"full", {{"side", o.full.side}, {"cells", o.full.cells.size()}}},
                   {"incremental", {{"side", o.incremental.side}, {"cells", o.incremental.cells.size()}}},
                   {"tokens_kept", o.full_report.tokens_kept},
                   {"below_min_count", o.full_report.below_min_count},
                   {"over_cap", o.full_report.over_cap}};
  }
  j["skipped"] = r.skips.count + o.vocabulary_skips.count;
  return j;
}

void run_select(const SelectArgs& a) {
  SelectOptions opt;
  opt.until_us = parse_date_us(a.until);
  opt.rules.top = a.top;
  opt.rules.keep_random = a.keep_random;
  opt.force = a.force;
  std::vector<Service> services = features::feature_services();
  if (!a.service.empty()) {
    auto s = service_from_name(a.service);
    if (!s || service_fields(*s).empty())
      throw CLI::ValidationError("--service", fmt::format("no features for service '{}'", a.service));
    services = {*s};
  }
  ProbeStore store(a.db);
  std::vector<SelectOutcome> outcomes;
  for (Service s : services) outcomes.push_back(select_service(store.db(), s, opt));
  // Without a single labelled probe nothing can be ranked: say what to run first instead of a table of
  // "nothing selected" and exit 0.
  if (std::all_of(outcomes.begin(), outcomes.end(),
                  [](const SelectOutcome& o) { return o.status == SelectStatus::no_labels; }))
    throw std::runtime_error(
        fmt::format("no labelled probes before {}: import labels first (scannergrouper labels import)",
                    format_ts(opt.until_us).substr(0, 10)));
  nlohmann::json all = nlohmann::json::array();
  for (const SelectOutcome& o : outcomes) {
    if (a.format == "json")
      all.push_back(to_json(o));
    else
      print_table(o);
  }
  if (a.format == "json") print_json(all);
}

}  // namespace

void add_select(CLI::App& app) {
  auto args = std::make_shared<SelectArgs>();
  auto* cmd = app.add_subcommand(
      "select", "Rank probe fields by mutual information with the organisation and freeze the top ones");
  cmd->footer(
      "Each field's whole value is one category; its mutual information (nats) with the organisation is\n"
      "measured over labelled probes before --until (evaluation-unknown orgs such as censys and driftnet\n"
      "count as unlabelled). Fields whose values are nearly all distinct (TLS random, gmt_unix_time, session\n"
      "ids, DNS ids) score high only because every value is unique: they are flagged 'random' and left out\n"
      "unless --keep-random. The top --top fields are frozen for http, tls, ssh, rdp and syn; dns keeps\n"
      "every header field plus qname. The first encoding schemas (full: square side; incremental: 32x32,\n"
      "dns 16x16) are built from all probes before --until (tokens seen at least 10 times, 1024 cells at\n"
      "most) and stored in the database. A rerun with the same inputs changes nothing. --format json prints\n"
      "one array with an object per service.\n"
      "Example:\n  scannergrouper select --db scanners.db --until 2025-01-20 --service tls");
  cmd->add_option("--db", args->db, fmt::format("database written by ingest, with labels {}", kDbHelp))
      ->required()
      ->check(kExistingDb);
  cmd->add_option("--until", args->until, "end of the first period (YYYY-MM-DD or RFC 3339, UTC), exclusive")
      ->required();
  cmd->add_option("--service", args->service, "only this service (http tls dns ssh rdp syn)");
  cmd->add_option("--top", args->top, "fields to keep per service (not dns)")
      ->check(CLI::Range(1, 64))
      ->capture_default_str();
  cmd->add_flag("--keep-random", args->keep_random, "keep per-probe random fields (reproduces the reference)");
  cmd->add_flag("--force", args->force, "replace a different selection already frozen (and its schema versions)");
  add_format_option(cmd, args->format, {"table", "json"}, "table or json (one array, an object per service)");
  cmd->callback([args] { run_select(*args); });
}

}  // namespace sg::cli
