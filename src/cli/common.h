// Helpers shared by the subcommands: progress display, dates, option and output conventions, error reporting.
#pragma once

#include <cstdint>
#include <exception>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <CLI/CLI.hpp>
#include <nlohmann/json_fwd.hpp>

#include "capture/cidr.h"
#include "pipeline/stop.h"
#include "session/pipeline.h"

namespace sg::cli {

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

// --db's check for commands that read an existing database: the SQLite file exists, or the value is a
// PostgreSQL connection string (postgresql://..., key=value), whose server says itself whether it exists.
extern const CLI::Validator kExistingDb;
// The help text every --db option ends with.
inline constexpr const char* kDbHelp =
    "(a SQLite file, or postgresql://user@host/dbname: password from PGPASSWORD or ~/.pgpass)";

// -q,--quiet and -v,--verbose on `app` and every command below it, set once for the process
// (util/verbosity.h): main calls it on the whole tree, so no command can miss them or spell them differently.
void add_verbosity_options(CLI::App& app);

// --format, the one option name every command that prints a result uses for its form. `values` are from
// table (text for people, the default where offered), json (one JSON document), jsonl, csv and the few
// export-only forms; the first is the default.
CLI::Option* add_format_option(CLI::App* cmd, std::string& format, const std::vector<std::string>& values,
                               const std::string& help);

// One JSON document and a newline on standard output, through the JSON library (strings from captures are
// escaped; invalid UTF-8 becomes U+FFFD rather than an exception).
void print_json(const nlohmann::json& j);
void print_json(const nlohmann::ordered_json& j);

// The facts of IngestStats::summary as JSON: files, packets, bytes, sessions, probes, probes_by_service,
// skipped (reason -> count), damaged (file -> error).
nlohmann::json ingest_stats_json(const IngestStats& s);

// Rows streamed to stdout as --format jsonl (one per line) or json (one array, for tools that read a single
// document). Each row is already a JSON text made by a JSON library (escaped there); only the brackets and
// commas around them are written here, so a long export needs no memory for the whole array.
class JsonRows {
 public:
  explicit JsonRows(bool array) : array_(array) {}
  void row(std::string_view json);  // json: one value, without a trailing newline
  void finish();                    // closes the array ("[]" when there were no rows)

 private:
  bool array_, any_ = false, finished_ = false;
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

}  // namespace sg::cli
