#include "storage/sqlite.h"

#include "storage/postgres.h"
#include "util/bytes.h"

#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <mutex>
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
  if (is_server_db(path)) return true;
  const size_t slash = path.rfind('/');
  const std::string dir = slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
  return ::access(path.c_str(), W_OK) == 0 && ::access(dir.c_str(), W_OK) == 0;
}

bool database_exists(const std::string& db) {
  struct stat st {};
  return is_server_db(db) || ::stat(db.c_str(), &st) == 0;
}

Db::Db(const std::string& path, Access access) : path_(path) {
  if (is_server_db(path)) {
    open_postgres(path, access);
    return;
  }
  // SQLite counts every allocation it makes under one process-wide mutex unless told not to before it starts
  // (sqlite3_memory_used, which nothing here reads): about 18 locked allocations per probe stored.
  static const bool configured = sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0) == SQLITE_OK;
  (void)configured;
  const bool ro = access == Access::read_only;
  // No mutex of SQLite's own per connection: a connection is used by one thread at a time (serve's threads
  // each open their own; ingest's readers and writer share the store's under its lock), and the serialised
  // mode took and released that mutex on every bind, step and reset, ~30 times per probe stored, on the
  // writer thread that bounds ingest --jobs.
  const int flags =
      SQLITE_OPEN_NOMUTEX | (ro ? SQLITE_OPEN_READONLY | SQLITE_OPEN_URI : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
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

// The checkpointing thread of Db::checkpoint_in_background and its connection. Once the WAL holds half the
// pages asked for, the writer's WAL hook (after each commit, on the writer's thread) asks the thread for a
// PASSIVE checkpoint, which copies what no reader still needs without waiting for the writer: the writer
// commits on meanwhile. At the full count the writer checkpoints itself, as SQLite's autocheckpoint does,
// copying only what the thread has not (the last commits): the WAL starts over from the beginning only when
// a write transaction begins with every page in it copied, which a thread's copy racing the writer never
// sees. A checkpoint that finds another running is simply tried again after a later commit.
struct BackgroundCheckpoints {
  int pages = 0;
  sqlite3* conn = nullptr;
  std::mutex mu;
  std::condition_variable cv;
  bool wanted = false, stop = false;
  std::thread thread;  // last: started once everything above is set

  static int on_commit(void* self, sqlite3* writer, const char* db, int pages_in_wal) {
    auto* b = static_cast<BackgroundCheckpoints*>(self);
    if (pages_in_wal >= b->pages) {
      sqlite3_wal_checkpoint_v2(writer, db, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
    } else if (pages_in_wal >= b->pages / 2) {
      {
        std::lock_guard lk(b->mu);
        b->wanted = true;
      }
      b->cv.notify_one();
    }
    return SQLITE_OK;
  }
  void run() {
    for (;;) {
      {
        std::unique_lock lk(mu);
        cv.wait(lk, [&] { return wanted || stop; });
        if (stop) return;
        wanted = false;
      }
      sqlite3_wal_checkpoint_v2(conn, "main", SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
    }
  }
  ~BackgroundCheckpoints() {
    {
      std::lock_guard lk(mu);
      stop = true;
    }
    cv.notify_one();
    if (thread.joinable()) thread.join();
    sqlite3_close_v2(conn);
  }
};

void Db::checkpoint_in_background(int pages) {
  if (pg_ || checkpoints_ || read_only()) return;
  const char* file = sqlite3_db_filename(h_, "main");
  Stmt mode(*this, "PRAGMA journal_mode");
  if (!file || !*file || !mode.step() || mode.col_text_view(0) != "wal") return;
  auto b = std::make_unique<BackgroundCheckpoints>();
  b->pages = pages;
  if (sqlite3_open_v2(file, &b->conn, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr) != SQLITE_OK) {
    std::string msg = b->conn ? sqlite3_errmsg(b->conn) : "out of memory";
    throw StoreError(fmt::format("{}: cannot open a checkpointing connection: {}", path_, msg));
  }
  // A connection learns that the file is in WAL mode (and opens the WAL) on its first read; until then a
  // checkpoint on it does nothing.
  if (sqlite3_exec(b->conn, "SELECT count(*) FROM sqlite_master", nullptr, nullptr, nullptr) != SQLITE_OK)
    throw StoreError(fmt::format("{}: checkpointing connection: {}", path_, sqlite3_errmsg(b->conn)));
  b->thread = std::thread([b = b.get()] { b->run(); });
  sqlite3_wal_hook(h_, &BackgroundCheckpoints::on_commit, b.get());  // replaces wal_autocheckpoint's hook
  checkpoints_ = std::move(b);
}

Db::~Db() {
  if (h_ && checkpoints_) sqlite3_wal_hook(h_, nullptr, nullptr);
  checkpoints_.reset();  // its connection closes first: the writer's close is then the last, and checkpoints
  cache_.reset();
  pg_.reset();
  if (h_) sqlite3_close_v2(h_);
}

bool Db::read_only() const { return pg_ ? pg_->read_only : sqlite3_db_readonly(h_, "main") == 1; }

int64_t Db::last_insert_id() const {
  if (!pg_) return sqlite3_last_insert_rowid(h_);
  // The value the last INSERT drew from its identity sequence in this session (lastval() is per session, so
  // other writers' inserts do not change it).
  PGresult* r = pg_query(const_cast<Db&>(*this), "SELECT lastval()");
  const int64_t id = std::strtoll(PQgetvalue(r, 0, 0), nullptr, 10);
  PQclear(r);
  return id;
}

int Db::changes() const { return pg_ ? static_cast<int>(pg_->changes) : sqlite3_changes(h_); }

void Db::lock(const char* name) {
  if (!pg_) return;
  Stmt s(*this, "SELECT pg_advisory_xact_lock(hashtext(?))");
  s.bind(1, std::string_view(name));
  s.step();
}

int Db::on_progress(void* self) {
  auto* db = static_cast<Db*>(self);
  return db->stop_ && db->stop_() ? 1 : 0;  // non-zero: SQLite stops the statement with SQLITE_INTERRUPT
}

void Db::set_interrupt_check(std::function<bool()> stop) {
  stop_ = std::move(stop);
  if (pg_) return;  // checked while waiting for the server (storage/postgres.cc)
  if (stop_)
    sqlite3_progress_handler(h_, 10000, &Db::on_progress, this);
  else
    sqlite3_progress_handler(h_, 0, nullptr, nullptr);
}

int64_t Db::data_version() {
  if (pg_) {
    Stmt s(*this, "SELECT hashtextextended(pg_current_snapshot()::text, 0)", Stmt::reuse);
    if (!s.step()) fail("data version");
    return s.col_int(0);
  }
  Stmt s(*this, "PRAGMA data_version", Stmt::reuse);
  if (!s.step()) fail("PRAGMA data_version");
  return s.col_int(0);
}

// On SQLite BEGIN and COMMIT are prepared once per connection: a service opens a snapshot per request, and
// parsing them each time cost as much as a small query.
ReadSnapshot::ReadSnapshot(Db& db) : db_(db) {
  if (db_.pg_) {
    db_.exec("BEGIN ISOLATION LEVEL REPEATABLE READ");
    return;
  }
  Stmt begin(db_, "BEGIN", Stmt::reuse);
  begin.step();
}
ReadSnapshot::~ReadSnapshot() {
  try {
    if (db_.pg_) {
      pg_exec(db_, "COMMIT");
      return;
    }
    Stmt commit(db_, "COMMIT", Stmt::reuse);
    commit.step();
  } catch (const StoreError&) {  // nothing was written; the read transaction ends with the connection
  }
}

void Db::exec(const char* sql) {
  if (pg_) return pg_exec(*this, sql);
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

namespace {

// The tables a schema text creates, in order.
std::vector<std::string> created_tables(std::string_view schema) {
  static constexpr std::string_view kCreate = "CREATE TABLE IF NOT EXISTS ";
  std::vector<std::string> out;
  for (size_t at = schema.find(kCreate); at != std::string_view::npos; at = schema.find(kCreate, at + 1)) {
    std::string_view body = schema.substr(at + kCreate.size());
    out.emplace_back(body.substr(0, body.find_first_of("( \n")));
  }
  return out;
}

}  // namespace

void Db::ensure_schema(const char* schema) {
  if (pg_ && !read_only()) {
    // CREATE ... IF NOT EXISTS from two sessions at once can still fail on PostgreSQL (both see the table
    // missing, one loses on the catalog's unique key): when something is missing, create it under a lock.
    bool missing = false;
    for (const std::string& t : created_tables(schema)) missing = missing || !has_table(t.c_str());
    if (!missing) return;
    Transaction tx(*this);
    lock("sg.schema");
    exec(schema);
    tx.commit();
    return;
  }
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
    if (has_table(name.c_str())) continue;
    exec(("CREATE TEMP TABLE IF NOT EXISTS " + std::string(body)).c_str());
  }
}

void Db::enable_wal() {
  if (pg_) return;
  constexpr int kTimeoutMs = 10000, kStepMs = 20;
  for (int waited = 0;; waited += kStepMs) {
    const int rc = sqlite3_exec(h_, "PRAGMA journal_mode=WAL", nullptr, nullptr, nullptr);
    if (rc == SQLITE_OK) return;
    if ((rc & 0xff) != SQLITE_BUSY || waited >= kTimeoutMs) return exec("PRAGMA journal_mode=WAL");  // reports it
    std::this_thread::sleep_for(std::chrono::milliseconds(kStepMs));
  }
}

void Db::fail(const std::string& what) const {
  if (pg_) throw StoreError(fmt::format("{}: {}: {}", path_, what, "failed"));
  throw StoreError(fmt::format("{}: {}: {}", path_, what, sqlite3_errmsg(h_)));
}

namespace {

std::unique_ptr<PgStmt> pg_stmt(const char* sql) {
  auto s = std::make_unique<PgStmt>();
  s->sql = pg_placeholders(sql, s->nparams, &s->used);
  s->used.resize(s->nparams);
  s->values.resize(s->nparams);
  s->types.assign(s->nparams, 0);  // unknown: the server infers it from the statement
  s->formats.assign(s->nparams, 0);
  return s;
}

// PostgreSQL parameter type ids (pg_type.h, fixed): a bound integer or float must not be inferred as text.
constexpr Oid kInt8 = 20, kFloat8 = 701, kBytea = 17, kText = 25;

PgStmt& pg_param(PgStmt& s, int i, Db& db) {
  if (s.res) s.clear_result();  // binding again after a step: the next step runs the statement anew
  if (i < 1 || i > s.nparams) db.fail(fmt::format("bind: no parameter {}", i));
  return s;
}

}  // namespace

Stmt::Stmt(Db& db, const char* sql) : db_(db) {
  if (db.pg_) {
    pg_ = pg_stmt(sql);
    return;
  }
  if (sqlite3_prepare_v3(db.handle(), sql, -1, SQLITE_PREPARE_PERSISTENT, &s_, nullptr) != SQLITE_OK)
    db.fail(fmt::format("cannot prepare '{}'", sql));
}

Stmt::Stmt(Db& db, const char* sql, Reuse) : db_(db), cache_key_(sql) {
  if (db.pg_) {  // every PostgreSQL statement is prepared once per connection
    pg_ = pg_stmt(sql);
    return;
  }
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
  if (pg_) return;
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
  if (pg_) {
    pg_param(*pg_, i, db_).values[i - 1] = std::to_string(v);
    pg_->types[i - 1] = kInt8;
    pg_->formats[i - 1] = 0;
    return *this;
  }
  if (sqlite3_bind_int64(s_, i, v) != SQLITE_OK) db_.fail("bind");
  return *this;
}

Stmt& Stmt::bind(int i, std::string_view v) {
  if (pg_) {
    pg_param(*pg_, i, db_).values[i - 1] = std::string(v);
    pg_->types[i - 1] = kText;
    pg_->formats[i - 1] = 0;
    return *this;
  }
  if (sqlite3_bind_text(s_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT) != SQLITE_OK) db_.fail("bind");
  return *this;
}

Stmt& Stmt::bind_borrowed(int i, std::string_view v) {
  if (pg_) return bind(i, v);
  if (sqlite3_bind_text(s_, i, v.data(), static_cast<int>(v.size()), SQLITE_STATIC) != SQLITE_OK) db_.fail("bind");
  return *this;
}

Stmt& Stmt::bind_double(int i, double v) {
  if (pg_) {
    pg_param(*pg_, i, db_).values[i - 1] = fmt::format("{}", v);  // shortest text that reads back exactly
    pg_->types[i - 1] = kFloat8;
    pg_->formats[i - 1] = 0;
    return *this;
  }
  if (sqlite3_bind_double(s_, i, v) != SQLITE_OK) db_.fail("bind");
  return *this;
}

Stmt& Stmt::bind_blob(int i, const void* data, size_t size) {
  if (pg_) {
    pg_param(*pg_, i, db_).values[i - 1] = std::string(static_cast<const char*>(data), size);
    pg_->types[i - 1] = kBytea;
    pg_->formats[i - 1] = 1;  // binary: the bytes as they are
    return *this;
  }
  if (sqlite3_bind_blob64(s_, i, data, size, SQLITE_TRANSIENT) != SQLITE_OK) db_.fail("bind");
  return *this;
}

Stmt& Stmt::bind_null(int i) {
  if (pg_) {
    pg_param(*pg_, i, db_).values[i - 1].reset();
    pg_->formats[i - 1] = 0;  // the type stays what the statement was prepared with (unknown, or the last bound)
    return *this;
  }
  if (sqlite3_bind_null(s_, i) != SQLITE_OK) db_.fail("bind");
  return *this;
}

Stmt& Stmt::bind_null_int(int i) {
  bind_null(i);
  if (pg_) pg_->types[i - 1] = kInt8;
  return *this;
}

Stmt& Stmt::bind_null_text(int i) {
  bind_null(i);
  if (pg_) pg_->types[i - 1] = kText;
  return *this;
}

bool Stmt::step() {
  if (pg_) {
    if (!pg_->res) pg_prepare_and_run(db_, *pg_);
    pg_->blobs.clear();
    return ++pg_->row < PQntuples(pg_->res);
  }
  int rc = sqlite3_step(s_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  db_.fail("step");
}

void Stmt::reset() {
  if (pg_) {
    pg_->clear_result();
    for (auto& v : pg_->values) v.reset();
    return;
  }
  sqlite3_reset(s_);
  sqlite3_clear_bindings(s_);
}

namespace {

const char* pg_value(const PgStmt& s, int i) {
  if (!s.res || s.row < 0 || s.row >= PQntuples(s.res) || i < 0 || i >= PQnfields(s.res)) return nullptr;
  return PQgetisnull(s.res, s.row, i) ? nullptr : PQgetvalue(s.res, s.row, i);
}

}  // namespace

int64_t Stmt::col_int(int i) const {
  if (pg_) {
    const char* v = pg_value(*pg_, i);
    if (!v) return 0;
    if (v[0] == 't' || v[0] == 'f') return v[0] == 't';  // a boolean (EXISTS, comparisons) reads as SQLite's 1/0
    return std::strtoll(v, nullptr, 10);
  }
  return sqlite3_column_int64(s_, i);
}

double Stmt::col_double(int i) const {
  if (pg_) {
    const char* v = pg_value(*pg_, i);
    return v ? std::strtod(v, nullptr) : 0.0;
  }
  return sqlite3_column_double(s_, i);
}

std::string_view Stmt::col_blob(int i) const {
  if (pg_) {
    const char* v = pg_value(*pg_, i);
    if (!v) return {};
    if (PQftype(pg_->res, i) != kBytea || v[0] != '\\' || v[1] != 'x') return v;
    std::string& out = pg_->blobs[i];  // bytea's hex text: \x0a0b...
    out = from_hex_prefix(std::string_view(v + 2));
    return out;
  }
  const void* p = sqlite3_column_blob(s_, i);
  return {static_cast<const char*>(p), static_cast<size_t>(sqlite3_column_bytes(s_, i))};
}

std::string Stmt::col_text(int i) const { return std::string(col_text_view(i)); }

std::string_view Stmt::col_text_view(int i) const {
  if (pg_) {
    const char* v = pg_value(*pg_, i);
    return v ? std::string_view(v, size_t(PQgetlength(pg_->res, pg_->row, i))) : std::string_view();
  }
  const unsigned char* t = sqlite3_column_text(s_, i);
  return t ? std::string_view(reinterpret_cast<const char*>(t), size_t(sqlite3_column_bytes(s_, i)))
           : std::string_view();
}

Stmt::Kind Stmt::col_kind(int i) const {
  if (pg_) return pg_value(*pg_, i) ? Kind::text : Kind::null;
  switch (sqlite3_column_type(s_, i)) {
    case SQLITE_INTEGER:
      return Kind::integer;
    case SQLITE_FLOAT:
      return Kind::real;
    case SQLITE_BLOB:
      return Kind::blob;
    case SQLITE_NULL:
      return Kind::null;
    default:
      return Kind::text;
  }
}

bool Stmt::col_null(int i) const {
  if (pg_) return pg_value(*pg_, i) == nullptr;
  return sqlite3_column_type(s_, i) == SQLITE_NULL;
}

bool Db::has_table(const char* name) {
  if (pg_) {  // tables of the search path, temporary ones included (a read-only connection's stand-ins)
    Stmt s(*this, "SELECT 1 FROM pg_class WHERE oid = to_regclass(?) AND relkind IN ('r','p')");
    s.bind(1, std::string_view(name));
    return s.step();
  }
  Stmt s(*this, "SELECT 1 FROM sqlite_master WHERE type='table' AND name=?", Stmt::reuse);
  s.bind(1, name);
  return s.step();
}

Transaction::Transaction(Db& db)
    : db_(db),
      nested_(db.pg_ ? PQtransactionStatus(db.pg_->conn) != PQTRANS_IDLE : !sqlite3_get_autocommit(db.handle())) {
  db_.exec(nested_ ? "SAVEPOINT sg_nested" : db.pg_ ? "BEGIN" : "BEGIN IMMEDIATE");
}

Transaction::~Transaction() {
  if (done_) return;
  const char* undo = nested_ ? "ROLLBACK TO sg_nested; RELEASE sg_nested" : "ROLLBACK";
  if (db_.pg_) {
    try {
      pg_exec(db_, undo);
    } catch (const StoreError&) {  // a destructor: a lost connection rolls back on the server by itself
    }
    return;
  }
  sqlite3_exec(db_.handle(), undo, nullptr, nullptr, nullptr);
}

void Transaction::commit() {
  db_.exec(nested_ ? "RELEASE sg_nested" : "COMMIT");
  done_ = true;
}

}  // namespace sg
