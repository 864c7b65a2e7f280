// `probes`: what the store holds, in the export contract (JSON Lines) or as a flat CSV table.
#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/common.h"
#include "export/csv.h"
#include "probe/service.h"
#include "storage/probe_store.h"

namespace sg::cli {

namespace {

struct ProbesArgs {
  std::string db, service, format = "jsonl", from, to;
};

// CSV columns: the envelope, then the contract fields of every service (empty where they do not apply).
const char* const kCsvColumns[] = {"ts",
                                   "src",
                                   "sport",
                                   "dst",
                                   "dport",
                                   "transport",
                                   "service",
                                   "source",
                                   "truncated",
                                   "http.method",
                                   "http.uri",
                                   "http.version",
                                   "http.host",
                                   "http.user_agent",
                                   "tls.version",
                                   "tls.sni",
                                   "tls.alpn",
                                   "tls.ja3",
                                   "tls.ja3_hash",
                                   "tls.ja4",
                                   "dns.id",
                                   "dns.flags",
                                   "dns.qname",
                                   "dns.qtype",
                                   "dns.qclass",
                                   "ssh.banner",
                                   "ssh.hassh",
                                   "rdp.cookie",
                                   "rdp.requested_protocols",
                                   "syn.sig",
                                   "other.head"};

// Arrays (ALPN values, ...) read as one text cell, their items joined by ','.
std::string joined(const nlohmann::json& j) {
  if (j.is_string()) return j.get<std::string>();
  if (j.is_array()) {
    std::string out;
    for (size_t i = 0; i < j.size(); ++i) out += (i ? "," : "") + joined(j[i]);
    return out;
  }
  return j.is_null() ? "" : j.dump();
}

// Numbers from the contract (ports, versions, ids) stay numbers; everything else came off the wire and
// is a text cell (defused and escaped, export/csv.h).
void add_cell(CsvRow& row, const nlohmann::json* v) {
  if (!v || v->is_null())
    row.empty();
  else if (v->is_number_unsigned() && v->get<uint64_t>() <= uint64_t(INT64_MAX))
    row.number(static_cast<int64_t>(v->get<uint64_t>()));
  else if (v->is_number_integer())
    row.number(v->get<int64_t>());
  else if (v->is_number())
    row.number(v->get<double>());
  else
    row.text(joined(*v));
}

std::string csv_row(const nlohmann::json& j) {
  CsvRow row;
  for (const char* col : kCsvColumns) {
    std::string_view c(col);
    auto dot = c.find('.');
    const nlohmann::json* v = nullptr;
    if (dot == std::string_view::npos) {
      auto it = j.find(std::string(c));
      if (it != j.end()) v = &*it;
    } else if (auto o = j.find(std::string(c.substr(0, dot))); o != j.end()) {
      auto it = o->find(std::string(c.substr(dot + 1)));
      if (it != o->end()) v = &*it;
    }
    add_cell(row, v);
  }
  return row.line();
}

void run_probes(const ProbesArgs& a) {
  ProbeQuery q;
  if (!a.service.empty()) {
    q.service = service_from_name(a.service);
    if (!q.service) throw CLI::ValidationError("--service", fmt::format("unknown service '{}'", a.service));
  }
  if (!a.from.empty()) q.from_us = parse_date_us(a.from);
  if (!a.to.empty()) q.to_us = parse_date_us(a.to);
  ProbeStore store(a.db, Access::read_only);
  static char buf[1 << 20];
  setvbuf(stdout, buf, _IOFBF, sizeof buf);
  const bool csv = a.format == "csv";
  if (csv) {
    CsvRow header;
    for (const char* c : kCsvColumns) header.text(c);
    write_stdout(header.line());
  }
  JsonRows rows(a.format == "json");
  store.for_each_probe(q, [&](const std::string& json) {
    if (csv)
      write_stdout(csv_row(nlohmann::json::parse(json)));
    else
      rows.row(json);  // stored as the export contract's JSON text (written by RapidJSON at ingest)
  });
  if (!csv) rows.finish();
}

}  // namespace

void add_probes(CLI::App& app) {
  auto args = std::make_shared<ProbesArgs>();
  auto* cmd = app.add_subcommand("probes", "Export stored probes (JSON Lines in the export contract, or CSV)");
  cmd->footer(
      "--format jsonl: one probe per line (the export contract); json: one array of them; csv: a flat table.\n"
      "Example:\n  scannergrouper probes --db scanners.db --service http --format csv > http.csv");
  cmd->add_option("--db", args->db, fmt::format("database written by ingest {}", kDbHelp))
      ->required()
      ->check(kExistingDb);
  cmd->add_option("--service", args->service, "only this service (" + join_service_names(" ") + ")");
  add_format_option(cmd, args->format, {"jsonl", "json", "csv"}, "jsonl, json (one array) or csv");
  cmd->add_option("--from", args->from, "first day (YYYY-MM-DD or RFC 3339, UTC), inclusive");
  cmd->add_option("--to", args->to, "end (YYYY-MM-DD or RFC 3339, UTC), exclusive");
  cmd->callback([args] { run_probes(*args); });
}

}  // namespace sg::cli
