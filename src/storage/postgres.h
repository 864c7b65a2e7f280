// Internal to src/storage/: the PostgreSQL side of Db and Stmt (libpq). A statement's `?` and `?N`
// parameters become `$N` (outside quotes); it is prepared once per connection and parameter types (kept,
// like Stmt::reuse, until the connection closes) and run with text parameters (blobs binary) and text
// results. Statements run asynchronously so that a service's stop check (Db::set_interrupt_check) can
// cancel a long one, as SQLite's progress handler does.
#pragma once

#include <libpq-fe.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "storage/db.h"

namespace sg {

struct PgConn {
  PGconn* conn = nullptr;
  bool read_only = false;
  int64_t changes = 0;
  int next_name = 0;
  std::unordered_map<std::string, std::string> prepared;  // SQL text + parameter types -> statement name
  ~PgConn();
};

PgConn& pg(Db& db);

struct PgStmt {
  std::string sql;  // with $N parameters
  int nparams = 0;
  std::vector<bool> used;  // per parameter: whether the text names it (SQLite allows gaps: ?2 without ?1)
  std::vector<std::optional<std::string>> values;
  std::vector<Oid> types;
  std::vector<int> formats;
  PGresult* res = nullptr;
  int row = -1;
  std::unordered_map<int, std::string> blobs;  // decoded bytea columns of the current row
  ~PgStmt();
  void clear_result();
};

// `?`, `?N` -> `$N` outside quoted text and identifiers; sets `nparams` to the highest number used.
std::string pg_placeholders(std::string_view sql, int& nparams, std::vector<bool>* used = nullptr);

// Runs a parameterless statement (or several); throws StoreError on failure.
void pg_exec(Db& db, const char* sql);
// Runs a statement that may return rows; the caller owns the result (PQclear).
PGresult* pg_query(Db& db, const char* sql);
// COPY `copy_sql` (... FROM STDIN) with `data` in COPY's text format.
void pg_copy_in(Db& db, const char* copy_sql, std::string_view data);
// Appends `v` to `out` as one COPY text-format field (backslash, tab, newline and carriage return escaped).
void pg_copy_field(std::string& out, std::string_view v);

void pg_prepare_and_run(Db& db, PgStmt& s);
[[noreturn]] void pg_fail(Db& db, const std::string& what, const PGresult* res);

}  // namespace sg
