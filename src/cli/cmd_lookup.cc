// `lookup`: everything the scanner database knows about some ips — the attribution of each window with
// its probability and per-service votes, the evidence behind it, and the probes stored for the ip.
#include <fmt/format.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "capture/packet.h"
#include "cli/commands.h"
#include "cli/common.h"
#include "export/json.h"
#include "storage/probe_store.h"
#include "storage/scanner_store.h"

namespace sg::cli {

namespace {

struct LookupArgs {
  std::string db;
  std::vector<std::string> ips;
  std::string format = "table";
};

struct ProbeSummary {
  std::map<std::string, int64_t> per_service;
  int64_t first = 0, last = 0, total = 0;
};

ProbeSummary probe_summary(ProbeStore& store, const std::string& ip) {
  ProbeSummary s;
  Stmt q(store.db(), "SELECT service, count(*), min(ts_us), max(ts_us) FROM probes WHERE src=? GROUP BY service");
  q.bind(1, ip);
  while (q.step()) {
    s.per_service[q.col_text(0)] = q.col_int(1);
    s.total += q.col_int(1);
    s.first = s.first ? std::min(s.first, q.col_int(2)) : q.col_int(2);
    s.last = std::max(s.last, q.col_int(3));
  }
  return s;
}

nlohmann::json ip_json(const std::string& ip, const ProbeSummary& p, const std::vector<ScannerRow>& rows) {
  nlohmann::json j{{"ip", ip}, {"probes", p.total}, {"probes_by_service", p.per_service}};
  if (p.total) {
    j["first_probe"] = format_ts(p.first);
    j["last_probe"] = format_ts(p.last);
  }
  nlohmann::json windows = nlohmann::json::array();
  for (const auto& r : rows)
    windows.push_back({{"window_start", format_ts(r.window_start)},
                       {"org", r.org},
                       {"probability", r.probability},
                       {"votes", nlohmann::json::parse(r.votes)},
                       {"services", r.services},
                       {"probes", r.probes},
                       {"evidence", nlohmann::json::parse(r.evidence)},
                       {"model_version", r.model_version}});
  j["windows"] = windows;
  j["org"] = rows.empty() ? nlohmann::json(nullptr) : nlohmann::json(rows.back().org);
  return j;
}

void print_table(const nlohmann::json& j) {
  fmt::print("{}\n", j["ip"].get<std::string>());
  if (j["probes"].get<int64_t>() == 0) {
    fmt::print("  no probes from this ip in the database\n");
  } else {
    std::string by;
    for (const auto& [svc, n] : j["probes_by_service"].items()) by += fmt::format(" {}={}", svc, n.get<int64_t>());
    fmt::print("  probes: {} ({} .. {}):{}\n", j["probes"].get<int64_t>(), j["first_probe"].get<std::string>(),
               j["last_probe"].get<std::string>(), by);
  }
  if (j["windows"].empty()) {
    fmt::print("  not attributed yet (run identify)\n");
    return;
  }
  for (const auto& w : j["windows"]) {
    std::string votes;
    for (const auto& [svc, v] : w["votes"].items())
      if (!v.is_null()) votes += fmt::format(" {}:{}", svc, v.get<std::string>());
    fmt::print("  week {}  {:<16} p={:.2f}  votes{}  probes={}  model {}\n",
               w["window_start"].get<std::string>().substr(0, 10), w["org"].get<std::string>(),
               w["probability"].get<double>(), votes, w["probes"].get<int64_t>(),
               w["model_version"].get<std::string>());
  }
  const auto& ev = j["windows"].back()["evidence"];
  for (const auto& [kind, values] : ev.items()) {
    std::string list;
    for (const auto& v : values) list += fmt::format("{}\"{}\" ×{}", list.empty() ? "" : ", ",
                                                     v[0].get<std::string>(), v[1].get<int>());
    fmt::print("  {}: {}\n", kind, list);
  }
}

void run_lookup(const LookupArgs& a) {
  if (!std::filesystem::exists(a.db)) throw std::runtime_error(fmt::format("{}: no such database", a.db));
  ProbeStore store(a.db);
  ScannerStore scanners(store.db());
  for (const auto& text : a.ips) {
    IpAddr addr;
    if (!parse_ip(text, addr)) throw std::invalid_argument(fmt::format("'{}' is not an IP address", text));
    std::string ip = to_string(addr);  // canonical text, as stored
    ScannerQuery q;
    q.ip = ip;
    auto j = ip_json(ip, probe_summary(store, ip), scanners.rows(q));
    if (a.format == "json")
      fmt::print("{}\n", j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
    else
      print_table(j);
  }
}

}  // namespace

void add_lookup(CLI::App& app) {
  auto args = std::make_shared<LookupArgs>();
  auto* cmd = app.add_subcommand("lookup", "What the scanner database knows about IP addresses");
  cmd->footer(
      "What the scanner database knows about IP addresses: the organisation of each weekly window with its\n"
      "probability and per-service votes, the evidence (user agents, URIs, ja3/ja4, SNI, DNS names, SSH\n"
      "banners) and the probes stored for the ip.\n"
      "Example: scannergrouper lookup --db scanners.db 198.51.100.7 2001:db8::5");
  cmd->add_option("--db", args->db, "scanner database")->required();
  cmd->add_option("ip", args->ips, "IPv4 or IPv6 addresses")->required();
  cmd->add_option("--format", args->format, "table (for people) or json (one object per line)")
      ->check(CLI::IsMember({"table", "json"}));
  cmd->callback([args] { run_lookup(*args); });
}

}  // namespace sg::cli
