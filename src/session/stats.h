// Counters of one extraction or ingest run: what was read, what became probes, what was skipped and why.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>

namespace sg {

struct IngestStats {
  uint64_t files = 0;
  uint64_t packets = 0;
  uint64_t records = 0;  // log lines read (EVE, Zeek): a log's counterpart of packets
  uint64_t bytes = 0;
  uint64_t sessions = 0;
  uint64_t probes = 0;
  std::map<std::string, uint64_t> probes_by_service;
  // reason -> count. Reasons are static strings from the decoders and analyzers; counted by value so
  // that equal literals from different translation units land together.
  std::unordered_map<std::string_view, uint64_t> skipped;
  // files that ended early (damaged or unreadable): the message names the file and offset
  std::map<std::string, std::string> file_errors;

  void skip(std::string_view reason) { ++skipped[reason]; }
  void merge(const IngestStats& other);
  // Multi-line human summary for stderr.
  std::string summary() const;
};

}  // namespace sg
