// A thin RAII layer over the SQLite C API: a connection, prepared statements, and transactions that roll
// back unless committed. Errors become StoreError naming the database file.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

namespace sg {

class StoreError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class Db;

class Stmt {
 public:
  Stmt(Db& db, const char* sql);
  ~Stmt();
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;

  Stmt& bind(int i, int64_t v);
  Stmt& bind(int i, std::string_view v);
  Stmt& bind_null(int i);
  Stmt& bind_double(int i, double v);
  Stmt& bind_blob(int i, const void* data, size_t size);  // a name of its own: bind(i, 5) must not become ambiguous
  // true while a row is available; false when done. Throws on error.
  bool step();
  void reset();  // ready for the next bind/step round
  int64_t col_int(int i) const;
  std::string col_text(int i) const;
  bool col_null(int i) const;
  double col_double(int i) const;
  std::string_view col_blob(int i) const;  // valid until the next step/reset

 private:
  Db& db_;
  sqlite3_stmt* s_ = nullptr;
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
  bool read_only() const { return sqlite3_db_readonly(h_, "main") == 1; }
  int64_t last_insert_id() const { return sqlite3_last_insert_rowid(h_); }
  int changes() const { return sqlite3_changes(h_); }
  [[noreturn]] void fail(const std::string& what) const;
  sqlite3* handle() { return h_; }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  sqlite3* h_ = nullptr;
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

}  // namespace sg
