#include "cli/common.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <stdexcept>
#include <system_error>

#include <nlohmann/json.hpp>

#include "storage/db.h"
#include "util/terminal.h"
#include "util/verbosity.h"

namespace sg::cli {

namespace fs = std::filesystem;

namespace {

std::runtime_error stdout_error(int err) {
  // An error seen only by a later flush may have lost its errno; say that the write failed all the same.
  return std::runtime_error(fmt::format("writing standard output: {}", err ? std::strerror(err) : "write error"));
}

}  // namespace

int64_t parse_date_us(const std::string& text) {
  int y, mo, d, h = 0, mi = 0, s = 0, n = 0;
  double frac = 0;
  bool ok = false;
  if (sscanf(text.c_str(), "%4d-%2d-%2d%n", &y, &mo, &d, &n) == 3 && size_t(n) == text.size()) {
    ok = true;
  } else if (sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &s, &n) == 6) {
    std::string rest = text.substr(n);
    if (!rest.empty() && rest[0] == '.') {
      size_t k = 1;
      while (k < rest.size() && isdigit(static_cast<unsigned char>(rest[k]))) ++k;
      frac = std::stod("0" + rest.substr(0, k));
      rest = rest.substr(k);
    }
    ok = rest == "Z" || rest == "z" || rest == "+00:00";
  }
  if (!ok || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60)
    throw std::invalid_argument(fmt::format("not a date (YYYY-MM-DD or RFC 3339 UTC): '{}'", text));
  using namespace std::chrono;
  auto days = sys_days(year{y} / month{unsigned(mo)} / day{unsigned(d)});
  if (!(year{y} / month{unsigned(mo)} / day{unsigned(d)}).ok())
    throw std::invalid_argument(fmt::format("no such day: '{}'", text));
  int64_t sec = duration_cast<seconds>(days.time_since_epoch()).count() + h * 3600 + mi * 60 + s;
  return sec * 1000000 + static_cast<int64_t>(frac * 1e6 + 0.5);
}

void add_verbosity_options(CLI::App& app) {
  auto* q = app.add_flag_callback(
      "-q,--quiet", [] { set_verbosity(Verbosity::quiet); },
      "no progress or informational lines on stderr (errors and warnings about lost "
      "data still print)");
  auto* v = app.add_flag_callback(
      "-v,--verbose", [] { set_verbosity(Verbosity::verbose); },
      "more detail on stderr: per-file lines, stage logs, the time taken");
  q->excludes(v);
  for (CLI::App* sub : app.get_subcommands([](CLI::App* c) { return !c->get_name().empty(); }))  // not option groups
    add_verbosity_options(*sub);
}

const CLI::Validator kExistingDb(
    [](std::string& db) { return database_exists(db) ? std::string() : "File does not exist: " + db; }, "DATABASE");

CLI::Option* add_format_option(CLI::App* cmd, std::string& format, const std::vector<std::string>& values,
                               const std::string& help) {
  format = values.front();
  return cmd->add_option("--format", format, help)->check(CLI::IsMember(values))->capture_default_str();
}

void print_json(const nlohmann::json& j) {
  write_stdout(j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n");
}

void print_json(const nlohmann::ordered_json& j) {
  write_stdout(j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n");
}

nlohmann::json ingest_stats_json(const IngestStats& s) {
  nlohmann::json skipped = nlohmann::json::object();
  for (const auto& [reason, n] : s.skipped) skipped[std::string(reason)] = n;
  return {{"files", s.files},
          {"packets", s.packets},
          {"log_records", s.records},
          {"bytes", s.bytes},
          {"sessions", s.sessions},
          {"probes", s.probes},
          {"probes_by_service", s.probes_by_service},
          {"skipped", skipped},
          {"damaged", s.file_errors}};
}

void JsonRows::row(std::string_view json) {
  if (array_) write_stdout(any_ ? ",\n" : "[\n");
  any_ = true;
  write_stdout(json);
  if (!array_) write_stdout("\n");
}

void JsonRows::finish() {
  if (finished_ || !array_) return;
  finished_ = true;
  write_stdout(any_ ? "\n]\n" : "[]\n");
}

// Under -q no bar either: a terminal user asked for silence.
ProgressBar::ProgressBar(size_t index, size_t count) : index_(index), count_(count), tty_(isatty(2) && chatty()) {}

void ProgressBar::update(const Progress& p) {
  if (!tty_) return;
  int64_t now =
      std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now().time_since_epoch())
          .count();
  if (now - last_us_ < 200000) return;
  last_us_ = now;
  double frac = p.total_bytes ? std::min(1.0, double(p.done_bytes) / double(p.total_bytes)) : 0;
  int width = 30, filled = static_cast<int>(frac * width);
  std::string name = p.file ? fs::path(*p.file).filename().string() : "";
  if (name.size() > 32) name = name.substr(0, 29) + "...";
  fmt::print(stderr, "\r[{}/{}] {:<32} [{}{}] {:3.0f}%  {} packets  {} probes\x1b[K", index_ + 1, count_, name,
             std::string(filled, '#'), std::string(width - filled, '.'), frac * 100, p.packets, p.probes);
}

void ProgressBar::done() {
  if (tty_ && last_us_) fmt::print(stderr, "\r\x1b[K");
}

void write_stdout(std::string_view text) {
  errno = 0;
  // Unlocked: one thread writes standard output (the caller's; readers of other files hand it their records),
  // and the lock per call was a visible cost at two calls per probe in `extract`.
  if (fwrite_unlocked(text.data(), 1, text.size(), stdout) != text.size()) throw stdout_error(errno);
}

void finish_stdout() {
  // stdout first: the flush that fails is the one that reports errno (a second flush returns 0). std::cout
  // writes through stdout (synced with stdio), so flushing it after is cheap; its own state is checked too.
  errno = 0;
  bool failed = fflush(stdout) != 0;
  int err = errno;
  std::cout.flush();
  if (failed || ferror(stdout) || std::cout.fail()) throw stdout_error(err);
}

std::string failure_text(const std::exception& e) {
  auto* sys = dynamic_cast<const std::system_error*>(&e);
  if (sys && ferror(stdout)) return stdout_error(sys->code().value()).what();
  return term_safe(e.what());  // messages may quote input (a file's line, a label)
}

}  // namespace sg::cli
