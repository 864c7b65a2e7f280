// Helpers shared by the subcommands: input discovery, progress display, dates, error reporting.
#pragma once

#include <cstdint>
#include <exception>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "capture/cidr.h"
#include "session/pipeline.h"

namespace sg::cli {

// Files named on the command line are taken as they are; directories are walked recursively for captures
// (.pcap .pcapng .cap, optionally .gz/.zst), in name order so runs are repeatable.
std::vector<std::string> expand_inputs(const std::vector<std::string>& args);

// The file to open for a capture argument: itself, or for "-" (standard input) a temporary copy of it,
// made once, since a capture is read more than once (its type is sniffed; ingest hashes it first) and a pipe
// reads once. Messages and the database still call it "-".
std::string capture_path(const std::string& arg);

std::vector<Cidr> parse_sensor_nets(const std::vector<std::string>& args);

// "YYYY-MM-DD" (UTC midnight) or RFC 3339; throws std::invalid_argument with the offending text.
int64_t parse_date_us(const std::string& text);

// A one-line progress bar on stderr, only when stderr is a terminal.
class ProgressBar {
 public:
  ProgressBar(size_t file_index, size_t file_count);
  void update(const Progress& p);
  void done();

 private:
  size_t index_, count_;
  bool tty_;
  int64_t last_us_ = 0;
};

// Standard output carries what most commands produce, often redirected to a file: a write that fails (disk
// full, quota, I/O error) must fail the command with one line, never exit 0 behind a truncated file.
// write_stdout writes through stdio's buffer and throws at the first failed write, so a long export stops
// there; finish_stdout (main calls it after every command) flushes stdout and std::cout and throws if
// anything written since the start failed. Both throw std::runtime_error("writing standard output: ...").
void write_stdout(std::string_view text);
void finish_stdout();
// The one line main prints for a failed command: a write error on stdout caught by fmt (which throws a
// std::system_error on a short fwrite) reads as the same "writing standard output: ..." line.
std::string failure_text(const std::exception& e);

// SIGINT/SIGTERM set this so that long loops stop at a safe point and still write what they have.
// A live capture registers its reader so that the signal also breaks libpcap's blocking read.
extern std::atomic<bool> g_stop;
extern std::atomic<CaptureReader*> g_live_reader;
void install_stop_handlers();

}  // namespace sg::cli
