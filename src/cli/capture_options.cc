#include "cli/capture_options.h"

#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/progress.h"
#include "util/terminal.h"
#include "util/verbosity.h"

namespace sg::cli {

void CaptureOptions::add_to(CLI::App& cmd) {
  cmd.add_option("captures", inputs,
                 "inputs, format read from the content: pcap/pcapng captures, Suricata EVE JSON, Zeek logs (TSV "
                 "or JSON; http, ssl, dns, ssh, conn), each plain or .gz/.zst; directories to search for them; "
                 "or - for standard input");
  cmd.add_option("--sensor-net", sensor_nets,
                 "CIDR of the sensors (repeatable); decides the client side of sessions without a SYN and "
                 "drops sessions the sensors opened themselves")
      ->allow_extra_args(false);  // one prefix per --sensor-net, so captures after it stay positional
  cmd.add_option("--live", live_iface,
                 "capture from this network interface instead of files (Ctrl-C stops); each packet is kept up "
                 "to --byte-cap plus 1 KiB for its headers");
  cmd.add_option("--bpf", bpf, "BPF filter for --live, e.g. 'not port 22'");
  cmd.add_option("--byte-cap", byte_cap, "most bytes of a client's first message kept")
      ->check(CLI::Range(size_t(64), size_t(1) << 20))
      ->capture_default_str();
  cmd.add_flag("--no-syn", no_syn, "leave out TCP sessions that sent a SYN but no payload");
  cmd.add_option("--jobs,-j", jobs,
                 "files read at once, one thread each (default 0: one per core); results and their order are "
                 "those of 1")
      ->check(CLI::Range(0u, 1024u))
      ->capture_default_str();
  // -q/-v are every command's (add_verbosity_options): -q drops the progress and the summary.
}

bool CaptureOptions::silent() const { return quiet || !chatty(); }

// Without a terminal (cron, systemd, a pipe) the bar is not drawn; a plain line every progress interval
// tells the log how far the whole run is: bytes of all the files, rate and time left.
class StderrEvents::Lines {
 public:
  Lines(const std::vector<std::string>& files) {
    for (const auto& f : files) {
      struct stat st {};
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
  void file_done(uint64_t file_size) { before_ += file_size; }

 private:
  uint64_t total_ = 0, before_ = 0;
  ProgressPace pace_;
};

StderrEvents::StderrEvents(const CaptureOptions& opt) : silent_(opt.silent()), quiet_(opt.quiet) {}

StderrEvents::~StderrEvents() = default;

bool StderrEvents::wants_progress() const { return !silent_; }

void StderrEvents::live_started(const std::string& iface) {
  if (!silent_) fmt::print(stderr, "capturing on {} (Ctrl-C to stop)\n", iface);
}

void StderrEvents::live_finished(const LiveCounters& c) {
  // Drops are data lost: said at every verbosity.
  if (!silent_ || c.dropped + c.if_dropped > 0)
    fmt::print(stderr, "libpcap: {} packets received, {} dropped (buffer full), {} dropped by the interface\n",
               c.received, c.dropped, c.if_dropped);
}

void StderrEvents::files_found(const std::vector<std::string>& files) {
  if (!silent_ && !isatty(2)) lines_ = std::make_unique<Lines>(files);
}

void StderrEvents::file_started(size_t index, size_t count) { bar_.emplace(index, count); }

void StderrEvents::progress(const Progress& p, size_t index, size_t count) {
  bar_->update(p);  // draws only on a terminal
  if (lines_) lines_->update(p, index, count);
}

void StderrEvents::file_finished(const std::string& name, const IngestStats& st, double seconds, uint64_t file_size) {
  bar_->done();
  bar_.reset();
  if (verbose() && !quiet_)
    fmt::print(stderr, "file {}: {} packets, {} sessions, {} probes, {:.2f} s\n", term_safe(name), st.packets,
               st.sessions, st.probes, seconds);
  if (lines_) lines_->file_done(file_size);
}

void StderrEvents::file_passed(uint64_t file_size) {
  if (lines_) lines_->file_done(file_size);
}

void StderrEvents::unreadable(const std::string&, const std::string& error) {
  fmt::print(stderr, "error: {}\n", term_safe(error));  // names the file
}

void StderrEvents::damaged(const std::string& error) {
  fmt::print(stderr, "warning: {} (probes before it were kept)\n", term_safe(error));
}

void StderrEvents::bad_record(const std::string& message) {
  fmt::print(stderr, "warning: {} (line skipped)\n", term_safe(message));
}

void StderrEvents::interrupted() { fmt::print(stderr, "interrupted: stopped after the current capture\n"); }

void StderrEvents::already_ingested(const std::string& path, const std::string& status, const std::string& same_as) {
  if (!silent_)
    fmt::print(stderr, "skip: {} already ingested ({}, same content as {})\n", term_safe(path), status,
               term_safe(same_as));
}

}  // namespace sg::cli
