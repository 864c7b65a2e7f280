// `simulate`: write captures of simulated scanner traffic (the demo, the SelfDeploy replay, benchmark inputs).
#include <fmt/format.h>

#include <chrono>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/common.h"
#include "simulate/scenario.h"
#include "util/terminal.h"
#include "util/verbosity.h"

namespace sg::cli {

namespace {

void print_result_json(const simulate::SimulateOptions& opt, const simulate::SimulateResult& r, double secs) {
  nlohmann::json j = {{"packets", r.packets},
                      {"sessions", r.sessions},
                      {"sessions_by_service", r.sessions_by_service},
                      {"files", r.files},
                      {"logs", r.logs},
                      {"bytes", r.bytes},
                      {"seconds", secs},
                      {"sensor_nets", r.sensor_nets},
                      {"skipped_rows", r.skipped_rows},
                      {"problems", r.problems}};
  j["labels"] = r.labels.empty() ? nlohmann::json(nullptr) : nlohmann::json(r.labels);
  j["truth"] = r.truth.empty() ? nlohmann::json(nullptr) : nlohmann::json(r.truth);
  if (!r.shift.empty()) j["shift"] = {{"from", opt.shift_from}, {"file", r.shift}, {"changes", r.shift_changes}};
  print_json(j);
}

void run_simulate(const simulate::SimulateOptions& opt, const std::string& format) {
  auto t0 = std::chrono::steady_clock::now();
  simulate::SimulateResult r = simulate::run(opt);
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::string services;
  for (const auto& [k, v] : r.sessions_by_service) services += fmt::format(" {} {}", k, v);
  // Rows of a skeleton that were left out: data lost, so said under -q too. Problems quote the file.
  for (const auto& p : r.problems) fmt::print(stderr, "skipped {}\n", term_safe(p));
  if (r.skipped_rows) fmt::print(stderr, "skipped {} skeleton row(s) in all\n", r.skipped_rows);
  if (format == "json") return print_result_json(opt, r, secs);
  if (!chatty()) return;
  fmt::print(stderr, "wrote {} packets, {} sessions ({} ) in {} file(s), {:.1f} MiB, {:.2f} s ({:.0f} packets/s)\n",
             r.packets, r.sessions, services.empty() ? "" : services.substr(1), r.files.size(),
             double(r.bytes) / (1 << 20), secs, secs > 0 ? double(r.packets) / secs : 0.0);
  std::string nets;
  for (const auto& n : r.sensor_nets) nets += " --sensor-net " + n;
  fmt::print(stderr, "sensors: ingest with{}\n", nets);
  // Paths name the user's --out; changes come from profile files (--profiles): neither reaches a terminal raw.
  if (!r.labels.empty())
    fmt::print(stderr, "labels: {} (import with: scannergrouper labels import --db DB {})\n", term_safe(r.labels),
               term_safe(r.labels));
  if (!r.truth.empty()) fmt::print(stderr, "truth: {} (who sent each session)\n", term_safe(r.truth));
  for (const auto& l : r.logs) fmt::print(stderr, "log: {}\n", term_safe(l));
  if (!r.shift.empty()) {
    fmt::print(stderr, "shift: sessions from {} on drawn from shifted profiles, {} change(s) (also in {}):\n",
               term_safe(opt.shift_from), r.shift_changes.size(), term_safe(r.shift));
    for (const auto& c : r.shift_changes) fmt::print(stderr, "  {}\n", term_safe(c));
  }
}

constexpr const char* kFooter =
    "Scenarios:\n"
    "  demo    three weeks (from 2025-01-06) of ~3,600 sessions: twelve organisations drawn from their profiles at\n"
    "          documentation addresses (198.51.100.0/24, 2001:db8:*), the unknown-tool population (203.0.113.0/24),\n"
    "          8 IPv4 + 4 IPv6 sensors (192.0.2.0/28, 2001:db8::/124); HTTP, TLS, DNS, some SSH and SYN sweeps.\n"
    "          Onyphe is left out of labels.tsv: an organisation nobody has published (the open-set case).\n"
    "  replay  every row of --skeleton (ts, src_ip, service, org; e.g. sd25_probes.tsv.gz) becomes one session from\n"
    "          that address in that second, of that service, with a payload from that organisation's profile\n"
    "          ('unknown' rows: a tool of the unknown population, fixed per address). Sensors 192.0.2.1-8.\n"
    "  scale   exactly --packets packets of mixed sessions, for throughput benchmarks.\n"
    "  FILE    a scenario JSON file:\n"
    "          {\"start\": \"2025-01-06\", \"days\": 21, \"seed\": 1,\n"
    "           \"sensors\": {\"v4\": \"192.0.2.0/28\", \"v4_count\": 8, \"v6\": \"2001:db8::/124\", \"v6_count\": "
    "4},\n"
    "           \"orgs\": [{\"profile\": \"censys\", \"sessions\": 300, \"ips\": 12, \"v6_ips\": 2,\n"
    "                     \"v4\": [\"198.51.100.32/28\"], \"v6\": [\"2001:db8:c::/64\"], \"labelled\": true, "
    "\"period\": \"current\"},\n"
    "                    {\"profile\": \"unknown\", \"sessions\": 1000, \"ips\": 100, \"v4\": [\"203.0.113.0/24\"]}]}\n"
    "          profile = an organisation of data/profiles (or --profiles); v4/v6 default to the profile's published\n"
    "          ranges; sessions default to its daily rate x days; \"services\" ({\"http\": 0.5, \"ssh\": 0.2, ...})\n"
    "          to its SelfDeploy-25 mix; labelled defaults to true (false for unknown); --seed overrides \"seed\".\n"
    "--out FILE writes one capture; --out DIR/ writes one capture per UTC day (YYYY-MM-DD.pcap) and, for demo and\n"
    "scenario files, DIR/labels.tsv (prefix, org, source, period) of the labelled organisations.\n"
    "Ground truth: demo, replay and scenario files also write DIR/truth.tsv (FILE.truth.tsv beside a single capture),\n"
    "one line per session, sorted by time: ts, transport, src, sport, dst, dport, service, org, population. ts is the\n"
    "probe's time as `extract` reports it (RFC 3339, microseconds); org is the organisation's profile, also when it "
    "is\n"
    "left out of labels.tsv, and `unknown` for the unattributed population; population is the unknown population's\n"
    "tool (zgrab2, masscan, ...) or the organisation again. The scale scenario writes no truth (cloned templates).\n"
    "--shift-from DATE (YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ; demo, replay, scenario files): sessions starting at or\n"
    "after DATE are drawn from shifted profiles, the same organisations months later: User-Agent version bumps,\n"
    "reordered TLS suites/extensions and HTTP headers for some tools, a new way of probing (path, ports or TLS\n"
    "client, ~25% of a service) for about a third of the organisations, and more unknown actors with the public\n"
    "tools organisations use (shifted unknown tools end in '+shifted' in truth.tsv, new ones are 'copycat-ORG').\n"
    "The changes depend on the profiles only (the same for every seed); they are printed and written to shift.txt\n"
    "(FILE.shift.txt). With demo and scenario files, the sessions before DATE are those of a run without it.\n"
    "--logs eve,zeek,zeek-json: also write what the sensor's Suricata and Zeek would have logged for every session,\n"
    "beside the captures: eve.json (Suricata 8 EVE JSON Lines: http with request_headers, tls with ja3/ja3s/ja4,\n"
    "dns in logging version 3, ssh with hassh, a flow record per session), zeek/ (conn, http, ssl, dns, ssh.log in\n"
    "Zeek's ASCII TSV with its default fields), zeek-json/ (the same as Zeek JSON); FILE.eve.json, FILE.zeek/ beside\n"
    "a single capture. Values come from the bytes in the capture (the client's message through the same analyzers\n"
    "as extract); what a sensor would learn only from traffic not simulated (certificates, finished handshakes,\n"
    "file analysis) is Zeek's unset '-' or absent in EVE. Zeek's ts is the connection's first\n"
    "packet (conn.log), the client message's (http, ssl, dns) or the first banner's (ssh); EVE's timestamp the packet\n"
    "that completed the record.\n"
    "uids and flow ids follow the seed. RDP sessions appear in conn.log and as EVE flows only.\n"
    "The same seed writes the same bytes. The sensor networks to give `ingest --sensor-net` are printed (stderr;\n"
    "none with -q); --format json prints the same facts as one JSON object on stdout.\n"
    "Examples:\n"
    "  scannergrouper simulate --scenario demo --out demo/captures/\n"
    "  scannergrouper simulate --scenario replay --skeleton sd25_probes.tsv.gz --out sd25/\n"
    "  scannergrouper simulate --scenario demo --shift-from 2025-01-20 --out demo-shifted/\n"
    "  scannergrouper simulate --scenario demo --logs eve,zeek --out demo-logs/\n"
    "  scannergrouper simulate --scenario scale --packets 10000000 --out big.pcap";

}  // namespace

void add_simulate(CLI::App& app) {
  auto opt = std::make_shared<simulate::SimulateOptions>();
  auto format = std::make_shared<std::string>();
  auto* cmd = app.add_subcommand("simulate",
                                 "Write captures of simulated scanner traffic (demo, SelfDeploy replay, benchmarks)");
  cmd->footer(kFooter);
  cmd->add_option("--scenario", opt->scenario, "demo, replay, scale, or a scenario JSON file")->required();
  cmd->add_option("--out", opt->out, "capture file, or directory for one capture per day")->required();
  auto* seed = cmd->add_option("--seed", opt->seed, "random seed; the same seed writes the same bytes (default 1)");
  cmd->add_option("--packets", opt->packets, "scale scenario: number of packets (default 2000000)");
  cmd->add_option("--skeleton", opt->skeleton, "replay scenario: probe skeleton TSV (gzip or plain)");
  cmd->add_option("--profiles", opt->profiles, "directory of organisation profiles instead of the built-in ones");
  cmd->add_option("--shift-from", opt->shift_from, "sessions from this date on use shifted profiles (not for scale)");
  cmd->add_option("--logs", opt->logs, "also write the sensor's logs: eve, zeek, zeek-json (comma-separated)")
      ->delimiter(',');
  add_format_option(cmd, *format, {"table", "json"}, "table (summary on stderr) or json (one object on stdout)");
  cmd->callback([opt, seed, format] {
    opt->seed_set = seed->count() > 0;
    run_simulate(*opt, *format);
  });
}

}  // namespace sg::cli
