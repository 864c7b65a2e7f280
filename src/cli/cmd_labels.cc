// `labels`: ground truth for the scanner database (README, Labels) — import published lists, look addresses
// up at a time, report counts, refusals and conflicts; search-engine tags (make, find).
#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/common.h"
#include "labels/labels.h"
#include "storage/probe_store.h"
#include "util/terminal.h"
#include "util/time.h"
#include "util/verbosity.h"

namespace sg::cli {

namespace {

using namespace sg::labels;

// Organisation and source names, refusal reasons and paths come from label files (and their names): every
// one of them goes through term_safe before it is printed for people (util/terminal.h).
std::string T(std::string_view s) { return term_safe(s); }

const char* const kPolicyHelp =
    "Policy (--policy, stored with the labels): lpm (default) = the most specific entries valid at the probe's\n"
    "time decide, a narrower entry beats a wider one, and entries of that same prefix naming different\n"
    "organisations leave the address unlabelled (a conflict); agree[:N] = lpm and at least N (default 2)\n"
    "distinct sources name the organisation; narrow-or-agree[:N] = lpm and either the deciding prefix is\n"
    "narrow (IPv4 /24+, IPv6 /48+) or N sources agree. Conflicts are listed by 'labels stats --conflicts'.";

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream ss(text);
  for (std::string part; std::getline(ss, part, ',');)
    if (!part.empty()) out.push_back(part);
  return out;
}

Policy policy_arg(const std::string& text) {
  auto p = parse_policy(text);
  if (!p)
    throw CLI::ValidationError("--policy",
                               fmt::format("unknown policy '{}' (lpm, agree[:N], narrow-or-agree[:N])", text));
  return *p;
}

int64_t time_arg(const std::string& text) {
  if (text.empty())
    return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
  return parse_date_us(text);
}

// Reading commands must not create an empty database from a mistyped path.
void require_db(const std::string& path) {
  if (!database_exists(path)) throw std::runtime_error(fmt::format("{}: no such database", path));
}

// ---- import ----

struct ImportArgs {
  std::string db, org, source, period, aliases, rules, eval_unknown, policy, format = "table";
  bool force = false, ptr = false, rdns_live = false;
  size_t show_refusals = 10, rdns_max = 10000;
  std::vector<std::string> lists;
};

void print_report(const ImportReport& r, size_t show_refusals, const std::string& format) {
  std::map<std::string, size_t> per_source, per_org;
  size_t entries = 0, refused = 0, unlabelled = 0, unchanged = 0, duplicates = 0, not_lists = 0;
  nlohmann::json files = nlohmann::json::array();
  for (const auto& f : r.files) {
    nlohmann::json fj = {{"path", f.path}, {"status", to_string(f.status)}};
    if (f.status == FileStatus::unchanged) ++unchanged;
    if (f.status == FileStatus::duplicate) {
      ++duplicates;
      fj["same_as"] = f.same_as;
      if (chatty()) fmt::print(stderr, "duplicate: {}: same content as {}\n", T(f.path), T(f.same_as));
    }
    if (f.status == FileStatus::not_a_list) {
      ++not_lists;
      fj["skip_reason"] = f.list.skip_reason;
      files.push_back(fj);
      fmt::print(stderr, "skip: {}: {}\n", T(f.path), T(f.list.skip_reason));  // a file left out: also under -q
      continue;
    }
    entries += f.list.entries.size();
    refused += f.list.refused.size();
    unlabelled += f.list.unlabelled;
    fj["entries"] = f.list.entries.size();
    fj["refused"] = f.list.refused.size();
    files.push_back(fj);
    for (const auto& e : f.list.entries) {
      ++per_source[e.source];
      ++per_org[e.org];
    }
    // Refused lines are data left out: named under -q too.
    for (size_t i = 0; i < f.list.refused.size() && i < show_refusals; ++i) {
      const auto& x = f.list.refused[i];
      fmt::print(stderr, "refused: {}:{}: {}\n", T(x.file), x.line, T(x.reason));
    }
    if (f.list.refused.size() > show_refusals)
      fmt::print(stderr, "refused: {}: ... {} more (labels stats --refusals N lists them)\n", T(f.path),
                 f.list.refused.size() - show_refusals);
  }
  const size_t imported = r.files.size() - unchanged - duplicates - not_lists;
  const auto& l = r.relabel;
  if (format == "json") {
    print_json(nlohmann::json{{"entries", entries},
                              {"files", files},
                              {"imported_files", imported},
                              {"unchanged", unchanged},
                              {"duplicates", duplicates},
                              {"not_lists", not_lists},
                              {"refused", refused},
                              {"unlabelled", unlabelled},
                              {"per_source", per_source},
                              {"per_org", per_org},
                              {"rdns", {{"resolved", r.rdns_resolved}, {"matched", r.rdns_matched}}},
                              {"relabel",
                               {{"probes", l.probes},
                                {"labelled", l.labelled},
                                {"added", l.added},
                                {"changed", l.changed},
                                {"removed", l.removed},
                                {"conflicts", l.conflicts},
                                {"too_weak", l.too_weak}}},
                              {"seconds", r.seconds}});
    return;
  }
  for (const auto& [s, n] : per_source) fmt::print("source\t{}\t{}\n", T(s), n);
  for (const auto& [o, n] : per_org) fmt::print("org\t{}\t{}\n", T(o), n);
  if (!chatty()) return;
  fmt::print(stderr,
             "imported {} entries from {} files ({} unchanged, {} duplicates, {} not label lists); {} lines refused, "
             "{} rows name no organisation\n",
             entries, imported, unchanged, duplicates, not_lists, refused, unlabelled);
  if (r.rdns_resolved > 0)
    fmt::print(stderr, "rdns-live: {} addresses had a PTR name, {} matched a rule\n", r.rdns_resolved, r.rdns_matched);
  fmt::print(stderr,
             "relabelled {} probes: {} labelled ({} new, {} changed, {} removed), {} conflicts, {} below policy; "
             "{:.2f} s\n",
             l.probes, l.labelled, l.added, l.changed, l.removed, l.conflicts, l.too_weak, r.seconds);
}

void run_import_cmd(const ImportArgs& a) {
  if (a.lists.empty() && !a.rdns_live)
    throw CLI::ValidationError("lists", "name at least one list file or folder (or --rdns-live)");
  ImportRequest req;
  req.paths = a.lists;
  req.options.org = a.org;
  req.options.source = a.source;
  req.options.source_forced = !a.source.empty();
  req.options.force = a.force;
  req.ptr_table = a.ptr;
  req.rdns_live = a.rdns_live;
  req.rdns_max = a.rdns_max;
  if (!a.period.empty()) {
    req.options.period = parse_period(a.period);
    if (!req.options.period)
      throw CLI::ValidationError(
          "--period", fmt::format("'{}' is not a period (2024, 2024_1Q, 2024-12-01..2025-03-31, current)", a.period));
  }
  if (!a.aliases.empty()) req.aliases_file = a.aliases;
  if (!a.rules.empty()) req.rules_file = a.rules;
  if (!a.eval_unknown.empty()) req.eval_unknown = split_list(a.eval_unknown);
  if (!a.policy.empty()) req.policy = policy_arg(a.policy);
  ProbeStore store(a.db);
  ImportReport r = run_import(store.db(), req);
  print_report(r, a.show_refusals, a.format);
}

// ---- lookup ----

struct LookupArgs {
  std::string db, at, policy, format = "table";
  bool explain = false;
  std::vector<std::string> ips;
};

void run_lookup(const LookupArgs& a) {
  require_db(a.db);
  ProbeStore probes(a.db, Access::read_only);
  LabelStore store(probes.db());
  PrefixIndex index = store.load_index();
  Policy policy = a.policy.empty() ? store.policy() : policy_arg(a.policy);
  int64_t t = time_arg(a.at);
  if (a.format == "table") fmt::print("ip\tat\torg\tverdict\tsources\n");
  nlohmann::ordered_json all = nlohmann::ordered_json::array();
  for (const auto& text : a.ips) {
    IpAddr ip;
    if (!parse_ip(text, ip)) throw std::invalid_argument(fmt::format("'{}' is not an IP address", text));
    const LabelAnswer ans = explain(index, ip, t, policy, a.explain);
    if (a.format != "table") {
      // built by the JSON library: a name with a quote or a control byte cannot break the line
      nlohmann::ordered_json j = {{"ip", text},
                                  {"at", ans.at},
                                  {"org", nullptr},
                                  {"verdict", to_string(ans.verdict)},
                                  {"sources", ans.sources}};
      if (ans.org) j["org"] = *ans.org;
      if (a.explain) {  // every entry covering the address, at any time
        j["entries"] = nlohmann::ordered_json::array();
        for (const EntryText& e : ans.entries)
          j["entries"].push_back({{"prefix", e.prefix},
                                  {"org", e.org},
                                  {"source", e.source},
                                  {"period", e.period},
                                  {"valid_then", e.valid_then}});
      }
      if (a.format == "json")
        all.push_back(std::move(j));
      else
        print_json(j);
      continue;
    }
    fmt::print("{}\t{}\t{}\t{}\t{}\n", T(text), ans.at, ans.org ? T(*ans.org) : "-", to_string(ans.verdict),
               ans.sources.empty() ? "-" : T(ans.sources));
    for (const EntryText& e : ans.entries)
      fmt::print("  {}\t{}\t{}\t{}{}\n", e.prefix, T(e.org), T(e.source), e.period,
                 e.valid_then ? "" : "\t(not valid then)");
  }
  if (a.format == "json") print_json(all);
}

// ---- stats / config ----

struct StatsArgs {
  std::string db, format = "table";
  bool conflicts = false;
  size_t refusals = 0, limit = 50;
};

nlohmann::json entry_json(const PrefixIndex& index, const Entry* e) {
  const EntryText t = entry_text(index, *e, 0);
  return {{"prefix", t.prefix}, {"org", t.org}, {"source", t.source}, {"period", t.period}};
}

void run_stats(const StatsArgs& a) {
  require_db(a.db);
  ProbeStore probes(a.db, Access::read_only);
  LabelStore store(probes.db());
  auto eu = eval_unknown(probes.db());
  if (a.format == "json") {
    nlohmann::json j = {{"policy", to_string(store.policy())}, {"eval_unknown", eu}};
    j["imports"] = nlohmann::json::array();
    for (const auto& i : store.imports())
      j["imports"].push_back({{"path", i.path},
                              {"format", i.format},
                              {"entries", i.entries},
                              {"refused", i.refused},
                              {"unlabelled", i.unlabelled}});
    j["sources"] = store.count_by("source");
    j["orgs"] = store.count_by("org");
    j["refused"] = store.refusal_reasons();
    j["probes"] = store.probe_label_counts();
    j["refusals"] = nlohmann::json::array();
    for (const auto& [path, r] : store.refusals(a.refusals))
      j["refusals"].push_back({{"file", path}, {"line", r.line}, {"reason", r.reason}});
    if (a.conflicts) {
      PrefixIndex index = store.load_index();
      ConflictReport c = find_conflicts(index, a.limit);
      nlohmann::json listed = nlohmann::json::array();
      for (const auto& x : c.listed)
        listed.push_back({{"kind", x.same_prefix() ? "same-prefix" : "nested"},
                          {"wide", entry_json(index, x.wide)},
                          {"narrow", entry_json(index, x.narrow)}});
      j["conflicts"] = {{"same_prefix", c.same_prefix}, {"nested", c.nested}, {"listed", listed}};
    }
    print_json(j);
    return;
  }
  fmt::print("policy\t{}\neval_unknown\t", to_string(store.policy()));
  for (size_t i = 0; i < eu.size(); ++i) fmt::print("{}{}", i ? "," : "", T(eu[i]));
  fmt::print("\n");
  for (const auto& i : store.imports())
    fmt::print("import\t{}\t{}\t{} entries\t{} refused\t{} unlabelled\n", T(i.path), T(i.format), i.entries, i.refused,
               i.unlabelled);
  for (const auto& [s, n] : store.count_by("source")) fmt::print("source\t{}\t{}\n", T(s), n);
  for (const auto& [o, n] : store.count_by("org")) fmt::print("org\t{}\t{}\n", T(o), n);
  for (const auto& [r, n] : store.refusal_reasons()) fmt::print("refused\t{}\t{}\n", T(r), n);
  for (const auto& [o, n] : store.probe_label_counts()) fmt::print("probes\t{}\t{}\n", T(o), n);
  for (const auto& [path, r] : store.refusals(a.refusals))
    fmt::print("refusal\t{}:{}\t{}\n", T(path), r.line, T(r.reason));
  if (!a.conflicts) return;
  PrefixIndex index = store.load_index();
  ConflictReport c = find_conflicts(index, a.limit);
  fmt::print("conflicts\tsame-prefix {}\tnested {}\n", c.same_prefix, c.nested);
  auto side = [&](const Entry* e) {
    const EntryText t = entry_text(index, *e, 0);
    return fmt::format("{} {} ({}, {})", t.prefix, T(t.org), T(t.source), t.period);
  };
  for (const auto& x : c.listed)
    fmt::print("conflict\t{}\t{}\tvs\t{}\n", x.same_prefix() ? "same-prefix" : "nested", side(x.wide), side(x.narrow));
}

struct ConfigArgs {
  std::string db, eval_unknown, policy, format = "table";
};

void run_config(const ConfigArgs& a) {
  ProbeStore probes(a.db);
  Transaction tx(probes.db());
  LabelStore store(probes.db());
  bool changed = false;
  if (!a.eval_unknown.empty()) {
    store.set_eval_unknown(split_list(a.eval_unknown));
    changed = true;
  }
  if (!a.policy.empty()) {
    store.set_policy(policy_arg(a.policy));
    changed = true;
  }
  RelabelStats st;
  if (changed) st = store.relabel(store.load_index(), store.policy());
  tx.commit();
  auto eu = eval_unknown(probes.db());
  if (a.format == "json") {
    nlohmann::json j = {{"policy", to_string(store.policy())}, {"eval_unknown", eu}, {"changed", changed}};
    if (changed) j["relabel"] = {{"probes", st.probes}, {"labelled", st.labelled}};
    print_json(j);
    return;
  }
  std::string list;
  for (const auto& o : eu) list += (list.empty() ? "" : ",") + o;
  fmt::print("policy\t{}\neval_unknown\t{}\n", to_string(store.policy()), T(list));
  if (changed && chatty()) fmt::print(stderr, "relabelled {} probes: {} labelled\n", st.probes, st.labelled);
}

// ---- tags ----

struct TagArgs {
  std::string key_file, ip, time, cookie, format = "table";
  std::string org;  // find-tags: the search engine whose export this is (rows become importable labels)
  uint32_t sensor = 0;
  uint64_t record = 0;
  std::vector<std::string> files;
  std::string out;
};

void run_tag(const TagArgs& a) {
  TagRecord rec;
  rec.sensor = a.sensor;
  rec.record = a.record;
  rec.time_us = time_arg(a.time);
  if (!parse_ip(a.ip, rec.scanner)) throw std::invalid_argument(fmt::format("'{}' is not an IP address", a.ip));
  std::string tag = make_tag(load_tag_key(a.key_file), rec);
  if (a.format == "json") {
    nlohmann::json j = {{"tag", tag},
                        {"scanner", to_string(rec.scanner)},
                        {"time", format_ts(rec.time_us)},
                        {"sensor", rec.sensor},
                        {"record", rec.record}};
    if (!a.cookie.empty()) j["set_cookie"] = fmt::format("{}={}; Path=/; HttpOnly", a.cookie, tag);
    print_json(j);
  } else if (a.cookie.empty())
    fmt::print("{}\n", tag);
  else
    fmt::print("Set-Cookie: {}={}; Path=/; HttpOnly\n", a.cookie, tag);
}

void run_find_tags(const TagArgs& a) {
  TagKey key = load_tag_key(a.key_file);
  size_t found = 0;
  nlohmann::ordered_json all = nlohmann::ordered_json::array();
  for (const auto& f : a.files) {
    std::string text;
    if (f == "-") {
      std::ostringstream ss;
      ss << std::cin.rdbuf();
      text = ss.str();
    } else {
      std::ifstream in(f, std::ios::binary);
      if (!in) throw std::runtime_error(fmt::format("{}: cannot read", f));
      std::ostringstream ss;
      ss << in.rdbuf();
      text = ss.str();
    }
    for (const auto& t : find_tags(key, text)) {
      ++found;
      nlohmann::ordered_json j = {{"file", f},
                                  {"offset", t.offset},
                                  {"scanner", to_string(t.record.scanner)},
                                  {"time", format_ts(t.record.time_us)},
                                  {"sensor", t.record.sensor},
                                  {"record", t.record.record}};
      if (!a.org.empty()) {
        // A label record `labels import` reads (JSON records: ip, org, period, source): the engine's
        // scanner address belonged to it on the day the tag was made.
        j["ip"] = to_string(t.record.scanner);
        j["org"] = a.org;
        j["period"] = format_ts(t.record.time_us).substr(0, 10);
        j["source"] = "tags";
      }
      if (a.format == "json")
        all.push_back(std::move(j));
      else
        print_json(j);
    }
  }
  if (a.format == "json") print_json(all);
  if (chatty()) fmt::print(stderr, "{} tags found\n", found);
}

}  // namespace

