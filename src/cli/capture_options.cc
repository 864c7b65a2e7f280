#include "cli/capture_options.h"

#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <optional>

#include "cli/common.h"
#include "util/progress.h"
#include "util/terminal.h"
#include "util/verbosity.h"

namespace sg::cli {

void CaptureOptions::add_to(CLI::App& cmd) {
  cmd.add_option("captures", inputs,
                 "pcap/pcapng files (.gz/.zst too), directories to search for them, or - for standard input");
  cmd.add_option("--sensor-net", sensor_nets,
                 "CIDR of the sensors (repeatable); decides the client side of sessions without a SYN and "
                 "drops sessions the sensors opened themselves")
      ->allow_extra_args(false);  // one prefix per --sensor-net, so captures after it stay positional
  cmd.add_option("--live", live_iface, "capture from this network interface instead of files (Ctrl-C stops)");
  cmd.add_option("--bpf", bpf, "BPF filter for --live, e.g. 'not port 22'");
  cmd.add_option("--byte-cap", byte_cap, "most bytes of a client's first message kept")
      ->check(CLI::Range(size_t(64), size_t(1) << 20))
      ->capture_default_str();
  cmd.add_flag("--no-syn", no_syn, "leave out TCP sessions that sent a SYN but no payload");
  // -q/-v are every command's (add_verbosity_options): -q drops the progress and the summary.
}

bool CaptureOptions::silent() const { return quiet || !chatty(); }

SessionConfig CaptureOptions::session_config() const {
  SessionConfig c;
  c.byte_cap = byte_cap;
  c.sensor_nets = parse_sensor_nets(sensor_nets);
  c.syn_only = !no_syn;
  return c;
}

namespace {

// Without a terminal (cron, systemd, a pipe) the bar is not drawn; a plain line every progress interval
// tells the log how far the whole run is: bytes of all the files, rate and time left.
class ProgressLines {
 public:
  ProgressLines(const std::vector<std::string>& files) {
    for (const auto& f : files) {
      struct stat st{};
      if (stat(f.c_str(), &st) == 0) total_ += static_cast<uint64_t>(st.st_size);
    }
  }
  void update(const Progress& p, size_t index, size_t count) {
    if (!pace_.due()) return;
    const double mb = 1024.0 * 1024.0, done = double(before_ + p.done_bytes);
    fmt::print(stderr, "progress: {} of {}{}, file {}/{}, {} packets, {} probes, {}\n", byte_text(done),
               byte_text(double(total_)), total_ ? fmt::format(" ({:.0f}%)", 100.0 * done / double(total_)) : "",
               index + 1, count, p.packets, p.probes, pace_.rate(done / mb, double(total_) / mb, "MB"));
  }
  void file_done(const CaptureReader& reader) { before_ += reader.file_size(); }

 private:
  uint64_t total_ = 0, before_ = 0;
  ProgressPace pace_;
};

int run_one(CaptureReader& reader, const CaptureOptions& opt, const SessionConfig& cfg, const SourceHooks& hooks,
            IngestStats& total, size_t index, size_t count, ProgressLines* lines) {
  IngestStats st;
  SessionTracker tracker(cfg, [&](Probe& p) { hooks.probe(p); }, st);
  ProgressBar bar(index, count);
  LoopOptions loop;
  loop.stop = &g_stop;
  if (!opt.silent())
    loop.progress = [&](const Progress& p) {
      bar.update(p);  // draws only on a terminal
      if (lines) lines->update(p, index, count);
    };
  const auto t0 = std::chrono::steady_clock::now();
  run_capture(reader, tracker, st, loop);
  bar.done();
  if (verbose() && !opt.quiet)
    fmt::print(stderr, "file {}: {} packets, {} sessions, {} probes, {:.2f} s\n", term_safe(reader.name()), st.packets,
               st.sessions, st.probes, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  if (lines) lines->file_done(reader);
  // The one message for the damage; the summary does not repeat it (IngestStats::summary).
  if (reader.failed()) fmt::print(stderr, "warning: {} (probes before it were kept)\n", term_safe(reader.error()));
  hooks.end(reader.name(), st);
  total.merge(st);
  return 0;
}

}  // namespace

int run_sources(const CaptureOptions& opt, const SourceHooks& hooks, IngestStats& total) {
  const SessionConfig cfg = opt.session_config();  // validates the options before any work
  if (!opt.live_iface.empty()) {
    if (!opt.inputs.empty()) throw CLI::ValidationError("--live", "give either --live or capture files, not both");
    auto reader = CaptureReader::open_live(opt.live_iface, opt.bpf);
    if (!hooks.begin(reader->name())) return 0;
    g_live_reader.store(reader.get());
    install_stop_handlers();
    if (!opt.silent()) fmt::print(stderr, "capturing on {} (Ctrl-C to stop)\n", opt.live_iface);
    run_one(*reader, opt, cfg, hooks, total, 0, 1, nullptr);
    g_live_reader.store(nullptr);
    return 0;
  }
  if (!opt.bpf.empty()) throw CLI::ValidationError("--bpf", "--bpf applies to --live captures only");
  std::vector<std::string> files = expand_inputs(opt.inputs);
  if (files.empty()) throw CLI::ValidationError("captures", "no capture files given (or none found in the directories)");
  install_stop_handlers();
  std::optional<ProgressLines> lines;
  if (!opt.silent() && !isatty(2)) lines.emplace(files);
  int rc = 0;
  for (size_t i = 0; i < files.size() && !g_stop.load(); ++i) {
    std::unique_ptr<CaptureReader> reader;
    try {
      reader = CaptureReader::open_file(capture_path(files[i]), files[i]);
    } catch (const CaptureError& e) {
      fmt::print(stderr, "error: {}\n", term_safe(e.what()));  // names the file
      total.file_errors[files[i]] = e.what();
      rc = 1;
      continue;
    }
    if (!hooks.begin(files[i])) {
      if (lines) lines->file_done(*reader);
      continue;
    }
    run_one(*reader, opt, cfg, hooks, total, i, files.size(), lines ? &*lines : nullptr);
  }
  if (g_stop.load()) fmt::print(stderr, "interrupted: stopped after the current capture\n");
  return rc;
}

}  // namespace sg::cli
