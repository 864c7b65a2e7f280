// The probe store: captures ingested and the probes they produced, in SQLite (WAL).
// Idempotence has two layers: a capture whose content hash is already complete is skipped, and each
// probe is unique by (ts, 5-tuple), so a capture re-read after a crash or a rotated file that overlaps an
// earlier one never counts a session twice.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "probe/probe.h"
#include "session/stats.h"
#include "storage/db.h"
#include "storage/schema.h"

namespace sg {

struct CaptureRecord {
  int64_t id = 0;
  std::string sha256, path, status;  // status: ingesting | complete | damaged
  uint64_t packets = 0, probes = 0;
  std::string error;
};

struct ProbeQuery {
  std::optional<Service> service;
  std::optional<int64_t> from_us, to_us;  // [from, to)
};

class ProbeStore {
 public:
  static constexpr int kSchemaVersion = schema::kVersion;
  // Read-only: nothing is created or migrated; a table an older or empty database lacks reads as empty.
  explicit ProbeStore(const std::string& path, Access access = Access::read_write);

  std::optional<CaptureRecord> find_capture(const std::string& sha256);
  // Registers (or re-opens after an interrupted run) a capture in state `ingesting`; returns its id.
  int64_t begin_capture(const std::string& sha256, const std::string& path, uint64_t size);
  // Buffers a probe; every `batch` probes are written in one transaction.
  void add_probe(int64_t capture_id, const Probe& p);
  // Writes the buffered probes; returns how many were new.
  uint64_t flush();
  // Final flush and the capture's status, counters and skip reasons, in one transaction.
  void finish_capture(int64_t capture_id, const IngestStats& file_stats, const std::string& error);

  uint64_t new_probes() const { return new_probes_; }
  uint64_t count_probes();
  // Stored probes (the export-contract JSON text), ordered by time.
  void for_each_probe(const ProbeQuery& q, const std::function<void(const std::string& json)>& fn);
  std::vector<CaptureRecord> captures();

  Db& db() { return db_; }

 private:
  void migrate();
  int64_t check_version();  // throws when the file is newer than this program
  struct Pending {
    int64_t capture_id;
    int64_t ts_us;
    std::string src, dst;
    int sport, dport;
    std::string transport, service, json;
    bool truncated;
  };
  Db db_;
  std::vector<Pending> pending_;
  size_t batch_ = 20000;
  uint64_t new_probes_ = 0;
};

// Probes stored after `after_id` (ids grow with each insert) whose time is before `before_us`: what an
// ingest added to weeks already done (`run`'s late probes).
int64_t count_probes_after_id_before(Db& db, int64_t after_id, int64_t before_us);

// The first and last probe time (µs); none when there are no probes (or no probes table).
std::optional<std::pair<int64_t, int64_t>> probe_time_span(Db& db);

}  // namespace sg
