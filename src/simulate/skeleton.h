// Probe skeletons: one row per probe (time, source, service, organisation), as in the SelfDeploy tables
// (`ts<TAB>src_ip<TAB>service<TAB>org[<TAB>...]`, a header line, gzip or plain). Bad rows are skipped and
// reported with their line number, never fatal.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "capture/packet.h"

namespace sg::simulate {

struct SkeletonRow {
  int64_t ts_us = 0;
  IpAddr src;
  std::string service;  // http, tls or dns
  std::string org;
};

class SkeletonReader {
 public:
  explicit SkeletonReader(const std::string& path);  // throws std::runtime_error when it cannot be opened
  ~SkeletonReader();
  SkeletonReader(const SkeletonReader&) = delete;
  SkeletonReader& operator=(const SkeletonReader&) = delete;

  bool next(SkeletonRow& row);  // false at the end
  uint64_t skipped() const { return skipped_; }
  const std::vector<std::string>& problems() const { return problems_; }  // the first few, "file:line: why"
  void skip(const std::string& why);  // counts a row the caller cannot use (the current line)

 private:
  bool parse(const std::string& line, SkeletonRow& row, std::string& why) const;

  std::string path_;
  void* gz_ = nullptr;
  uint64_t line_ = 0, skipped_ = 0;
  std::vector<std::string> problems_;
};

// "2024-12-10T20:05:39Z" as microseconds since the epoch; false when malformed.
bool parse_skeleton_time(const std::string& text, int64_t& ts_us);

}  // namespace sg::simulate
