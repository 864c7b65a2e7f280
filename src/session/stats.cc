#include "session/stats.h"

#include <fmt/format.h>

#include <algorithm>
#include <vector>

namespace sg {

void IngestStats::merge(const IngestStats& o) {
  files += o.files;
  packets += o.packets;
  records += o.records;
  bytes += o.bytes;
  sessions += o.sessions;
  probes += o.probes;
  for (const auto& [k, v] : o.probes_by_service) probes_by_service[k] += v;
  for (const auto& [k, v] : o.skipped) skipped[k] += v;
  for (const auto& [k, v] : o.file_errors) file_errors[k] = v;
}

std::string IngestStats::summary() const {
  std::string out =
      fmt::format("files {}  packets {}  bytes {}  sessions {}  probes {}\n", files, packets, bytes, sessions, probes);
  if (records > 0) out += fmt::format("log records {}\n", records);
  if (!probes_by_service.empty()) {
    out += "probes by service:";
    for (const auto& [k, v] : probes_by_service) out += fmt::format("  {} {}", k, v);
    out += "\n";
  }
  if (!skipped.empty()) {
    std::vector<std::pair<std::string_view, uint64_t>> rows(skipped.begin(), skipped.end());
    std::sort(rows.begin(), rows.end(),
              [](auto& a, auto& b) { return a.second > b.second || (a.second == b.second && a.first < b.first); });
    out += "skipped by reason:";
    for (const auto& [k, v] : rows) out += fmt::format("  {} {}", k, v);
    out += "\n";
  }
  // Each fault was printed once, naming the file and offset, when it was met; the summary only counts them.
  if (!file_errors.empty()) out += fmt::format("damaged or unreadable captures: {}\n", file_errors.size());
  return out;
}

}  // namespace sg
