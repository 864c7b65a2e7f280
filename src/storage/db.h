// The database handle every stage passes around: a connection (one file, read-write or read-only),
// transactions that roll back unless committed, read snapshots. Errors become StoreError naming the file.
// Only src/storage/ runs statements on it (storage/sqlite.h, internal): the stages above see no SQL and no
// SQLite type, so a second backend can take its place behind the storage functions.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

struct sqlite3;

namespace sg {

struct StmtCache;  // prepared statements kept per connection (storage/sqlite.cc)

class StoreError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Reading commands (lookup, export, probes, labels lookup/stats) open read-only: they then work on a
// database file and directory they cannot write, and never change the file they read.
enum class Access { read_write, read_only };

// Whether this process may write an existing database: the file and its directory (for the -wal and
// -shm files). Commands that only want to keep a by-product (report's clusters) open read-only otherwise.
bool may_write(const std::string& path);

class Db {
 public:
  explicit Db(const std::string& path, Access access = Access::read_write);
  ~Db();
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  void exec(const char* sql);
  // PRAGMA journal_mode=WAL, waiting out other processes as the busy timeout would (SQLite calls no busy
  // handler for a journal-mode change: two ingests opening one new database failed at once).
  void enable_wal();
  // Runs a store's schema (CREATE TABLE/INDEX IF NOT EXISTS). On a read-only connection nothing is created
  // in the file: each table it lacks becomes an empty TEMP table of the same shape, so reading code finds
  // no rows where a writer would have created the table first.
  void ensure_schema(const char* schema);
  bool has_table(const char* name);
  bool read_only() const;
  int64_t last_insert_id() const;
  int changes() const;
  [[noreturn]] void fail(const std::string& what) const;
  const std::string& path() const { return path_; }
  // A number that differs from this connection's previous reading whenever another connection has
  // committed to the file in between (PRAGMA data_version). Read first in a ReadSnapshot, it stays fixed
  // for the snapshot: what the service keeps between requests (serve's fingerprint cache) is valid while
  // it is unchanged.
  int64_t data_version();
  // Long reads of a service (`serve`) stop when `stop()` says so: checked every few thousand steps of a
  // running statement, which then fails with a StoreError. An empty function removes the check.
  void set_interrupt_check(std::function<bool()> stop);

 private:
  friend class Stmt;  // statements are prepared on the connection (storage/sqlite.h)
  friend class ReadSnapshot;
  friend class Transaction;
  sqlite3* handle() { return h_; }
  static int on_progress(void* self);

  std::function<bool()> stop_;
  std::string path_;
  sqlite3* h_ = nullptr;
  std::unique_ptr<StmtCache> cache_;  // declared last: its statements are finalized before the connection closes
};

// BEGIN IMMEDIATE on construction; ROLLBACK on destruction unless commit() ran. A crash between the two
// leaves the database as it was before BEGIN. Inside another Transaction it becomes a savepoint, so a
// store method that is atomic on its own can also be one step of a larger atomic change.
class Transaction {
 public:
  explicit Transaction(Db& db);
  ~Transaction();
  void commit();

 private:
  Db& db_;
  bool nested_ = false;
  bool done_ = false;
};

// A read transaction (BEGIN, deferred): every query until it ends sees one snapshot of the database while
// writers go on (WAL). Ends on destruction; a read has nothing to roll back.
class ReadSnapshot {
 public:
  explicit ReadSnapshot(Db& db);
  ~ReadSnapshot();
  ReadSnapshot(const ReadSnapshot&) = delete;
  ReadSnapshot& operator=(const ReadSnapshot&) = delete;

 private:
  Db& db_;
};

}  // namespace sg
