// Where probes come from: capture files, folders of them, standard input or a live interface, each run
// through the session pipeline. One loop over the sources for every front end (ingest, extract, run); what
// it does on the way is told to a SourceEvents, so a front end decides what to print and the loop prints
// nothing.
#pragma once

#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "capture/cidr.h"
#include "session/pipeline.h"
#include "session/tracker.h"

namespace sg::pipeline {

// Files named are taken as they are, whatever their names; directories are walked recursively, in name order
// so runs are repeatable, for files named like captures (.pcap .pcapng .cap) or logs (.log .json .jsonl, and
// rotated forms such as eve.json.1 or conn.00:00:00-01:00:00.log), each optionally .gz/.zst. The name only
// finds candidates: every file's format is decided by its content (run_sources).
std::vector<std::string> expand_inputs(const std::vector<std::string>& args);

// The file to open for an input argument: itself, or for "-" (standard input) a temporary copy of it,
// made once, since a capture is read more than once (its type is sniffed; ingest hashes it first) and a pipe
// reads once. Messages and the database still call it "-".
std::string capture_path(const std::string& arg);

// CIDR prefixes; throws std::invalid_argument naming --sensor-net and the bad text.
std::vector<Cidr> parse_sensor_nets(const std::vector<std::string>& args);

// A combination of source options that cannot run. `option` names the option at fault, so a command line
// can report it as a usage error; what() reads "OPTION: MESSAGE".
class OptionError : public std::invalid_argument {
 public:
  OptionError(std::string option, std::string message)
      : std::invalid_argument(option + ": " + message), option(std::move(option)), message(std::move(message)) {}
  std::string option, message;
};

struct SourceOptions {
  std::vector<std::string> inputs;  // files, directories, "-"
  std::vector<std::string> sensor_nets;
  std::string live_iface;  // capture from this interface instead of inputs
  std::string bpf;         // live only
  size_t byte_cap = 16 * 1024;
  bool no_syn = false;
  // Files read at once, each on its own thread; 0: one per core this process may run on. The hooks and events
  // still see every file in input order, as with 1 (run_sources). The readers of files run 10 nice levels
  // below the caller's thread, which replays them in order and is the stage that cannot run ahead.
  unsigned jobs = 0;

  SessionConfig session_config() const;  // throws on a bad sensor prefix
  unsigned effective_jobs() const;       // jobs, or the cores when 0
};

// What `prepare` learnt of a file on the thread that reads it, handed to `begin`.
struct PreparedSource {
  std::string key;      // e.g. ingest's content hash
  bool refuse = false;  // begin will refuse it whatever happens first (already complete): not read at all
};

// What happens around one source: `begin` may refuse it (already ingested), `end` sees its stats.
// begin, record (or probe) and end run on the caller's thread, file after file in input order, whatever
// SourceOptions::jobs is; prepare and encode run on the thread reading the file, several files at once.
struct SourceHooks {
  // Optional: work on a file that need not wait for its turn (ingest hashes the file here). A file it
  // refuses is not read, and begin must refuse it too.
  std::function<PreparedSource(const std::string& path)> prepare;
  std::function<bool(const std::string& path, const PreparedSource& prepared)> begin;
  // Each probe either as a record (encode and record), or as the Probe itself (probe), on the caller's thread.
  // encode builds the record where the probe was read (with several jobs, several files at once) and returns
  // it, valid until its next call on that thread (probe_to_jsonl_view's buffer, say); an empty record
  // leaves the probe out. record gets its bytes: with several jobs the Probe does not cross threads, only
  // its record does, batched into one buffer per few dozen probes.
  std::function<std::string_view(const Probe&)> encode;
  std::function<void(std::string_view record)> record;
  std::function<void(const Probe&)> probe;  // without encode
  std::function<void(const std::string& path, const IngestStats& file_stats)> end;
  // A stop in the middle of a capture file leaves out the sessions still open, rather than emit them cut
  // (ingest: the file is read again by the next run). Live captures always emit them.
  bool drop_cut_sessions = false;
};

// What the loop over the sources does, as it does it, for a front end to show. Every method has a default
// that shows nothing.
class SourceEvents {
 public:
  virtual ~SourceEvents() = default;
  // Whether progress() is wanted: asking costs a call about every 64k packets.
  virtual bool wants_progress() const { return false; }
  virtual void live_started(const std::string& iface) {}
  // A live capture ended: libpcap's counters, drops included (what a sensor must know it missed).
  virtual void live_finished(const LiveCounters& counters) {}
  virtual void files_found(const std::vector<std::string>& files) {}
  virtual void file_started(size_t index, size_t count) {}
  virtual void progress(const Progress& p, size_t index, size_t count) {}
  // A source read to its end (or its damage, or a stop); file_size is 0 for a live capture.
  virtual void file_finished(const std::string& name, const IngestStats& file_stats, double seconds,
                             uint64_t file_size) {}
  // A file `begin` refused (already ingested): not read.
  virtual void file_passed(uint64_t file_size) {}
  // A file that could not be opened as a capture: left out, the run goes on and fails at the end.
  virtual void unreadable(const std::string& file, const std::string& error) {}
  // A capture damaged part way: error names the file and where; the probes before it are kept.
  virtual void damaged(const std::string& error) {}
  // A log line that could not be read ("FILE:LINE: reason"): skipped and counted, the file read on. Told
  // for the first lines of each file (logs::kReportedBadLines), then once with how many more there were.
  virtual void bad_record(const std::string& message) {}
  // A stop request ended the loop after the current capture.
  virtual void interrupted() {}
  // ingest (pipeline/ingest.h): a capture with the same content as `same_as`, already in state `status`.
  virtual void already_ingested(const std::string& path, const std::string& status, const std::string& same_as) {}
};

// Runs every file (or the live interface) until done or stop_requested(): a capture (pcap/pcapng, plain,
// gzip or zstd) through the session pipeline, a log (Suricata EVE JSON, Zeek TSV or JSON, plain or
// compressed) through its reader (logs/source.h); the format is sniffed from the content. Returns the exit
// code: 1 when an input could not be read as either, else 0; such files are in total.file_errors, as are
// damaged inputs, which keep their probes. Throws OptionError for options that
// cannot run together, and std::invalid_argument for a bad sensor prefix, before any work.
// With several jobs, worker threads read files (a live capture: one) while the caller's thread replays what
// each file did (begin, its probes, its events, end) in input order, so the results are those of one job;
// what waits for its turn is held in memory up to a budget, past which the readers of later files wait.
int run_sources(const SourceOptions& opt, const SourceHooks& hooks, SourceEvents& events, IngestStats& total);

}  // namespace sg::pipeline
