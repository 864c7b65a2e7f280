// `extract`: captures in, probes out as JSON Lines on stdout; nothing is stored.
#include <fmt/format.h>

#include <cstdio>
#include <set>

#include "cli/capture_options.h"
#include "cli/commands.h"
#include "cli/common.h"
#include "export/json.h"

namespace sg::cli {

namespace {

struct ExtractArgs {
  CaptureOptions capture;
  std::vector<std::string> services;
  std::string format = "jsonl";
};

void run_extract(const ExtractArgs& a) {
  std::set<std::string> wanted(a.services.begin(), a.services.end());
  for (const auto& s : wanted)
    if (!service_from_name(s)) throw CLI::ValidationError("--service", fmt::format("unknown service '{}'", s));
  static char buf[1 << 20];
  setvbuf(stdout, buf, _IOFBF, sizeof buf);
  pipeline::SourceHooks hooks;
  hooks.begin = [](const std::string&, const pipeline::PreparedSource&) { return true; };
  JsonRows out(a.format == "json");
  // Chosen and built on the thread that read the probe (with --jobs, several files at once), printed in input
  // order.
  hooks.encode = [&wanted](const Probe& p) {
    if (!wanted.empty() && !wanted.count(service_name(p.service))) return std::string_view();  // left out
    return probe_to_jsonl_view(p);
  };
  hooks.record = [&](std::string_view json) {
    out.row(json);  // a failed write stops the run (main reports it)
  };
  hooks.end = [](const std::string&, const IngestStats&) {};
  IngestStats total;
  StderrEvents events(a.capture);
  g_exit_code = with_usage_errors([&] { return pipeline::run_sources(a.capture, hooks, events, total); });
  out.finish();
  finish_stdout();  // before the summary, so a failed write is not followed by a report of success
  if (!a.capture.silent()) fmt::print(stderr, "{}", total.summary());
}

}  // namespace

void add_extract(CLI::App& app) {
  auto args = std::make_shared<ExtractArgs>();
  auto* cmd = app.add_subcommand("extract", "Print the probes of captures or logs as JSON Lines (no database)");
  cmd->footer(
      "Each line is one probe: the first client message of a session, parsed (the export contract: docs/FIELDS.md);\n"
      "--format json prints them as one JSON array instead. -q drops the progress and the summary on stderr.\n"
      "Inputs are recognised by content: pcap/pcapng captures, Suricata EVE JSON (http, tls, dns, ssh events)\n"
      "and Zeek logs (TSV or JSON: http, ssl, dns, ssh, conn), plain or .gz/.zst, or - for standard input.\n"
      "A probe from a log says \"source\": \"eve\" or \"zeek\" and leaves out the fields its log cannot carry.\n"
      "Example:\n  scannergrouper extract honeypot-2025-01-06.pcap.gz | jq -c 'select(.service==\"tls\") | .tls.ja4'");
  args->capture.add_to(*cmd);
  cmd->add_option("--service", args->services, "only this service (repeatable: http tls dns ssh rdp syn other)")
      ->allow_extra_args(false);
  add_format_option(cmd, args->format, {"jsonl", "json"}, "jsonl (one probe per line) or json (one array)");
  cmd->callback([args] { run_extract(*args); });
}

}  // namespace sg::cli
