// The probe store: captures (and logs) ingested and the probes they produced, in SQLite (WAL).
// Idempotence has two layers: an input whose content hash is already complete is skipped, and each
// probe is unique by (ts, 5-tuple), so a capture re-read after a crash or a rotated file that overlaps an
// earlier one never counts a session twice.
// Across sources, one session is one probe: a log's record of a session (EVE, Zeek) carries the log's time
// of it, which is not the capture's first-payload time to the microsecond (Zeek's ssl.log and ssh.log give the
// connection's first packet, EVE the packet that completed the event), so a probe from another source with the
// same 5-tuple within kSameSessionUs is the same session. The capture's probe wins (it carries every field):
// a log probe met after it is dropped, and a capture probe met after a log probe replaces that row in place
// (same id, so its labels stay). Between two logs, the first stored stays.
// On PostgreSQL several ingests (sensors) write at once: a batch of capture probes goes in by COPY into a
// staging table and one INSERT ... ON CONFLICT DO NOTHING in key order (the unique key decides which
// writer stores a probe; a deadlock or serialization failure runs the batch again); the probes' month
// partitions are created before the batch.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
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
  static constexpr int64_t kSameSessionUs = 60'000'000;
  static constexpr int kSchemaVersion = schema::kVersion;
  // Read-only: nothing is created or migrated; a table an older or empty database lacks reads as empty.
  explicit ProbeStore(const std::string& path, Access access = Access::read_write);

  // The WAL copied back into the file by a thread of its own rather than inside the writer's commits
  // (Db::checkpoint_in_background): for a writer with other threads feeding it (ingest --jobs), whose thread
  // is the critical path; the copy and its fsync were a seventh of that thread's time. Costs a little more
  // CPU in all (pages written by several batches are copied more than once). Nothing on PostgreSQL.
  void checkpoint_in_background();

  std::optional<CaptureRecord> find_capture(const std::string& sha256);
  // Registers (or re-opens after an interrupted run) a capture in state `ingesting`; returns its id.
  int64_t begin_capture(const std::string& sha256, const std::string& path, uint64_t size);
  // Buffers a probe; the buffered probes are written in one transaction once there are kBatchProbes of them
  // or kBatchBytes of their columns.
  void add_probe(int64_t capture_id, const Probe& p);
  // The same with its columns already packed (pack_probe), e.g. on the thread that read the probe.
  void add_packed(int64_t capture_id, std::string_view packed);
  // One transaction per batch. The bytes bound the memory a batch of large records holds.
  static constexpr size_t kBatchProbes = 20'000;
  static constexpr size_t kBatchBytes = size_t(32) << 20;
  // The WAL is copied back into the database file every kWalPages pages (256 MiB of 16 KiB pages).
  static constexpr int kWalPages = 16384;
  // Writes the buffered probes; returns how many were new.
  uint64_t flush();
  // Final flush and the capture's status, counters and skip reasons, in one transaction.
  void finish_capture(int64_t capture_id, const IngestStats& file_stats, const std::string& error);

  // The row id of a stored probe, by its unique key (time and 5-tuple); nullopt when no such row exists
  // (never flushed, or dropped as another source's record of a stored session). `sense` seals it into its
  // search-engine tags so that a tag names the probe it answered.
  std::optional<int64_t> probe_id(const Probe& p);

  // The sensor recorded with every probe this store adds (probes.sensor); the host name unless set.
  void set_sensor(std::string name) { sensor_ = std::move(name); }
  const std::string& sensor() const { return sensor_; }

  uint64_t new_probes() const { return new_probes_; }
  // Log probes replaced by the capture's probe of the same session, and probes dropped as another source's
  // record of a stored session, since this store was opened.
  uint64_t replaced_probes() const { return replaced_; }
  uint64_t duplicate_probes() const { return duplicates_; }
  uint64_t count_probes();
  // Stored probes (the export-contract JSON text), ordered by time.
  void for_each_probe(const ProbeQuery& q, const std::function<void(const std::string& json)>& fn);
  std::vector<CaptureRecord> captures();

  Db& db() { return db_; }

 private:
  void migrate();
  int64_t check_version();  // throws when the file is newer than this program
  uint64_t flush_rows();    // one probe at a time: the cross-source rules (see the top of this file)
  uint64_t flush_copy();    // PostgreSQL, capture probes where no log probe is stored: COPY
  struct Pending {
    int64_t capture_id;
    std::string_view packed;  // the probe's columns (pack_probe), in one of chunks_
    Source source;
  };
  Db db_;
  std::vector<Pending> pending_;
  // The buffered probes' packed columns, one after another in chunks of kChunkBytes that are filled but never
  // grown (the views stay valid; no copy as the batch grows), kept from one batch to the next.
  static constexpr size_t kChunkBytes = size_t(4) << 20;
  std::vector<std::string> chunks_;
  size_t chunk_ = 0;          // the chunk being filled
  size_t pending_bytes_ = 0;  // in pending_
  std::string scratch_;       // add_probe's packing
  std::string sensor_;
  std::set<std::string> partitions_;  // PostgreSQL: month partitions known to exist
  uint64_t new_probes_ = 0, replaced_ = 0, duplicates_ = 0;
  std::optional<bool> has_log_probes_;  // whether a capture's probe must look for a log's row of its session
};

// A probe's stored columns (time, 5-tuple, transport, service, truncated, source and its record's text `json`,
// probe_to_jsonl's) packed into one run of bytes appended to `out`: what ingest's reader threads build and
// hand the one writer (ProbeStore::add_packed) in place of the Probe, so that no per-probe heap string crosses
// threads, and the writer binds the text where it lies.
void pack_probe(const Probe& p, std::string_view json, std::string& out);

// Probes stored after `after_id` (ids grow with each insert) whose time is before `before_us`: what an
// ingest added to weeks already done (`run`'s late probes).
int64_t count_probes_after_id_before(Db& db, int64_t after_id, int64_t before_us);

// The first and last probe time (µs); none when there are no probes (or no probes table).
std::optional<std::pair<int64_t, int64_t>> probe_time_span(Db& db);

}  // namespace sg
