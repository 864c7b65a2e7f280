// `lookup`: everything the scanner database knows about some ips (pipeline/lookup.h assembles it) — the
// attribution of each window with its confidence, evidence kind, the reason in words and per-service votes,
// what the label lists say, the evidence in the ip's own probes, and the probes stored for it, as a table,
// json or jsonl.
#include <fmt/format.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "capture/packet.h"
#include "cli/commands.h"
#include "cli/common.h"
#include "pipeline/lookup.h"
#include "storage/probe_store.h"
#include "storage/scanner_store.h"
#include "util/terminal.h"
#include "util/text.h"

namespace sg::cli {

namespace {

struct LookupArgs {
  std::string db;
  std::vector<std::string> ips;
  std::string format = "table";
};

void print_evidence(const nlohmann::json& ev) {
  for (const auto& [kind, values] : ev.items()) {
    std::string list;
    for (const auto& v : values)
      list +=
          fmt::format("{}\"{}\" ×{}", list.empty() ? "" : ", ", term_safe(v[0].get<std::string>()), v[1].get<int>());
    fmt::print("    {}: {}\n", term_safe(kind), list);
  }
}

// "a+b+c+..." as "a, b, c and 11 more": the json form keeps the whole list.
std::string short_sources(const std::string& joined, size_t shown = 3) {
  const std::vector<std::string_view> parts = split(joined, '+');
  std::string out;
  for (size_t i = 0; i < parts.size() && i < shown; ++i) {
    if (i) out += ", ";
    out += parts[i];
  }
  if (parts.size() > shown) out += fmt::format(" and {} more", parts.size() - shown);
  return out;
}

void print_table(const nlohmann::json& j) {
  fmt::print("{}\n", j["ip"].get<std::string>());
  const bool probes = j["probes"].get<int64_t>() > 0;
  if (!probes) {
    fmt::print("  no probes from this ip in the database (`labels lookup` says whether a list names it)\n");
  } else {
    std::string by;
    for (const auto& [svc, n] : j["probes_by_service"].items()) by += fmt::format(" {}={}", svc, n.get<int64_t>());
    fmt::print("  probes: {} ({} .. {}):{}\n", j["probes"].get<int64_t>(), j["first_probe"].get<std::string>(),
               j["last_probe"].get<std::string>(), by);
    if (j["labels"].empty()) fmt::print("  listed: no label list names it at its probe times\n");
    for (const auto& l : j["labels"])
      fmt::print("  listed: {} for {} probe(s), by {}\n", term_safe(l["org"].get<std::string>()),
                 l["probes"].get<int64_t>(), term_safe(short_sources(l["sources"].get<std::string>())));
    if (j["windows"].empty()) fmt::print("  attribution: none yet (train, then identify its weeks)\n");
  }
  for (const auto& w : j["windows"]) {
    std::string votes;
    for (const auto& [svc, v] : w["votes"].items())
      if (!v.is_null()) votes += fmt::format(" {}:{}", svc, term_safe(v.get<std::string>()));
    fmt::print("  week {}  {:<16} confidence {:.2f} ({})  votes{}  probes={}  model {}\n",
               w["window_start"].get<std::string>().substr(0, 10), term_safe(w["org"].get<std::string>()),
               w["confidence"].get<double>(), w["evidence_kind"].get<std::string>(), votes, w["probes"].get<int64_t>(),
               term_safe(w["model_version"].get<std::string>()));
    if (!w["why"].get<std::string>().empty()) fmt::print("    why: {}\n", term_safe(w["why"].get<std::string>()));
  }
  if (probes) {
    fmt::print("  evidence (its latest {} probes at most):\n", pipeline::kLookupEvidenceProbes);
    print_evidence(j["evidence"]);
  } else if (!j["windows"].empty()) {  // its probes are gone (pruned); the scanner table kept their evidence
    fmt::print("  evidence (week {}):\n", j["windows"].back()["window_start"].get<std::string>().substr(0, 10));
    print_evidence(j["windows"].back()["evidence"]);
  }
}

void run_lookup(const LookupArgs& a) {
  if (!database_exists(a.db)) throw std::runtime_error(fmt::format("{}: no such database", a.db));
  ProbeStore store(a.db, Access::read_only);
  ScannerStore scanners(store.db());
  nlohmann::json all = nlohmann::json::array();
  for (const auto& text : a.ips) {
    IpAddr addr;
    if (!parse_ip(text, addr)) throw std::invalid_argument(fmt::format("'{}' is not an IP address", text));
    std::string ip = to_string(addr);  // canonical text, as stored
    auto j = pipeline::lookup_ip(store.db(), scanners, ip);
    if (a.format == "json")
      all.push_back(std::move(j));
    else if (a.format == "jsonl")
      print_json(j);
    else
      print_table(j);
  }
  if (a.format == "json") print_json(all);
}

}  // namespace

void add_lookup(CLI::App& app) {
  auto args = std::make_shared<LookupArgs>();
  auto* cmd = app.add_subcommand("lookup", "What the scanner database knows about IP addresses");
  cmd->footer(
      "What the scanner database knows about IP addresses: the probes stored for the ip, the organisation the\n"
      "label lists give its probes (with the lists that say so), the organisation named for each window with\n"
      "its confidence (how often such names were right on the training weeks), the kind of evidence and why\n"
      "(exact-payload, near-payload, learned; public-tool, weak or no-match for unknown), the per-service\n"
      "votes, and the evidence in its probes: user agents, URIs,\n"
      "ja3/ja4, SNI, DNS names, SSH banners, RDP cookies, ports, TCP SYN signatures and the first bytes of\n"
      "payloads no analyzer parses. Labels and evidence need no model: lookup works right after ingest.\n"
      "--format json prints one JSON array with an object per ip; jsonl one object per line.\n"
      "Example: scannergrouper lookup --db scanners.db 198.51.100.7 2001:db8::5");
  cmd->add_option("--db", args->db, fmt::format("scanner database {}", kDbHelp))->required();
  cmd->add_option("ip", args->ips, "IPv4 or IPv6 addresses")->required();
  add_format_option(cmd, args->format, {"table", "json", "jsonl"},
                    "table (for people), json (one array) or jsonl (one object per line)");
  cmd->callback([args] { run_lookup(*args); });
}

}  // namespace sg::cli
