// Honeypot traffic simulator: synthetic captures of scanner sessions for the README demo, tests and
// throughput benchmarks (`scannergrouper simulate`).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace sg::sim {

struct SimulateOptions {
  std::string scenario;  // "demo" or "scale"
  std::string out;       // a capture file, or a directory (existing, or a path ending in '/'): one file per day
  uint64_t seed = 1;
  uint64_t packets = 0;  // scale: exactly this many packets (0: 2,000,000); demo: must stay 0
};

struct SimulateResult {
  uint64_t packets = 0;
  uint64_t sessions = 0;  // TCP sessions and UDP exchanges
  uint64_t bytes = 0;     // bytes written, pcap headers included
  std::map<std::string, uint64_t> sessions_by_service;  // "http", "tls", "dns", "ssh", "rdp", "syn"
  std::vector<std::string> files;                       // captures written, in time order
};

constexpr int64_t kDemoStartUs = 1736121600LL * 1000000;  // 2025-01-06T00:00:00Z, a Monday
constexpr int kDemoDays = 21;
constexpr uint64_t kDefaultScalePackets = 2000000;

// Deterministic for a seed. Throws std::invalid_argument for bad options (the message is one line for
// the CLI) and std::runtime_error for I/O errors. A capture appears under its name only once complete:
// a failed run leaves no half-written file (per-day days already finished stay).
SimulateResult simulate(const SimulateOptions& options);

// Ground truth of the demo scenario as a label list in the merged TSV layout of DESIGN.md §3
// (`prefix<TAB>org<TAB>source<TAB>period`, header line included). One demo organisation is deliberately
// missing: it plays a scanner nobody has published.
std::string demo_labels_tsv();

}  // namespace sg::sim
