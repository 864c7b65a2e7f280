#include "storage/sqlite.h"

#include <fmt/format.h>

namespace sg {

Db::Db(const std::string& path) : path_(path) {
  if (sqlite3_open_v2(path.c_str(), &h_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) != SQLITE_OK) {
    std::string msg = h_ ? sqlite3_errmsg(h_) : "out of memory";
    sqlite3_close(h_);
    h_ = nullptr;
    throw StoreError(fmt::format("{}: cannot open database: {}", path, msg));
  }
  sqlite3_busy_timeout(h_, 10000);  // another process (a report, a lookup) may be reading
  sqlite3_extended_result_codes(h_, 1);
}

Db::~Db() { sqlite3_close_v2(h_); }

void Db::exec(const char* sql) {
  char* err = nullptr;
  if (sqlite3_exec(h_, sql, nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err ? err : "unknown error";
    sqlite3_free(err);
    throw StoreError(fmt::format("{}: {}", path_, msg));
  }
}

void Db::fail(const std::string& what) const {
  throw StoreError(fmt::format("{}: {}: {}", path_, what, sqlite3_errmsg(h_)));
}

Stmt::Stmt(Db& db, const char* sql) : db_(db) {
  if (sqlite3_prepare_v3(db.handle(), sql, -1, SQLITE_PREPARE_PERSISTENT, &s_, nullptr) != SQLITE_OK)
    db.fail(fmt::format("cannot prepare '{}'", sql));
}

Stmt::~Stmt() { sqlite3_finalize(s_); }

Stmt& Stmt::bind(int i, int64_t v) {
  if (sqlite3_bind_int64(s_, i, v) != SQLITE_OK) db_.fail("bind");
  return *this;
}

Stmt& Stmt::bind(int i, std::string_view v) {
  if (sqlite3_bind_text(s_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT) != SQLITE_OK)
    db_.fail("bind");
  return *this;
}

Stmt& Stmt::bind_double(int i, double v) {
  if (sqlite3_bind_double(s_, i, v) != SQLITE_OK) db_.fail("bind");
  return *this;
}

Stmt& Stmt::bind_blob(int i, const void* data, size_t size) {
  if (sqlite3_bind_blob64(s_, i, data, size, SQLITE_TRANSIENT) != SQLITE_OK) db_.fail("bind");
  return *this;
}

Stmt& Stmt::bind_null(int i) {
  if (sqlite3_bind_null(s_, i) != SQLITE_OK) db_.fail("bind");
  return *this;
}

bool Stmt::step() {
  int rc = sqlite3_step(s_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  db_.fail("step");
}

void Stmt::reset() {
  sqlite3_reset(s_);
  sqlite3_clear_bindings(s_);
}

int64_t Stmt::col_int(int i) const { return sqlite3_column_int64(s_, i); }

double Stmt::col_double(int i) const { return sqlite3_column_double(s_, i); }

std::string_view Stmt::col_blob(int i) const {
  const void* p = sqlite3_column_blob(s_, i);
  return {static_cast<const char*>(p), static_cast<size_t>(sqlite3_column_bytes(s_, i))};
}

std::string Stmt::col_text(int i) const {
  const unsigned char* t = sqlite3_column_text(s_, i);
  return t ? std::string(reinterpret_cast<const char*>(t), sqlite3_column_bytes(s_, i)) : std::string();
}

bool Stmt::col_null(int i) const { return sqlite3_column_type(s_, i) == SQLITE_NULL; }

bool Db::has_table(const char* name) {
  Stmt s(*this, "SELECT 1 FROM sqlite_master WHERE type='table' AND name=?");
  s.bind(1, name);
  return s.step();
}

Transaction::Transaction(Db& db) : db_(db), nested_(!sqlite3_get_autocommit(db.handle())) {
  db_.exec(nested_ ? "SAVEPOINT sg_nested" : "BEGIN IMMEDIATE");
}

Transaction::~Transaction() {
  if (done_) return;
  const char* undo = nested_ ? "ROLLBACK TO sg_nested; RELEASE sg_nested" : "ROLLBACK";
  sqlite3_exec(db_.handle(), undo, nullptr, nullptr, nullptr);
}

void Transaction::commit() {
  db_.exec(nested_ ? "RELEASE sg_nested" : "COMMIT");
  done_ = true;
}

}  // namespace sg