void add_labels(CLI::App& app) {
  auto* labels = app.add_subcommand("labels", "Ground truth: import scanner lists, look addresses up, tag sensors");
  labels->require_subcommand(1);
  labels->footer(
      "Labels say which organisation an address belonged to at a given time (longest-prefix match over\n"
      "published scanner lists, each entry valid for its period). Probes in the database are relabelled after\n"
      "every import, and 'ingest' labels the probes it adds. Every subcommand takes -q and -v, and those that\n"
      "print a result --format json (one JSON document on stdout).\n"
      "Example:\n"
      "  scannergrouper labels import --db scanners.db lists/\n"
      "  scannergrouper labels lookup --db scanners.db --at 2023-07-08 159.203.208.13");

  {
    auto a = std::make_shared<ImportArgs>();
    auto* c =
        labels->add_subcommand("import", "Import label lists (files or folders; the format is detected from content)");
    c->footer(
        std::string(
            "Formats: MISP warninglist JSON, JSON arrays of {ip, scanner|org}, prefix<TAB>org<TAB>source<TAB>period\n"
            "TSV, ipset restore files, ip,org CSV ('unknown' = no label), one CIDR/IP per line (organisation from\n"
            "--org, else the file name, else a host name in the line's comment matched by the rDNS rules), and with\n"
            "--ptr, ip,ptr-name CSV tables mapped through the rDNS rules. Periods: 2024, 2024_1Q, 2021-05,\n"
            "2021-03/05, 2024-12-01..2025-03-31, current (valid at any time). IPv4 prefixes shorter than /21 and\n"
            "IPv6 shorter than /32 are refused unless --force. Bad lines are reported as file:line and skipped.\n"
            "Re-importing a file with the same content and options changes nothing; a changed file replaces its\n"
            "earlier import. Everything, including relabelling the stored probes, happens in one transaction.\n") +
        kPolicyHelp +
        "\nExample:\n"
        "  scannergrouper labels import --db scanners.db lists/\n"
        "  scannergrouper labels import --db scanners.db --period 2024-12-01..2025-03-31 labels_sd25.csv");
    c->add_option("--db", a->db, fmt::format("database (created if missing) {}", kDbHelp))->required();
    c->add_option("lists", a->lists, "List files or folders (folders are walked)");
    c->add_option("--org", a->org, "Organisation of every entry (for plain lists)");
    c->add_option("--source", a->source, "Source name (default: the folder below the named one, or the file name)");
    c->add_option("--period", a->period,
                  "Validity of entries whose file gives none (default: from the file name, else current)");
    c->add_flag("--force", a->force, "Accept IPv4 prefixes shorter than /21 and IPv6 shorter than /32");
    c->add_option("--aliases", a->aliases, "Organisation alias table (alias<TAB>canonical); stored with the labels");
    c->add_option("--rdns-rules", a->rules, "rDNS rules (suffix|regex<TAB>pattern<TAB>org); stored with the labels");
    c->add_flag("--ptr", a->ptr, "CSV files are ip,ptr-name tables, mapped through the rDNS rules");
    c->add_flag("--rdns-live", a->rdns_live,
                "Reverse-resolve the sources of unlabelled probes and apply the rDNS rules");
    c->add_option("--rdns-max", a->rdns_max, "At most this many addresses resolved per run (default 10000)");
    c->add_option("--eval-unknown", a->eval_unknown,
                  "Organisations treated as unknown in evaluation (default censys,driftnet)");
    c->add_option("--policy", a->policy, "lpm | agree[:N] | narrow-or-agree[:N] (see below)");
    c->add_option("--show-refusals", a->show_refusals, "Refused lines printed per file (default 10)");
    add_format_option(c, a->format, {"table", "json"},
                      "table (source/org counts on stdout, the summary on stderr) or json (one object on stdout)");
    c->callback([a] { run_import_cmd(*a); });
  }
  {
    auto a = std::make_shared<LookupArgs>();
    auto* c = labels->add_subcommand("lookup", "The organisation of addresses at a time");
    c->footer(std::string("Prints ip, date, org ('-' when none), verdict (labelled, none, conflict, too_weak) and the\n"
                          "sources that agree (or the organisations in conflict).\n") +
              kPolicyHelp +
              "\nExample:\n  scannergrouper labels lookup --db scanners.db --at 2023-03-31 --explain 198.235.24.166");
    c->add_option("--db", a->db, fmt::format("database {}", kDbHelp))->required();
    c->add_option("ips", a->ips, "IP addresses")->required();
    c->add_option("--at", a->at, "Date (YYYY-MM-DD or RFC 3339; default now)");
    c->add_option("--policy", a->policy, "Override the stored policy for this lookup");
    add_format_option(c, a->format, {"table", "json", "jsonl"},
                      "table | json (one array) | jsonl (one object per line)");
    c->add_flag("--explain", a->explain, "Also list every entry covering the address, at any time");
    c->callback([a] { run_lookup(*a); });
  }
  {
    auto a = std::make_shared<StatsArgs>();
    auto* c = labels->add_subcommand("stats", "Imports, entries per source and organisation, refusals, conflicts");
    c->footer("Example:\n  scannergrouper labels stats --db scanners.db --conflicts --limit 20");
    c->add_option("--db", a->db, fmt::format("database {}", kDbHelp))->required();
    c->add_flag("--conflicts", a->conflicts,
                "List entries of different organisations whose prefixes and periods overlap");
    c->add_option("--refusals", a->refusals, "List up to N refused lines (file:line and why)");
    c->add_option("--limit", a->limit, "Conflicts listed (default 50; all are counted)");
    add_format_option(c, a->format, {"table", "json"}, "table (tab-separated lines) or json (one object)");
    c->callback([a] { run_stats(*a); });
  }
  {
    auto a = std::make_shared<ConfigArgs>();
    auto* c = labels->add_subcommand("config", "Show or set the evaluation-unknown set and the policy");
    c->footer(std::string(kPolicyHelp) +
              "\nExample:\n  scannergrouper labels config --db scanners.db --eval-unknown censys,driftnet,rapid7");
    c->add_option("--db", a->db, fmt::format("database {}", kDbHelp))->required();
    c->add_option("--eval-unknown", a->eval_unknown, "Comma-separated organisations treated as unknown in evaluation");
    c->add_option("--policy", a->policy, "lpm | agree[:N] | narrow-or-agree[:N]");
    add_format_option(c, a->format, {"table", "json"}, "table (tab-separated lines) or json (one object)");
    c->callback([a] { run_config(*a); });
  }
  {
    auto a = std::make_shared<TagArgs>();
    auto* c = labels->add_subcommand("tag", "Make a search-engine tag (AES-256-GCM) for a Set-Cookie value");
    c->footer(
        "The tag seals sensor id, time, record id and the scanner IP; the key is never printed.\n"
        "Example:\n  scannergrouper labels tag --key-file sensor.key --sensor 7 --record 1234 --ip 198.51.100.9 "
        "--cookie sid");
    c->add_option("--key-file", a->key_file, "Key: 32 raw bytes or 64 hex digits")->required();
    c->add_option("--sensor", a->sensor, "Sensor id")->required();
    c->add_option("--record", a->record, "Record id")->required();
    c->add_option("--ip", a->ip, "Scanner IP the response goes to")->required();
    c->add_option("--time", a->time, "Time (default now)");
    c->add_option("--cookie", a->cookie, "Print a Set-Cookie header with this cookie name");
    add_format_option(c, a->format, {"table", "json"}, "table (the tag or header alone) or json (one object)");
    c->callback([a] { run_tag(*a); });
  }
  {
    auto a = std::make_shared<TagArgs>();
    auto* c =
        labels->add_subcommand("find-tags", "Find and open tags in text (e.g. a search engine's exported banner)");
    c->footer(
        "Prints one JSON line per verified tag: the scanner IP that collected it, when, sensor and record\n"
        "(--format json: one array of them). With --org (the engine the text came from) each row is also a\n"
        "label record (ip, org, period: the tag's day, source 'tags') that labels import reads.\n"
        "Example:\n  scannergrouper labels find-tags --key-file sensor.key shodan_export.json\n"
        "  scannergrouper labels find-tags --key-file sensor.key --org shodan --format json shodan_export.json "
        "> tags.json\n  scannergrouper labels import --db sensor.db tags.json");
    c->add_option("--key-file", a->key_file, "Key: 32 raw bytes or 64 hex digits")->required();
    c->add_option("files", a->files, "Text files ('-' = stdin)")->required();
    c->add_option("--org", a->org, "The search engine the text came from: rows become label records");
    a->format = "jsonl";
    add_format_option(c, a->format, {"jsonl", "json"}, "jsonl (one tag per line) or json (one array)");
    c->callback([a] { run_find_tags(*a); });
  }
  {
    auto a = std::make_shared<TagArgs>();
    auto* c = labels->add_subcommand("keygen", "Write a new random tag key (mode 0600)");
    c->footer("Example:\n  scannergrouper labels keygen --out sensor.key");
    c->add_option("--out", a->out, "Key file to write")->required();
    c->callback([a] { write_new_tag_key(a->out); });
  }
}

}  // namespace sg::cli
