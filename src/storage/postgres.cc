#include "storage/postgres.h"

#include <fmt/format.h>
#include <poll.h>

#include <cstring>
#include <memory>

namespace sg {

namespace {

bool starts_with_ci(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(s[i])) != prefix[i]) return false;
  return true;
}

std::string error_text(const char* msg) {
  std::string m = msg ? msg : "unknown error";
  while (!m.empty() && (m.back() == '\n' || m.back() == ' ')) m.pop_back();
  return m;
}

// Waits for the statement sent last, checking the stop function between waits; a stop cancels it on the
// server, which then answers with an error. Returns the last result (earlier ones of a multi-statement text
// are checked and freed).
PGresult* wait_result(Db& db, const std::function<bool()>& stop) {
  PGconn* c = pg(db).conn;
  bool cancelled = false;
  while (PQisBusy(c)) {
    pollfd fd{PQsocket(c), POLLIN, 0};
    const int ready = ::poll(&fd, 1, stop ? 100 : -1);
    if (ready < 0 && errno != EINTR) break;
    if (!cancelled && stop && stop()) {
      cancelled = true;
      if (PGcancel* cancel = PQgetCancel(c)) {
        char err[256];
        PQcancel(cancel, err, sizeof err);
        PQfreeCancel(cancel);
      }
    }
    if (!PQconsumeInput(c)) break;
  }
  PGresult* last = nullptr;
  while (PGresult* r = PQgetResult(c)) {
    const ExecStatusType st = PQresultStatus(r);
    if (st == PGRES_COPY_IN || st == PGRES_COPY_OUT) return r;  // the caller goes on with the copy
    if (last) {
      const ExecStatusType prev = PQresultStatus(last);
      if (prev == PGRES_FATAL_ERROR) {  // keep the first error
        PQclear(r);
        continue;
      }
      PQclear(last);
    }
    last = r;
  }
  if (!last) pg_fail(db, "no result", nullptr);
  return last;
}

void check(Db& db, PGresult* r, const char* what) {
  const ExecStatusType st = PQresultStatus(r);
  if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK || st == PGRES_COPY_IN) return;
  std::unique_ptr<PGresult, void (*)(PGresult*)> hold(r, PQclear);
  pg_fail(db, what, r);
}

void no_notices(void*, const char*) {}  // NOTICEs ("relation already exists, skipping") are not errors

}  // namespace

bool is_server_db(const std::string& db) {
  if (starts_with_ci(db, "postgresql://") || starts_with_ci(db, "postgres://")) return true;
  // key=value: the first word is a libpq keyword followed by '='.
  static constexpr const char* kKeys[] = {"host",    "hostaddr", "port",    "dbname",  "user",
                                          "service", "sslmode",  "options", "passfile"};
  size_t i = 0;
  while (i < db.size() && std::isspace(static_cast<unsigned char>(db[i]))) ++i;
  for (const char* k : kKeys) {
    const size_t n = std::strlen(k);
    if (db.compare(i, n, k) != 0) continue;
    size_t j = i + n;
    while (j < db.size() && std::isspace(static_cast<unsigned char>(db[j]))) ++j;
    if (j < db.size() && db[j] == '=') return true;
  }
  return false;
}

PgConn::~PgConn() {
  if (conn) PQfinish(conn);
}

PgStmt::~PgStmt() { clear_result(); }

void PgStmt::clear_result() {
  if (res) PQclear(res);
  res = nullptr;
  row = -1;
  blobs.clear();
}

PgConn& pg(Db& db) { return *db.pg_; }

std::string server_db_name(const std::string& db) {
  std::string name;
  if (PQconninfoOption* opts = PQconninfoParse(db.c_str(), nullptr)) {
    for (PQconninfoOption* o = opts; o->keyword; ++o)
      if (o->val && *o->val &&
          (std::strcmp(o->keyword, "dbname") == 0 || (name.empty() && std::strcmp(o->keyword, "user") == 0)))
        name = o->val;
    PQconninfoFree(opts);
  }
  if (name.empty()) name = "postgres";
  for (char& c : name)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.') c = '_';
  return name;
}

