// `ingest`: captures into the probe store, each file once, in transactional batches.
#include <fmt/format.h>
#include <sys/stat.h>

#include <chrono>

#include "cli/capture_options.h"
#include "cli/commands.h"
#include "cli/common.h"
#include "labels/import_run.h"
#include "storage/probe_store.h"
#include "util/hash.h"

namespace sg::cli {

namespace {

struct IngestArgs {
  CaptureOptions capture;
  std::string db;
};

uint64_t file_size(const std::string& path) {
  struct stat st{};
  return stat(path.c_str(), &st) == 0 ? static_cast<uint64_t>(st.st_size) : 0;
}

void run_ingest(const IngestArgs& a) {
  ProbeStore store(a.db);
  const int64_t last_probe_id = labels::max_probe_id(store.db());
  const bool live = !a.capture.live_iface.empty();
  int64_t capture_id = 0;
  uint64_t skipped_files = 0;
  SourceHooks hooks;
  hooks.begin = [&](const std::string& path) {
    std::string key;
    if (live) {
      key = fmt::format("live:{}:{}", a.capture.live_iface,
                        std::chrono::system_clock::now().time_since_epoch().count());
    } else {
      key = sha256_file(path);
      if (auto rec = store.find_capture(key); rec && rec->status != "ingesting") {
        if (!a.capture.quiet)
          fmt::print(stderr, "skip: {} already ingested ({}, same content as {})\n", path, rec->status, rec->path);
        ++skipped_files;
        return false;
      }
    }
    capture_id = store.begin_capture(key, path, live ? 0 : file_size(path));
    return true;
  };
  hooks.probe = [&](const Probe& p) { store.add_probe(capture_id, p); };
  hooks.end = [&](const std::string& path, const IngestStats& st) {
    if (g_stop.load() && !live) {
      store.flush();  // kept; the capture stays 'ingesting' and the next run completes it
      return;
    }
    auto err = st.file_errors.find(path);
    store.finish_capture(capture_id, st, err == st.file_errors.end() ? "" : err->second);
  };
  IngestStats total;
  auto t0 = std::chrono::steady_clock::now();
  g_exit_code = run_sources(a.capture, hooks, total);
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  auto labelled = labels::label_new_probes(store.db(), last_probe_id);  // ground truth for what was added
  if (!a.capture.quiet) {
    fmt::print(stderr, "labelled {} of the {} new probes\n", labelled.labelled, labelled.probes);
    fmt::print(stderr, "{}", total.summary());
    fmt::print(stderr, "stored {} new probes in {} ({} files already ingested); {:.2f} s, {:.0f} packets/s\n",
               store.new_probes(), a.db, skipped_files, secs, secs > 0 ? double(total.packets) / secs : 0.0);
  }
}

}  // namespace

void add_ingest(CLI::App& app) {
  auto args = std::make_shared<IngestArgs>();
  auto* cmd = app.add_subcommand("ingest", "Store the probes of captures (or a live interface) in a database");
  cmd->footer(
      "A capture already ingested (same content) is skipped, and a probe is never stored twice, so reruns\n"
      "over a growing folder only add what is new. An interrupted run is completed by running it again.\n"
      "Example:\n  scannergrouper ingest --db scanners.db --sensor-net 192.0.2.0/24 /var/log/honeypot/");
  cmd->add_option("--db", args->db, "SQLite database file (created if missing)")->required();
  args->capture.add_to(*cmd);
  cmd->callback([args] { run_ingest(*args); });
}

}  // namespace sg::cli
