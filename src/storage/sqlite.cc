#include "storage/sqlite.h"

#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <chrono>
#include <cstring>
#include <thread>
#include <unordered_map>

namespace sg {

namespace {

// A file: URI for `path` (its '%', '?' and '#' escaped), with `query` appended.
std::string file_uri(const std::string& path, const char* query) {
  std::string uri = "file:";
  for (char c : path) {
    if (c == '%' || c == '?' || c == '#')
      uri += fmt::format("%{:02X}", static_cast<unsigned char>(c));
    else
      uri += c;
  }
  return uri + query;
}

bool readable(sqlite3* h) {
  return sqlite3_exec(h, "SELECT count(*) FROM sqlite_master", nullptr, nullptr, nullptr) == SQLITE_OK;
}

bool has_pending_wal(const std::string& path) {
  struct stat st {};
  return ::stat((path + "-wal").c_str(), &st) == 0 && st.st_size > 0;
}

}  // namespace

// Idle prepared statements by SQL text; one in use is out of the map until its Stmt ends.
struct StmtCache {
  std::unordered_map<std::string, sqlite3_stmt*> idle;
  ~StmtCache() {
    for (auto& [sql, s] : idle) sqlite3_finalize(s);
  }
};

bool may_write(const std::string& path) {
  const size_t slash = path.rfind('/');
  const std::string dir = slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
  return ::access(path.c_str(), W_OK) == 0 && ::access(dir.c_str(), W_OK) == 0;
}

Db::Db(const std::string& path, Access access) : path_(path) {
  const bool ro = access == Access::read_only;
  const int flags = ro ? SQLITE_OPEN_READONLY | SQLITE_OPEN_URI : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
  int rc = sqlite3_open_v2(ro ? file_uri(path, "").c_str() : path.c_str(), &h_, flags, nullptr);
  // A WAL database read where its -shm file cannot be created (a read-only directory) fails on first read.
  // With no WAL content pending, the main file is the whole database: read it as immutable (no locks, no
  // -shm). Pending WAL content would be skipped that way, so then the error stands.
  if (rc == SQLITE_OK && ro && !readable(h_) && !has_pending_wal(path)) {
    sqlite3_close(h_);
    h_ = nullptr;
    rc = sqlite3_open_v2(file_uri(path, "?immutable=1").c_str(), &h_, flags, nullptr);
  }
  if (rc != SQLITE_OK) {
    std::string msg = h_ ? sqlite3_errmsg(h_) : "out of memory";
    sqlite3_close(h_);
    h_ = nullptr;
    throw StoreError(fmt::format("{}: cannot open database: {}", path, msg));
  }
  sqlite3_busy_timeout(h_, 10000);  // another process (a report, a lookup) may be reading
  sqlite3_extended_result_codes(h_, 1);
}

Db::~Db() {
  cache_.reset();
  sqlite3_close_v2(h_);
}

bool Db::read_only() const { return sqlite3_db_readonly(h_, "main") == 1; }
int64_t Db::last_insert_id() const { return sqlite3_last_insert_rowid(h_); }
int Db::changes() const { return sqlite3_changes(h_); }

int Db::on_progress(void* self) {
  auto* db = static_cast<Db*>(self);
  return db->stop_ && db->stop_() ? 1 : 0;  // non-zero: SQLite stops the statement with SQLITE_INTERRUPT
}

void Db::set_interrupt_check(std::function<bool()> stop) {
  stop_ = std::move(stop);
  if (stop_)
    sqlite3_progress_handler(h_, 10000, &Db::on_progress, this);
  else
    sqlite3_progress_handler(h_, 0, nullptr, nullptr);
}

int64_t Db::data_version() {
  Stmt s(*this, "PRAGMA data_version", Stmt::reuse);
  if (!s.step()) fail("PRAGMA data_version");
  return s.col_int(0);
}

// Prepared once per connection: a service opens a snapshot per request, and parsing BEGIN and COMMIT each
// time cost as much as a small query.
ReadSnapshot::ReadSnapshot(Db& db) : db_(db) {
  Stmt begin(db_, "BEGIN", Stmt::reuse);
  begin.step();
}
ReadSnapshot::~ReadSnapshot() {
  try {
    Stmt commit(db_, "COMMIT", Stmt::reuse);
    commit.step();
  } catch (const StoreError&) {  // nothing was written; the read transaction ends with the connection
  }
}

void Db::exec(const char* sql) {
  char* err = nullptr;
  if (sqlite3_exec(h_, sql, nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err ? err : "unknown error";
    sqlite3_free(err);
    // The statement's first words say which step failed (schema, journal mode, a transaction).
    std::string what(sql, strnlen(sql, 200));
    while (!what.empty() && std::isspace(static_cast<unsigned char>(what.front()))) what.erase(0, 1);
    if (size_t cut = what.find_first_of("(\n"); cut != std::string::npos) what.resize(cut);
    if (what.size() > 60) what.resize(60);
    throw StoreError(fmt::format("{}: {} (in {})", path_, msg, what));
  }
}

void Db::ensure_schema(const char* schema) {
  if (!read_only()) return exec(schema);
  static constexpr std::string_view kCreate = "CREATE TABLE IF NOT EXISTS ";
  std::string_view rest(schema);
  while (!rest.empty()) {
    size_t end = rest.find(';');
    std::string_view stmt = rest.substr(0, end);
    rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
    while (!stmt.empty() && std::isspace(static_cast<unsigned char>(stmt.front()))) stmt.remove_prefix(1);
    if (!stmt.starts_with(kCreate)) continue;  // indexes: nothing to read from
    std::string_view body = stmt.substr(kCreate.size());
    std::string name(body.substr(0, body.find_first_of("( \n")));
    if (!has_table(name.c_str())) exec(("CREATE TEMP TABLE IF NOT EXISTS " + std::string(body)).c_str());
  }
}

void Db::enable_wal() {
  constexpr int kTimeoutMs = 10000, kStepMs = 20;
  for (int waited = 0;; waited += kStepMs) {
    const int rc = sqlite3_exec(h_, "PRAGMA journal_mode=WAL", nullptr, nullptr, nullptr);
    if (rc == SQLITE_OK) return;
    if ((rc & 0xff) != SQLITE_BUSY || waited >= kTimeoutMs) return exec("PRAGMA journal_mode=WAL");  // reports it
    std::this_thread::sleep_for(std::chrono::milliseconds(kStepMs));
  }
}

void Db::fail(const std::string& what) const {
  throw StoreError(fmt::format("{}: {}: {}", path_, what, sqlite3_errmsg(h_)));
}

Stmt::Stmt(Db& db, const char* sql) : db_(db) {
  if (sqlite3_prepare_v3(db.handle(), sql, -1, SQLITE_PREPARE_PERSISTENT, &s_, nullptr) != SQLITE_OK)
    db.fail(fmt::format("cannot prepare '{}'", sql));
}

Stmt::Stmt(Db& db, const char* sql, Reuse) : db_(db), cache_key_(sql) {
  if (!db.cache_) db.cache_ = std::make_unique<StmtCache>();
  auto it = db.cache_->idle.find(sql);
  if (it != db.cache_->idle.end()) {
    s_ = it->second;
    db.cache_->idle.erase(it);
    return;
  }
  if (sqlite3_prepare_v3(db.handle(), sql, -1, SQLITE_PREPARE_PERSISTENT, &s_, nullptr) != SQLITE_OK)
    db.fail(fmt::format("cannot prepare '{}'", sql));
}

Stmt::~Stmt() {
  if (cache_key_ && s_) {
    // Reset ends its read of the database (a stepped statement holds the read open); bindings are dropped
    // so that no text from one request stays referenced into the next.
    sqlite3_reset(s_);
    sqlite3_clear_bindings(s_);
    if (db_.cache_->idle.emplace(cache_key_, s_).second) return;
  }
  sqlite3_finalize(s_);
}

Stmt& Stmt::bind(int i, int64_t v) {
  if (sqlite3_bind_int64(s_, i, v) != SQLITE_OK) db_.fail("bind");
  return *this;
}

Stmt& Stmt::bind(int i, std::string_view v) {
  if (sqlite3_bind_text(s_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT) != SQLITE_OK) db_.fail("bind");
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

std::string_view Stmt::col_text_view(int i) const {
  const unsigned char* t = sqlite3_column_text(s_, i);
  return t ? std::string_view(reinterpret_cast<const char*>(t), size_t(sqlite3_column_bytes(s_, i)))
           : std::string_view();
}

bool Stmt::col_null(int i) const { return sqlite3_column_type(s_, i) == SQLITE_NULL; }

bool Db::has_table(const char* name) {
  Stmt s(*this, "SELECT 1 FROM sqlite_master WHERE type='table' AND name=?", Stmt::reuse);
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
