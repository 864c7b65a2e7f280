// Internal to src/storage/: prepared statements over a Db connection (a thin RAII layer over the SQLite C
// API, or over libpq: storage/postgres.h). Modules above storage include storage/db.h and call the storage
// functions instead. The SQL text is SQLite's with `?`/`?N` parameters; on PostgreSQL they become `$N`,
// and the few statements whose dialects differ are written per backend where they are used
// (Db::postgres()).
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "storage/db.h"

namespace sg {

struct PgStmt;  // storage/postgres.h

class Stmt {
 public:
  Stmt(Db& db, const char* sql);
  // A statement the connection keeps prepared between uses (the read queries a service repeats per
  // request: preparing one costs about as much as running it). Destruction resets it and hands it back;
  // a second use of the same text while the first is still open prepares a statement of its own. For
  // fixed SQL text only: every distinct text stays prepared until the connection closes.
  enum Reuse { reuse };
  Stmt(Db& db, const char* sql, Reuse);
  ~Stmt();
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;

  Stmt& bind(int i, int64_t v);
  Stmt& bind(int i, std::string_view v);
  // The same without SQLite's copy of the bytes (kilobytes of JSON per probe on ingest): they must stay as
  // they are until the parameter is bound again, the statement reset or destroyed. PostgreSQL copies them.
  Stmt& bind_borrowed(int i, std::string_view v);
  Stmt& bind_null(int i);
  // A NULL for a parameter whose type nothing else in the statement fixes (`?1 IS NULL OR ...`): PostgreSQL
  // must be told it; on SQLite these are bind_null.
  Stmt& bind_null_int(int i);
  Stmt& bind_null_text(int i);
  Stmt& bind_double(int i, double v);
  Stmt& bind_blob(int i, const void* data, size_t size);  // a name of its own: bind(i, 5) must not become ambiguous
  // true while a row is available; false when done. Throws on error.
  bool step();
  void reset();  // ready for the next bind/step round
  int64_t col_int(int i) const;
  std::string col_text(int i) const;
  std::string_view col_text_view(int i) const;  // the same without a copy: valid until the next step/reset
  bool col_null(int i) const;
  double col_double(int i) const;
  std::string_view col_blob(int i) const;  // valid until the next step/reset
  // The type of a value as SQLite stored it (migrate copies each value as what it is).
  enum class Kind { null, integer, real, text, blob };
  Kind col_kind(int i) const;

 private:
  Db& db_;
  sqlite3_stmt* s_ = nullptr;
  std::unique_ptr<PgStmt> pg_;       // set on a PostgreSQL connection instead of s_
  const char* cache_key_ = nullptr;  // set when the statement goes back to the connection's cache
};

}  // namespace sg
