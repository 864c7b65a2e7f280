// A log file as a source of probes: the format sniffed from its content (never its name), then read line by
// line (streamed: memory stays flat whatever the file's size) into probes, with every line that is not a
// probe counted by reason and every bad line reported with its file and line number.
#pragma once

#include <atomic>
#include <functional>
#include <optional>
#include <string>

#include "capture/reader.h"
#include "probe/probe.h"
#include "session/stats.h"

namespace sg::logs {

enum class LogFormat { eve, zeek };
const char* format_name(LogFormat f);

// The log format of a file's (decompressed) content; none when it is not a log (a capture, say). Throws
// CaptureError when the file cannot be opened.
std::optional<LogFormat> sniff_log(const std::string& path, const std::string& name = "");

struct LogCallbacks {
  std::function<void(const Probe&)> probe;
  // A line that could not be read: "FILE:LINE: reason". Called for the first kReportedBadLines of a file;
  // every one is counted in IngestStats::skipped.
  std::function<void(const std::string& message)> bad_line;
  const std::atomic<bool>* stop = nullptr;
  // Called about every 64k lines with the lines and probes so far (the file is `file` of read_log, whose
  // compressed_offset() tells how far it is).
  std::function<void(uint64_t lines, uint64_t probes)> progress;
};

constexpr uint64_t kReportedBadLines = 20;

// Reads the whole log. Damage in a compressed file (or a read error) ends it early: it is recorded in
// stats.file_errors[name], and the probes before it are kept.
void read_log(DecodedFile& file, const std::string& name, LogFormat format, const LogCallbacks& cb, IngestStats& stats,
              size_t max_line = 1 << 20);

}  // namespace sg::logs
