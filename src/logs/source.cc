#include "logs/source.h"

#include <fmt/format.h>

#include "logs/eve.h"
#include "logs/line_reader.h"
#include "logs/zeek.h"

namespace sg::logs {

const char* format_name(LogFormat f) { return f == LogFormat::eve ? "eve" : "zeek"; }

std::optional<LogFormat> sniff_log(const std::string& path, const std::string& name) {
  auto f = DecodedFile::open(path, name);
  // The first lines that are not comments decide; a capture's binary header never starts with '#' or '{'.
  LineReader lines(f->file(), 1 << 16);
  std::string_view line;
  for (int i = 0; i < 16; ++i) {
    auto r = lines.next(line);
    if (r == LineReader::Result::end) return std::nullopt;
    // An over-long first record (read and reported later) does not decide; the lines after it do.
    if (r == LineReader::Result::too_long || line.empty()) continue;
    if (line.starts_with("#separator ")) return LogFormat::zeek;
    if (line[0] == '#') continue;  // btest's first line, other comments
    if (line[0] != '{') return std::nullopt;
    // Keys rather than a full parse: Zeek's test baselines mask ts, which leaves their JSON invalid, and
    // the line is read properly (and reported if bad) later.
    if (line.find("\"event_type\"") != std::string_view::npos) return LogFormat::eve;
    if (line.find("\"id.orig_h\"") != std::string_view::npos) return LogFormat::zeek;
    return std::nullopt;
  }
  return std::nullopt;
}

void read_log(DecodedFile& file, const std::string& name, LogFormat format, const LogCallbacks& cb, IngestStats& stats,
              size_t max_line) {
  ++stats.files;
  LineReader lines(file.file(), max_line);
  ZeekReader zeek;
  Probe p;
  std::string_view line;
  uint64_t bad = 0;
  auto report = [&](std::string_view reason) {
    stats.skip(reason);
    if (++bad <= kReportedBadLines && cb.bad_line)
      cb.bad_line(fmt::format("{}:{}: {}", name, lines.line_number(), reason));
  };
  for (;;) {
    if (cb.stop && cb.stop->load(std::memory_order_relaxed)) break;
    auto r = lines.next(line);
    if (r == LineReader::Result::end) break;
    if (cb.progress && (lines.line_number() & 0xffff) == 0) cb.progress(stats.records, stats.probes);
    ++stats.records;
    stats.bytes += line.size() + 1;
    if (r == LineReader::Result::too_long) {
      report(format == LogFormat::eve ? "eve: line too long" : "zeek: line too long");
      continue;
    }
    if (line.empty()) {
      --stats.records;
      continue;
    }
    LineOutcome o = format == LogFormat::eve ? parse_eve_line(line, p) : zeek.feed(line, p);
    switch (o.kind) {
      case LineOutcome::probe:
        ++stats.sessions;
        ++stats.probes;
        ++stats.probes_by_service[service_name(p.service)];
        cb.probe(p);
        break;
      case LineOutcome::skipped:
        stats.skip(o.reason);
        break;
      case LineOutcome::bad:
        report(o.reason);
        break;
      case LineOutcome::header:
        --stats.records;
        break;
    }
  }
  if (bad > kReportedBadLines && cb.bad_line)
    cb.bad_line(fmt::format("{}: {} more bad lines (counted in the summary)", name, bad - kReportedBadLines));
  if (!file.decode_error().empty())
    stats.file_errors[name] = fmt::format("{}: after line {}: {}", name, lines.line_number(), file.decode_error());
  else if (lines.read_error())
    stats.file_errors[name] = fmt::format("{}: read error after line {}", name, lines.line_number());
}

}  // namespace sg::logs
