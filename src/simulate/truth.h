// Ground truth of a simulation: who really sent every simulated session, written beside the captures as
// truth.tsv. Labels only name the published address blocks; the truth also names the organisation behind
// every unlabelled scanner (the open-set organisation, the unknown population's tools), so an evaluation can
// join each stored probe to it by (ts, transport, src, sport, dst, dport).
#pragma once

#include <cstdint>
#include <cstdio>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace sg::simulate {

// One simulated session. `ts_us` is the time the capture extractor gives the session's probe: the first
// client data segment (in sequence order) for TCP sessions with a payload, the SYN for SYN-only sessions,
// the query for UDP.
struct TruthRow {
  int64_t ts_us = 0;
  std::string transport;  // "tcp" or "udp"
  std::string src;
  uint16_t sport = 0;
  std::string dst;
  uint16_t dport = 0;
  std::string service;     // http, tls, dns, ssh, rdp, syn
  std::string org;         // the profile name; "unknown" for the unattributed population
  std::string population;  // the unknown population's tool (variant) name; the org name again for organisations
};

inline constexpr std::string_view kTruthHeader = "ts\ttransport\tsrc\tsport\tdst\tdport\tservice\torg\tpopulation\n";

// RFC 3339 UTC with microseconds, as the probe export writes it: "2025-01-06T00:00:00.000123Z".
std::string truth_time(int64_t ts_us);
// That form, or with 0-9 fraction digits (rounded to the microsecond); false when malformed.
bool parse_truth_time(std::string_view text, int64_t& ts_us);

std::string truth_line(const TruthRow& r);  // tab-separated, ending in '\n'
// Bounds-checked: nine fields, a valid time, tcp/udp, IP addresses, ports 0-65535, non-empty names.
bool parse_truth_line(std::string_view line, TruthRow& row, std::string& why);

struct TruthReadStats {
  uint64_t rows = 0;
  uint64_t skipped = 0;               // bad lines
  std::vector<std::string> problems;  // the first few, "file:line: why"
};

// Streams the rows of a truth file (plain or gzip). A bad line is skipped and counted, never fatal;
// throws std::runtime_error only when the file cannot be opened or read.
TruthReadStats for_each_truth(const std::string& path, const std::function<void(const TruthRow&)>& fn);
std::vector<TruthRow> read_truth(const std::string& path, TruthReadStats* stats = nullptr);

// Writes rows in time order while sessions are still being emitted. Rows arrive nearly in order (a
// session's probe comes a round trip after its start); the caller promises, like OrderingSink::advance,
// that no later row is older than the watermark, so only the rows of the sessions in flight are held.
class TruthWriter {
 public:
  explicit TruthWriter(const std::string& path);  // writes the header; throws std::runtime_error
  ~TruthWriter();
  TruthWriter(const TruthWriter&) = delete;
  TruthWriter& operator=(const TruthWriter&) = delete;

  void add(TruthRow row);
  void advance(int64_t watermark);
  void finish();  // writes the rest and closes; throws std::runtime_error on a write error
  uint64_t rows() const { return written_; }

 private:
  struct Held {
    uint64_t seq;  // emission order breaks time ties
    TruthRow row;
  };
  void flush(int64_t watermark);

  std::string path_;
  std::FILE* out_ = nullptr;
  std::vector<Held> held_;
  uint64_t seq_ = 0, written_ = 0;
};

}  // namespace sg::simulate
