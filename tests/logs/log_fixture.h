// Reading log files in the tests: a file (or text) through the sniff and the reader, the probes and the
// reported bad lines collected; Zeek's test baselines get a time where btest masked ts.
#pragma once

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "logs/source.h"
#include "support/temp_dir.h"

namespace sgtest {

struct LogRun {
  std::optional<sg::logs::LogFormat> format;
  std::vector<sg::Probe> probes;
  std::vector<std::string> bad;  // reported lines
  sg::IngestStats stats;
};

inline std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline void write_text(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
}

// btest replaced the first timestamp of each line by XXXXXXXXXX.XXXXXX; the tests put one time back.
inline std::string unmask_ts(std::string text, const std::string& ts = "1300475168.000000") {
  const std::string mask = "XXXXXXXXXX.XXXXXX";
  for (size_t at = text.find(mask); at != std::string::npos; at = text.find(mask, at + ts.size()))
    text.replace(at, mask.size(), ts);
  return text;
}

inline LogRun read_log_path(const std::string& path, size_t max_line = 1 << 20) {
  LogRun run;
  run.format = sg::logs::sniff_log(path);
  if (!run.format) return run;
  auto file = sg::DecodedFile::open(path);
  sg::logs::LogCallbacks cb;
  cb.probe = [&](const sg::Probe& p) { run.probes.push_back(p); };
  cb.bad_line = [&](const std::string& m) { run.bad.push_back(m); };
  sg::logs::read_log(*file, path, *run.format, cb, run.stats, max_line);
  return run;
}

// The text written to a file in `dir` (named `name`) and read.
inline LogRun read_log_text(const TempDir& dir, const std::string& name, const std::string& text,
                            size_t max_line = 1 << 20) {
  write_text(dir.file(name), text);
  return read_log_path(dir.file(name), max_line);
}

}  // namespace sgtest
