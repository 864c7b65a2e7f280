#include "storage/probe_store.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <stdexcept>
#include <thread>
#include <type_traits>

#include "export/json.h"
#include "storage/postgres.h"
#include "storage/schema.h"
#include "storage/sqlite.h"
#include "util/host.h"
#include "util/time.h"

namespace sg {

namespace {

// Runs `batch` (one transaction) again when PostgreSQL ends it as a deadlock or serialization failure
// between concurrent writers; the transaction rolled back, so running it again is safe.
template <class F>
auto retrying(F batch) {
  for (int attempt = 1;; ++attempt) {
    try {
      return batch();
    } catch (const StoreError& e) {
      if (!e.retryable() || attempt >= 20) throw;
      std::this_thread::sleep_for(std::chrono::milliseconds(5 * attempt));
    }
  }
}

}  // namespace

ProbeStore::ProbeStore(const std::string& path, Access access) : db_(path, access), sensor_(host_name("")) {
  if (access == Access::read_only) {
    if (check_version() < kSchemaVersion)
      schema::ensure(db_, schema::Tables::probes);  // an empty file reads as no probes
    return;
  }
  if (!db_.postgres()) {
    // A new file gets 16 KiB pages (SQLite ignores this for a file that has any): a probe row is about 1 KiB
    // of JSON, and with 4 KiB pages an ingest wrote a quarter of the CPU time away in page writes and splits.
    db_.exec("PRAGMA page_size=16384");
    db_.enable_wal();
    db_.exec("PRAGMA synchronous=NORMAL");
    db_.exec("PRAGMA foreign_keys=ON");
    // The probes' indexes take rows in no order of their own (addresses, services): with SQLite's default
    // 2 MiB page cache an ingest read and wrote every index page again for each few probes (a million page
    // reads and writes for 2 M packets). Up to 256 MiB stays in memory (allocated as used), and the WAL is
    // copied back every kWalPages rather than every 1,000, so a page written by many transactions goes back once.
    db_.exec("PRAGMA cache_size=-262144");
    db_.exec(fmt::format("PRAGMA wal_autocheckpoint={}", kWalPages).c_str());
  }
  migrate();
}

// Throws when the file is newer than this program. The statement is finalised before returning: one left
// stepped would hold a read transaction, and BEGIN IMMEDIATE from inside a read transaction fails at once
// with "database is locked" (SQLite calls no busy handler for it) when another process created the schema
// meanwhile.
int64_t ProbeStore::check_version() {
  int64_t version = 0;
  if (db_.postgres()) {
    version = schema::stored_version(db_);
  } else {
    Stmt v(db_, "PRAGMA user_version");
    v.step();
    version = v.col_int(0);
  }
  if (version > kSchemaVersion)
    throw StoreError(fmt::format("{}: database schema version {} is newer than this program ({})", db_.path(), version,
                                 kSchemaVersion));
  return version;
}

void ProbeStore::migrate() {
  if (check_version() == kSchemaVersion) return;
  // Several processes may open a new database at once (ingests started together): BEGIN IMMEDIATE waits
  // (busy timeout) for whichever creates the schema first, and the version read again inside the
  // transaction tells the others that there is nothing left to do.
  // PostgreSQL: BEGIN admits everyone, the lock makes the others wait.
  Transaction tx(db_);
  db_.lock("sg.schema");
  if (check_version() == kSchemaVersion) return;
  schema::ensure(db_, schema::Tables::probes);
  schema::migrate(db_);  // an older file's tables brought up to date, schema.version recorded
  if (!db_.postgres()) db_.exec(fmt::format("PRAGMA user_version={}", kSchemaVersion).c_str());
  tx.commit();
}

void ProbeStore::checkpoint_in_background() {
  if (!db_.postgres() && !db_.read_only()) db_.checkpoint_in_background(kWalPages);
}

std::optional<CaptureRecord> ProbeStore::find_capture(const std::string& sha256) {
  Stmt s(db_, "SELECT id, sha256, path, status, packets, probes, coalesce(error,'') FROM captures WHERE sha256=?");
  s.bind(1, sha256);
  if (!s.step()) return std::nullopt;
  return CaptureRecord{s.col_int(0),
                       s.col_text(1),
                       s.col_text(2),
                       s.col_text(3),
                       static_cast<uint64_t>(s.col_int(4)),
                       static_cast<uint64_t>(s.col_int(5)),
                       s.col_text(6)};
}

int64_t ProbeStore::begin_capture(const std::string& sha256, const std::string& path, uint64_t size) {
  Transaction tx(db_);
  Stmt s(db_,
         "INSERT INTO captures(sha256, path, size, status, started_at) VALUES(?,?,?,'ingesting',?) "
         "ON CONFLICT(sha256) DO UPDATE SET status='ingesting', path=excluded.path, started_at=excluded.started_at "
         "RETURNING id");
  s.bind(1, sha256).bind(2, path).bind(3, static_cast<int64_t>(size)).bind(4, now_ts());
  if (!s.step()) db_.fail("register capture");
  int64_t id = s.col_int(0);
  s.reset();
  tx.commit();
  return id;
}

namespace {

// pack_probe's layout: this head, then src, dst and json, each as many bytes as the head says.
struct PackedHead {
  int64_t ts_us;
  uint32_t src_size, dst_size, json_size;
  uint16_t sport, dport;
  Transport transport;
  Service service;
  Source source;
  bool truncated;
};
static_assert(std::is_trivially_copyable_v<PackedHead>);

// One buffered probe's columns, read back in place (views into the batch's bytes).
struct PackedColumns {
  PackedHead head;
  std::string_view src, dst, json;
};

PackedColumns unpack_probe(std::string_view packed) {
  PackedColumns c{};
  if (packed.size() < sizeof(PackedHead)) throw std::logic_error("probe store: packed probe shorter than its head");
  std::memcpy(&c.head, packed.data(), sizeof(PackedHead));
  packed.remove_prefix(sizeof(PackedHead));
  if (uint64_t(c.head.src_size) + c.head.dst_size + c.head.json_size != packed.size())
    throw std::logic_error("probe store: packed probe sizes do not add up");
  if (c.head.transport > Transport::udp || c.head.service > Service::other || c.head.source > Source::sensor)
    throw std::logic_error("probe store: packed probe names no transport, service or source");
  c.src = packed.substr(0, c.head.src_size);
  c.dst = packed.substr(c.head.src_size, c.head.dst_size);
  c.json = packed.substr(c.head.src_size + c.head.dst_size);
  return c;
}

}  // namespace

void pack_probe(const Probe& p, std::string_view json, std::string& out) {
  if (p.src.size() > UINT32_MAX || p.dst.size() > UINT32_MAX || json.size() > UINT32_MAX)
    throw std::length_error("probe store: probe record over 4 GiB");
  PackedHead h{};  // zeroed padding: the bytes are all defined
  h.ts_us = p.ts_us;
  h.src_size = uint32_t(p.src.size());
  h.dst_size = uint32_t(p.dst.size());
  h.json_size = uint32_t(json.size());
  h.sport = p.sport;
  h.dport = p.dport;
  h.transport = p.transport;
  h.service = p.service;
  h.source = p.source;
  h.truncated = p.truncated;
  const size_t at = out.size();
  out.resize(at + sizeof h + p.src.size() + p.dst.size() + json.size());
  char* w = out.data() + at;
  std::memcpy(w, &h, sizeof h);
  w += sizeof h;
  std::memcpy(w, p.src.data(), p.src.size());
  w += p.src.size();
  std::memcpy(w, p.dst.data(), p.dst.size());
  w += p.dst.size();
  std::memcpy(w, json.data(), json.size());
}

void ProbeStore::add_probe(int64_t capture_id, const Probe& p) {
  scratch_.clear();
  pack_probe(p, probe_to_jsonl_view(p), scratch_);
  add_packed(capture_id, scratch_);
}

void ProbeStore::add_packed(int64_t capture_id, std::string_view packed) {
  // Checked here: a bad one fails now, not in the middle of a batch's transaction.
  const Source source = unpack_probe(packed).head.source;
  if (chunks_.empty() || chunks_[chunk_].capacity() - chunks_[chunk_].size() < packed.size()) {
    if (!chunks_.empty()) ++chunk_;
    if (chunk_ == chunks_.size()) chunks_.emplace_back();
    chunks_[chunk_].reserve(std::max(kChunkBytes, packed.size()));  // empty: nothing points into it yet
  }
  std::string& chunk = chunks_[chunk_];
  const size_t at = chunk.size();
  chunk += packed;
  pending_.push_back(Pending{capture_id, std::string_view(chunk).substr(at), source});
  pending_bytes_ += packed.size();
  if (pending_.size() >= kBatchProbes || pending_bytes_ >= kBatchBytes) flush();
}

uint64_t ProbeStore::flush() {
  if (pending_.empty()) return 0;
  if (db_.postgres()) {
    for (const Pending& p : pending_) {
      schema::ProbePartition part = schema::probe_partition(unpack_probe(p.packed).head.ts_us);
      if (partitions_.count(part.name)) continue;
      schema::ensure_probe_partition(db_, part);
      partitions_.insert(part.name);
    }
  }
  const uint64_t added = retrying([&] {
    if (!has_log_probes_) {
      Stmt any(db_, "SELECT EXISTS(SELECT 1 FROM probes WHERE source<>'pcap')");
      any.step();
      has_log_probes_ = any.col_int(0) != 0;
    }
    bool all_pcap = true;
    for (const Pending& p : pending_) all_pcap = all_pcap && p.source == Source::pcap;
    return db_.postgres() && all_pcap && !*has_log_probes_ ? flush_copy() : flush_rows();
  });
  pending_.clear();
  pending_bytes_ = 0;
  for (std::string& c : chunks_) {
    c.clear();
    if (c.capacity() > kChunkBytes) c = std::string();  // one huge record's: not kept
  }
  chunk_ = 0;
  new_probes_ += added;
  return added;
}

uint64_t ProbeStore::flush_copy() {
  std::string data;
  for (const Pending& pending : pending_) {
    const PackedColumns p = unpack_probe(pending.packed);
    data += fmt::format("{}\t{}\t", pending.capture_id, p.head.ts_us);
    pg_copy_field(data, p.src);
    data += fmt::format("\t{}\t", p.head.sport);
    pg_copy_field(data, p.dst);
    data += fmt::format("\t{}\t", p.head.dport);
    pg_copy_field(data, transport_name(p.head.transport));
    data += '\t';
    pg_copy_field(data, service_name(p.head.service));
    data += fmt::format("\t{}\t", int(p.head.truncated));
    pg_copy_field(data, p.json);
    data += '\t';
    pg_copy_field(data, source_name(p.head.source));
    data += '\t';
    pg_copy_field(data, sensor_);
    data += '\n';
  }
  Transaction tx(db_);
  db_.exec(
      "CREATE TEMP TABLE IF NOT EXISTS probes_stage(capture_id BIGINT, ts_us BIGINT, src TEXT, sport BIGINT, "
      "dst TEXT, dport BIGINT, transport TEXT, service TEXT, truncated BIGINT, json TEXT, source TEXT, sensor TEXT) "
      "ON COMMIT DELETE ROWS");
  pg_copy_in(db_, "COPY probes_stage FROM STDIN", data);
  // Key order: concurrent writers meeting the same probes wait for each other in one order, not in a cycle.
  Stmt ins(db_,
           "INSERT INTO probes(capture_id, ts_us, src, sport, dst, dport, transport, service, truncated, json, source,"
           " sensor) SELECT capture_id, ts_us, src, sport, dst, dport, transport, service, truncated, json, source, "
           "sensor FROM probes_stage ORDER BY ts_us, src COLLATE \"C\", sport, dst COLLATE \"C\", dport, "
           "transport COLLATE \"C\" ON CONFLICT DO NOTHING");
  ins.step();
  const auto added = static_cast<uint64_t>(db_.changes());
  tx.commit();
  return added;
}

uint64_t ProbeStore::flush_rows() {
  Transaction tx(db_);
  // Kept prepared on the connection from one batch to the next (Stmt::reuse).
  Stmt s(db_,
         "INSERT INTO probes(capture_id, ts_us, src, sport, dst, dport, transport, service, truncated, json,"
         " source, sensor) VALUES(?,?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT DO NOTHING",
         Stmt::reuse);
  // The same session from another source (see kSameSessionUs): the nearest in time.
  Stmt other(db_,
             "SELECT id, source FROM probes WHERE src=?1 AND sport=?2 AND dst=?3 AND dport=?4 AND transport=?5 AND"
             " ts_us BETWEEN ?6 AND ?7 AND source<>?8 ORDER BY abs(ts_us-?9) LIMIT 1",
             Stmt::reuse);
  // A row already holding the new time and 5-tuple stays as it is (SQLite: OR IGNORE; PostgreSQL has no
  // UPDATE OR IGNORE: the same condition written out).
  Stmt replace(db_,
               db_.postgres()
                   ? "UPDATE probes SET capture_id=?1, ts_us=?2, service=?3, truncated=?4, json=?5, source=?6 "
                     "WHERE id=?7 AND NOT EXISTS (SELECT 1 FROM probes q WHERE q.ts_us=?2 AND q.src=probes.src "
                     "AND q.sport=probes.sport AND q.dst=probes.dst AND q.dport=probes.dport AND "
                     "q.transport=probes.transport AND q.id<>?7)"
                   : "UPDATE OR IGNORE probes SET capture_id=?, ts_us=?, service=?, truncated=?, json=?, source=? "
                     "WHERE id=?",
               Stmt::reuse);
  bool lookups = *has_log_probes_;  // a capture's probe looks for a log's row of its session only where one may be
  for (const Pending& p : pending_) lookups = lookups || p.source != Source::pcap;
  if (lookups) schema::ensure_session_index(db_);
  uint64_t added = 0;
  // The text is bound where it lies (chunks_, the names' static strings): nothing changes it before the
  // statement's reset.
  for (const Pending& pending : pending_) {
    const PackedColumns c = unpack_probe(pending.packed);
    const PackedHead& p = c.head;
    const char* source = source_name(p.source);
    const char* transport = transport_name(p.transport);
    if (p.source != Source::pcap || *has_log_probes_) {
      other.bind_borrowed(1, c.src).bind(2, int64_t(p.sport)).bind_borrowed(3, c.dst).bind(4, int64_t(p.dport));
      other.bind_borrowed(5, transport).bind(6, p.ts_us - kSameSessionUs).bind(7, p.ts_us + kSameSessionUs);
      other.bind_borrowed(8, source).bind(9, p.ts_us);
      const bool found = other.step();
      const int64_t other_id = found ? other.col_int(0) : 0;
      const bool other_is_log = found && other.col_text_view(1) != "pcap";
      other.reset();
      if (found) {
        if (p.source == Source::pcap && other_is_log) {
          replace.bind(1, pending.capture_id).bind(2, p.ts_us).bind_borrowed(3, service_name(p.service));
          replace.bind(4, int64_t(p.truncated)).bind_borrowed(5, c.json).bind_borrowed(6, source).bind(7, other_id);
          replace.step();
          replace.reset();
          ++replaced_;
        } else {
          ++duplicates_;
        }
        continue;
      }
    }
    s.bind(1, pending.capture_id).bind(2, p.ts_us).bind_borrowed(3, c.src).bind(4, int64_t(p.sport));
    s.bind_borrowed(5, c.dst).bind(6, int64_t(p.dport)).bind_borrowed(7, transport);
    s.bind_borrowed(8, service_name(p.service)).bind(9, int64_t(p.truncated)).bind_borrowed(10, c.json);
    s.bind_borrowed(11, source).bind_borrowed(12, sensor_);
    s.step();
    const auto changed = static_cast<uint64_t>(db_.changes());
    added += changed;
    if (changed && p.source != Source::pcap) has_log_probes_ = true;
    s.reset();
  }
  tx.commit();
  return added;
}

void ProbeStore::finish_capture(int64_t capture_id, const IngestStats& st, const std::string& error) {
  flush();
  Transaction tx(db_);
  Stmt u(db_, "UPDATE captures SET status=?, finished_at=?, packets=?, probes=?, error=? WHERE id=?");
  u.bind(1, error.empty() ? "complete" : "damaged").bind(2, now_ts()).bind(3, static_cast<int64_t>(st.packets));
  u.bind(4, static_cast<int64_t>(st.probes));
  if (error.empty())
    u.bind_null(5);
  else
    u.bind(5, error);
  u.bind(6, capture_id);
  u.step();
  Stmt del(db_, "DELETE FROM capture_skips WHERE capture_id=?");
  del.bind(1, capture_id);
  del.step();
  Stmt ins(db_, "INSERT INTO capture_skips(capture_id, reason, count) VALUES(?,?,?)");
  for (const auto& [reason, count] : st.skipped) {
    ins.bind(1, capture_id).bind(2, reason).bind(3, static_cast<int64_t>(count));
    ins.step();
    ins.reset();
  }
  tx.commit();
}

std::optional<int64_t> ProbeStore::probe_id(const Probe& p) {
  Stmt s(db_, "SELECT id FROM probes WHERE ts_us=? AND src=? AND sport=? AND dst=? AND dport=? AND transport=?");
  s.bind(1, p.ts_us).bind(2, p.src).bind(3, int64_t(p.sport)).bind(4, p.dst).bind(5, int64_t(p.dport));
  s.bind(6, transport_name(p.transport));
  if (!s.step()) return std::nullopt;
  return s.col_int(0);
}

uint64_t ProbeStore::count_probes() {
  Stmt s(db_, "SELECT count(*) FROM probes");
  s.step();
  return static_cast<uint64_t>(s.col_int(0));
}

void ProbeStore::for_each_probe(const ProbeQuery& q, const std::function<void(const std::string&)>& fn) {
  Stmt s(db_,
         "SELECT json FROM probes WHERE (?1 IS NULL OR service=?1) AND (?2 IS NULL OR ts_us>=?2) AND "
         "(?3 IS NULL OR ts_us<?3) ORDER BY ts_us, id");
  if (q.service)
    s.bind(1, service_name(*q.service));
  else
    s.bind_null_text(1);
  if (q.from_us)
    s.bind(2, *q.from_us);
  else
    s.bind_null_int(2);
  if (q.to_us)
    s.bind(3, *q.to_us);
  else
    s.bind_null_int(3);
  while (s.step()) fn(s.col_text(0));
}

std::vector<CaptureRecord> ProbeStore::captures() {
  std::vector<CaptureRecord> out;
  Stmt s(db_, "SELECT id, sha256, path, status, packets, probes, coalesce(error,'') FROM captures ORDER BY id");
  while (s.step())
    out.push_back({s.col_int(0), s.col_text(1), s.col_text(2), s.col_text(3), static_cast<uint64_t>(s.col_int(4)),
                   static_cast<uint64_t>(s.col_int(5)), s.col_text(6)});
  return out;
}

int64_t count_probes_after_id_before(Db& db, int64_t after_id, int64_t before_us) {
  Stmt s(db, "SELECT count(*) FROM probes WHERE id > ? AND ts_us < ?");
  s.bind(1, after_id).bind(2, before_us);
  return s.step() ? s.col_int(0) : 0;
}

std::optional<std::pair<int64_t, int64_t>> probe_time_span(Db& db) {
  if (!db.has_table("probes")) return std::nullopt;
  Stmt s(db, "SELECT min(ts_us), max(ts_us) FROM probes");
  if (s.step() && !s.col_null(0)) return std::pair{s.col_int(0), s.col_int(1)};
  return std::nullopt;
}

}  // namespace sg
