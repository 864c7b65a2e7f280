// Honeypot traffic simulator: synthetic captures of scanner sessions for the README demo, tests and
// throughput benchmarks (`scannergrouper simulate`).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace sg::simulate {

struct SimulateOptions {
  std::string scenario;  // "demo", "replay", "scale" or the path of a scenario JSON file
  std::string out;       // a capture file, or a directory (existing, or a path ending in '/'): one file per day
  uint64_t seed = 1;
  uint64_t packets = 0;   // scale: exactly this many packets (0: 2,000,000); other scenarios: must stay 0
  std::string skeleton;   // replay: the probe skeleton (TSV, gzip or plain)
  std::string profiles;   // a directory of profile JSON files instead of the embedded ones
  bool seed_set = false;  // false: a scenario file's own "seed" applies
  // demo, replay and scenario files: sessions starting at or after this time (YYYY-MM-DD, or
  // YYYY-MM-DDTHH:MM:SSZ) are drawn from shifted profiles (shift.h); empty: no shift.
  std::string shift_from;
  // Sensor logs written beside the captures for every session (sensor_logs.h): "eve" (DIR/eve.json),
  // "zeek" (DIR/zeek/*.log, TSV), "zeek-json" (DIR/zeek-json/*.log); FILE.eve.json etc. beside one capture.
  std::vector<std::string> logs;
};

struct SimulateResult {
  uint64_t packets = 0;
  uint64_t sessions = 0;                                // TCP sessions and UDP exchanges
  uint64_t bytes = 0;                                   // bytes written, pcap headers included
  std::map<std::string, uint64_t> sessions_by_service;  // "http", "tls", "dns", "ssh", "rdp", "syn"
  std::vector<std::string> files;                       // captures written, in time order
  std::vector<std::string> logs;                        // sensor logs written (--logs)
  std::vector<std::string> sensor_nets;                 // give these to `ingest --sensor-net`
  std::string labels;                                   // labels.tsv written beside the captures, if any
  std::string truth;  // truth.tsv (DIR/truth.tsv or FILE.truth.tsv): who sent each session; none for scale
  std::string shift;  // shift.txt (DIR/shift.txt or FILE.shift.txt) with --shift-from
  std::vector<std::string> shift_changes;  // what the shift changed, one line each
  uint64_t skipped_rows = 0;               // replay: skeleton rows that could not be used
  std::vector<std::string> problems;       // the first few of them, "file:line: why"
};

constexpr int64_t kDemoStartUs = 1736121600LL * 1000000;  // 2025-01-06T00:00:00Z, a Monday
constexpr int kDemoDays = 21;
constexpr uint64_t kDefaultScalePackets = 2000000;
// Replay sensors: eight addresses in 192.0.2.0/28 (RFC 5737 documentation range).
constexpr const char* kReplaySensorNet = "192.0.2.0/28";
constexpr int kReplaySensors = 8;
constexpr const char* kReplaySensorNet6 = "2001:db8::/124";  // four IPv6 sensors, for skeletons with IPv6 rows

// Deterministic for a seed. Throws std::invalid_argument for bad options (the message is one line for
// the CLI) and std::runtime_error for I/O errors. A capture appears under its name only once complete:
// a failed run leaves no half-written file (per-day days already finished stay).
SimulateResult run(const SimulateOptions& options);

// Ground truth of the demo scenario as a label list in the merged TSV layout of README, Labels
// (`prefix<TAB>org<TAB>source<TAB>period`, header line included). One demo organisation is deliberately
// missing: it plays a scanner nobody has published. simulate::run() writes it as DIR/labels.tsv.
std::string demo_labels_tsv();

}  // namespace sg::simulate
