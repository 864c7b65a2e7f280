// The database handle every stage passes around: a connection (one SQLite file, read-write or read-only, or
// a PostgreSQL database named by a postgresql:// URI or a libpq key=value string), transactions that roll
// back unless committed, read snapshots. Errors become StoreError naming the file or the connection string.
// Only src/storage/ runs statements on it (storage/sqlite.h, internal): the stages above see no SQL and no
// database type, so either backend serves every command.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

struct sqlite3;

namespace sg {

struct StmtCache;              // prepared statements kept per connection (storage/sqlite.cc)
struct BackgroundCheckpoints;  // Db::checkpoint_in_background's thread (storage/sqlite.cc)
struct PgConn;                 // a PostgreSQL connection and its prepared statements (storage/postgres.h)

class StoreError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
  // PostgreSQL's SQLSTATE of the failure ("" on SQLite): 40001/40P01 (serialization failure, deadlock)
  // mean the transaction may simply run again (Db::retrying).
  StoreError(const std::string& what, std::string sqlstate) : std::runtime_error(what), sqlstate(std::move(sqlstate)) {}
  std::string sqlstate;
  bool retryable() const { return sqlstate == "40001" || sqlstate == "40P01"; }
};

// Whether `db` (a --db value) names a PostgreSQL database: a postgresql:// or postgres:// URI, or a libpq
// key=value connection string (`host=... dbname=...`). Anything else is a SQLite file path (a file whose
// name looks like `dbname=x` is reached as ./dbname=x).
bool is_server_db(const std::string& db);
// The database name of a PostgreSQL connection string (dbname, else the user's name as libpq defaults it),
// with anything but letters, digits, '-', '_' and '.' replaced by '_': a name for local files that belong
// to that database (model checkpoints).
std::string server_db_name(const std::string& db);
// Whether a reading command has a database to read: the file exists, or it is a server (which says itself
// whether the database exists when connected to).
bool database_exists(const std::string& db);

// Reading commands (lookup, export, probes, labels lookup/stats) open read-only: they then work on a
// database file and directory they cannot write, and never change the file they read.
enum class Access { read_write, read_only };

// Whether this process may write an existing database: the file and its directory (for the -wal and
// -shm files). Commands that only want to keep a by-product (report's clusters) open read-only otherwise.
// A PostgreSQL database: true (the server decides, per statement).
bool may_write(const std::string& path);

class Db {
 public:
  explicit Db(const std::string& path, Access access = Access::read_write);
  ~Db();
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  // One or more statements without parameters or results.
  void exec(const char* sql);
  bool postgres() const { return pg_ != nullptr; }
  // Serialises this transaction against every other writer taking the same lock `name` until it ends:
  // creating tables and partitions from several processes at once (PostgreSQL: an advisory transaction
  // lock; SQLite: nothing, BEGIN IMMEDIATE already admits one writer).
  void lock(const char* name);
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
  // The file path, or the connection string (which never carries a password: refused on opening).
  const std::string& path() const { return path_; }
  // A number that differs from this connection's previous reading whenever another connection has
  // committed to the file in between (PRAGMA data_version). Read first in a ReadSnapshot, it stays fixed
  // for the snapshot: what the service keeps between requests (serve's fingerprint cache) is valid while
  // it is unchanged. PostgreSQL: a hash of the snapshot (the transaction ids running and the next one), which
  // changes whenever a write transaction commits or starts (anywhere on the server: sometimes more often than
  // needed, never less).
  int64_t data_version();
  // SQLite, a writer in WAL mode: in place of SQLite's wal_autocheckpoint (the committing thread copies the
  // WAL back into the database file once a commit leaves `pages` in it), from half that count on a thread of
  // this connection's own copies the pages over a second connection while the writer commits on, and at the
  // full count the writer copies only what is left, so that the WAL starts over. A writer that commits batch
  // after batch (ingest) mostly goes on while its pages are copied and synced. Nothing on PostgreSQL, a
  // read-only connection or a database in memory.
  void checkpoint_in_background(int pages);
  // Long reads of a service (`serve`) stop when `stop()` says so: checked every few thousand steps of a
  // running statement, which then fails with a StoreError. An empty function removes the check.
  void set_interrupt_check(std::function<bool()> stop);

 private:
  friend class Stmt;  // statements are prepared on the connection (storage/sqlite.h)
  friend class ReadSnapshot;
  friend class Transaction;
  friend PgConn& pg(Db& db);
  friend void pg_prepare_and_run(Db& db, struct PgStmt& s);
  sqlite3* handle() { return h_; }
  static int on_progress(void* self);
  void open_postgres(const std::string& conninfo, Access access);

  std::function<bool()> stop_;
  std::string path_;
  sqlite3* h_ = nullptr;
  std::unique_ptr<BackgroundCheckpoints> checkpoints_;  // checkpoint_in_background's; stopped before h_ closes
  std::unique_ptr<PgConn> pg_;
  std::unique_ptr<StmtCache> cache_;  // declared last: its statements are finalized before the connection closes
};

// BEGIN IMMEDIATE (PostgreSQL: BEGIN, read committed) on construction; ROLLBACK on destruction unless
// commit() ran. A crash between the two leaves the database as it was before BEGIN. Inside another
// Transaction it becomes a savepoint, so a store method that is atomic on its own can also be one step of a
// larger atomic change.
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

// A read transaction (BEGIN, deferred; PostgreSQL: repeatable read): every query until it ends sees one
// snapshot of the database while writers go on (WAL). Ends on destruction; a read has nothing to roll back.
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