void Db::open_postgres(const std::string& conninfo, Access access) {
  char* err = nullptr;
  PQconninfoOption* opts = PQconninfoParse(conninfo.c_str(), &err);
  if (!opts) {
    std::string msg = error_text(err);
    PQfreemem(err);
    throw StoreError(fmt::format("not a valid PostgreSQL connection string: {}", msg));
  }
  bool has_password = false;
  for (PQconninfoOption* o = opts; o->keyword; ++o)
    if (std::strcmp(o->keyword, "password") == 0 && o->val && *o->val) has_password = true;
  PQconninfoFree(opts);
  // A password on the command line is seen by every user (ps, /proc) and kept in shell history; libpq reads
  // it from PGPASSWORD or ~/.pgpass itself. The string is not repeated: it holds the password.
  if (has_password)
    throw StoreError(
        "the PostgreSQL connection string carries a password: refused, since a command line is visible to every "
        "user of the machine and kept in shell history; give it in PGPASSWORD or ~/.pgpass instead");
  pg_ = std::make_unique<PgConn>();
  pg_->read_only = access == Access::read_only;
  const char* keys[] = {"dbname", "fallback_application_name", nullptr};
  const char* values[] = {conninfo.c_str(), "scannergrouper", nullptr};
  pg_->conn = PQconnectdbParams(keys, values, 1);
  if (!pg_->conn) throw StoreError(fmt::format("{}: cannot connect: out of memory", path_));
  if (PQstatus(pg_->conn) != CONNECTION_OK)
    throw StoreError(fmt::format("{}: cannot connect: {}", path_, error_text(PQerrorMessage(pg_->conn))));
  PQsetNoticeProcessor(pg_->conn, no_notices, nullptr);
  // Text results of float8 exact to the last bit (the default since PostgreSQL 12, made sure of), times in
  // UTC for the few text timestamps the server writes.
  pg_exec(*this, "SET extra_float_digits = 3; SET TIME ZONE 'UTC'");
}

[[noreturn]] void pg_fail(Db& db, const std::string& what, const PGresult* res) {
  // The server's one-line message (its full text adds a "LINE 1: ..." excerpt of the statement).
  const char* primary = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : nullptr;
  std::string msg = primary ? error_text(primary)
                    : res   ? error_text(PQresultErrorMessage(res))
                            : error_text(PQerrorMessage(pg(db).conn));
  std::string state;
  if (res)
    if (const char* s = PQresultErrorField(res, PG_DIAG_SQLSTATE)) state = s;
  throw StoreError(fmt::format("{}: {}: {}", db.path(), what, msg), state);
}

std::string pg_placeholders(std::string_view sql, int& nparams, std::vector<bool>* used) {
  std::string out;
  out.reserve(sql.size() + 16);
  nparams = 0;
  char quote = 0;
  for (size_t i = 0; i < sql.size(); ++i) {
    const char c = sql[i];
    if (quote) {
      out += c;
      if (c == quote) quote = 0;  // a doubled quote closes and reopens: the same text comes out
      continue;
    }
    if (c == '\'' || c == '"') {
      quote = c;
      out += c;
      continue;
    }
    if (c != '?') {
      out += c;
      continue;
    }
    size_t j = i + 1;
    int n = 0;
    while (j < sql.size() && std::isdigit(static_cast<unsigned char>(sql[j])) && n < 100000)
      n = n * 10 + (sql[j++] - '0');
    if (j == i + 1) n = nparams + 1;  // a bare ? is the next number after the largest so far (SQLite's rule)
    nparams = std::max(nparams, n);
    if (used) {
      if (used->size() < size_t(n)) used->resize(n);
      (*used)[n - 1] = true;
    }
    out += fmt::format("${}", n);
    i = j - 1;
  }
  return out;
}

