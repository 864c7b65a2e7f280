// `ingest`: captures into the probe store, each file once, in transactional batches.
#include <fmt/format.h>

#include <filesystem>
#include <system_error>

#include <nlohmann/json.hpp>

#include "cli/capture_options.h"
#include "cli/commands.h"
#include "cli/common.h"
#include "pipeline/ingest.h"
#include "util/terminal.h"

namespace sg::cli {

namespace {

struct IngestArgs {
  CaptureOptions capture;
  std::string db, format = "table", sensor;
};

// A mistyped path must not leave a new, empty database behind: the inputs are checked before it is opened.
void check_inputs_exist(const CaptureOptions& c) {
  for (const auto& in : c.inputs) {
    std::error_code ec;
    if (in != "-" && !std::filesystem::exists(in, ec))  // "-" is standard input
      throw std::runtime_error(fmt::format("{}: no such file or directory", in));
  }
}

void run_ingest(const IngestArgs& a) {
  check_inputs_exist(a.capture);
  ProbeStore store(a.db);
  if (!a.sensor.empty()) store.set_sensor(a.sensor);
  StderrEvents events(a.capture);
  pipeline::IngestOutcome r = with_usage_errors([&] { return pipeline::ingest_captures(store, a.capture, events); });
  g_exit_code = r.exit_code;
  const double rate = r.seconds > 0 ? double(r.total.packets) / r.seconds : 0.0;
  if (a.format == "json") {  // the result itself: printed under -q too
    nlohmann::json j = ingest_stats_json(r.total);
    j["db"] = a.db;
    j["new_probes"] = r.new_probes;
    j["files_ingested"] = r.files_ingested;
    j["files_skipped"] = r.files_skipped;
    j["probes_replaced_by_capture"] = r.replaced_probes;
    j["probes_of_sessions_already_stored"] = r.duplicate_probes;
    j["labelled"] = r.labelled.labelled;
    j["seconds"] = r.seconds;
    j["packets_per_second"] = rate;
    print_json(j);
  } else if (!a.capture.silent()) {
    fmt::print(stderr, "labelled {} of the {} new probes\n", r.labelled.labelled, r.labelled.probes);
    fmt::print(stderr, "{}", r.total.summary());
    if (r.replaced_probes + r.duplicate_probes > 0)
      fmt::print(stderr,
                 "sessions seen by more than one source (capture, EVE, Zeek): {} log probes replaced by the "
                 "capture's, {} left out as already stored\n",
                 r.replaced_probes, r.duplicate_probes);
    fmt::print(stderr, "stored {} new probes in {} ({} files already ingested); {:.2f} s, {:.0f} packets/s\n",
               r.new_probes, term_safe(a.db), r.files_skipped, r.seconds, rate);
  }
}

}  // namespace

void add_ingest(CLI::App& app) {
  auto args = std::make_shared<IngestArgs>();
  auto* cmd = app.add_subcommand("ingest", "Store the probes of captures, logs (or a live interface) in a database");
  cmd->footer(
      "A capture already ingested (same content) is skipped, and a probe is never stored twice, so reruns\n"
      "over a growing folder only add what is new. An interrupted run is completed by running it again.\n"
      "The summary goes to stderr (none with -q); --format json prints it as one JSON object on stdout.\n"
      "Inputs are recognised by content: pcap/pcapng captures, Suricata EVE JSON (http, tls, dns, ssh events)\n"
      "and Zeek logs (TSV or JSON: http, ssl, dns, ssh, conn), plain or .gz/.zst, or - for standard input.\n"
      "A session seen both in a capture and in a log is stored once, as the capture's probe.\n"
      "Example:\n  scannergrouper ingest --db scanners.db --sensor-net 192.0.2.0/24 /var/log/honeypot/");
  cmd->add_option("--db", args->db, fmt::format("database (created if missing) {}", kDbHelp))->required();
  cmd->add_option("--sensor", args->sensor,
                  "name of the sensor that saw these inputs, recorded with every probe (default: the host name)");
  args->capture.add_to(*cmd);
  add_format_option(cmd, args->format, {"table", "json"}, "table (summary on stderr) or json (one object on stdout)");
  cmd->callback([args] { run_ingest(*args); });
}

}  // namespace sg::cli