void pg_exec(Db& db, const char* sql) {
  PGconn* c = pg(db).conn;
  if (!PQsendQuery(c, sql)) pg_fail(db, "send", nullptr);
  PGresult* r = wait_result(db, {});
  std::string what(sql, strnlen(sql, 200));
  while (!what.empty() && std::isspace(static_cast<unsigned char>(what.front()))) what.erase(0, 1);
  if (size_t cut = what.find_first_of("(\n"); cut != std::string::npos) what.resize(cut);
  if (what.size() > 60) what.resize(60);
  check(db, r, fmt::format("in {}", what).c_str());
  PQclear(r);
}

PGresult* pg_query(Db& db, const char* sql) {
  PGconn* c = pg(db).conn;
  if (!PQsendQuery(c, sql)) pg_fail(db, "send", nullptr);
  PGresult* r = wait_result(db, {});
  check(db, r, "query");
  return r;
}

void pg_copy_field(std::string& out, std::string_view v) {
  for (char c : v) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        out += c;
    }
  }
}

void pg_copy_in(Db& db, const char* copy_sql, std::string_view data) {
  PGconn* c = pg(db).conn;
  if (!PQsendQuery(c, copy_sql)) pg_fail(db, "send", nullptr);
  PGresult* r = wait_result(db, {});
  if (PQresultStatus(r) != PGRES_COPY_IN) check(db, r, "COPY");
  PQclear(r);
  constexpr size_t kChunk = 1 << 20;
  for (size_t off = 0; off < data.size(); off += kChunk) {
    const size_t n = std::min(kChunk, data.size() - off);
    if (PQputCopyData(c, data.data() + off, static_cast<int>(n)) != 1) pg_fail(db, "COPY data", nullptr);
  }
  if (PQputCopyEnd(c, nullptr) != 1) pg_fail(db, "COPY end", nullptr);
  r = wait_result(db, {});
  check(db, r, "COPY");
  pg(db).changes = std::strtoll(PQcmdTuples(r), nullptr, 10);
  PQclear(r);
}

void pg_prepare_and_run(Db& db, PgStmt& s) {
  PgConn& conn = pg(db);
  std::string key = s.sql;
  key += '\x1f';
  for (Oid t : s.types) key += fmt::format("{},", t);
  auto it = conn.prepared.find(key);
  if (it == conn.prepared.end()) {
    // A parameter the text never names (a query built with only some of ?1..?N) still needs a type.
    for (int i = 0; i < s.nparams; ++i)
      if (!s.used[i] && s.types[i] == 0) s.types[i] = 25;
    std::string name = fmt::format("sg{}", conn.next_name++);
    if (!PQsendPrepare(conn.conn, name.c_str(), s.sql.c_str(), s.nparams, s.types.data())) pg_fail(db, "send", nullptr);
    PGresult* r = wait_result(db, {});
    check(db, r, fmt::format("cannot prepare '{}'", s.sql).c_str());
    PQclear(r);
    it = conn.prepared.emplace(std::move(key), std::move(name)).first;
  }
  std::vector<const char*> values(s.nparams);
  std::vector<int> lengths(s.nparams);
  for (int i = 0; i < s.nparams; ++i) {
    values[i] = s.values[i] ? s.values[i]->data() : nullptr;
    lengths[i] = s.values[i] ? static_cast<int>(s.values[i]->size()) : 0;
  }
  if (!PQsendQueryPrepared(conn.conn, it->second.c_str(), s.nparams, values.data(), lengths.data(), s.formats.data(),
                           0))
    pg_fail(db, "send", nullptr);
  PGresult* r = wait_result(db, db.stop_);
  check(db, r, "step");
  const char* tuples = PQcmdTuples(r);
  conn.changes = tuples && *tuples ? std::strtoll(tuples, nullptr, 10) : 0;
  s.res = r;
  s.row = -1;
}

}  // namespace sg
