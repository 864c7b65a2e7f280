#include "storage/migrate_store.h"

#include <fmt/format.h>

#include <filesystem>

#include "storage/model_registry.h"
#include "storage/probe_store.h"
#include "storage/schema.h"
#include "storage/sqlite.h"

namespace sg {

namespace {

// In dependency order: captures before what names them.
constexpr const char* kTables[] = {
    "captures",          "capture_skips",  "label_imports", "label_entries", "label_refusals",    "probe_labels",
    "feature_selection", "feature_schema", "model_runs",    "ensemble_runs", "probe_predictions", "probe_scores",
    "scanners",          "cluster_runs",   "clusters",      "run_weeks",     "evaluations",       "abuse_reports",
};
constexpr schema::Tables kGroups[] = {
    schema::Tables::probe_labels, schema::Tables::label_lists,   schema::Tables::features, schema::Tables::models,
    schema::Tables::predictions,  schema::Tables::scanners,      schema::Tables::clusters, schema::Tables::run_weeks,
    schema::Tables::evaluations,  schema::Tables::abuse_reports,
};
constexpr int64_t kProbeBatch = 20000;

std::vector<std::string> columns(Db& db, const std::string& table) {
  std::vector<std::string> out;
  Stmt s(db, "SELECT name FROM pragma_table_info(?) ORDER BY cid");
  s.bind(1, table);
  while (s.step()) out.push_back(s.col_text(0));
  return out;
}

std::string joined(const std::vector<std::string>& cols, const char* sep = ", ") {
  std::string out;
  for (const auto& c : cols) out += (out.empty() ? "" : sep) + c;
  return out;
}

std::optional<std::string> mark(Db& to, const std::string& key) {
  Stmt s(to, "SELECT value FROM meta WHERE key=?");
  s.bind(1, key);
  if (!s.step()) return std::nullopt;
  return s.col_text(0);
}

void set_mark(Db& to, const std::string& key, const std::string& value) {
  Stmt s(to, "INSERT INTO meta(key, value) VALUES(?,?) ON CONFLICT(key) DO UPDATE SET value=excluded.value");
  s.bind(1, key).bind(2, value);
  s.step();
}

// Copies the rows `select` returns (columns `cols` of `table`, the source's own column names) into the
// target; each value bound as the type SQLite stored it.
int64_t copy_rows(Stmt& select, Db& to, const std::string& table, const std::vector<std::string>& cols) {
  std::string marks;
  for (size_t i = 0; i < cols.size(); ++i) marks += i ? ",?" : "?";
  Stmt ins(to, fmt::format("INSERT INTO {}({}) VALUES({}) ON CONFLICT DO NOTHING", table, joined(cols), marks).c_str());
  int64_t n = 0;
  while (select.step()) {
    ins.reset();
    for (int i = 0; i < int(cols.size()); ++i) {
      switch (select.col_kind(i)) {
        case Stmt::Kind::null:
          ins.bind_null(i + 1);
          break;
        case Stmt::Kind::integer:
          ins.bind(i + 1, select.col_int(i));
          break;
        case Stmt::Kind::real:
          ins.bind_double(i + 1, select.col_double(i));
          break;
        case Stmt::Kind::text:
          ins.bind(i + 1, select.col_text(i));
          break;
        case Stmt::Kind::blob: {
          std::string_view b = select.col_blob(i);
          ins.bind_blob(i + 1, b.data(), b.size());
          break;
        }
      }
    }
    ins.step();
    n += to.changes();
  }
  return n;
}

// The identity sequences continue after the ids copied (PostgreSQL; SQLite takes max(id) + 1 itself).
void advance_ids(Db& to) {
  if (!to.postgres()) return;
  to.exec("SELECT setval('probes_id_seq', greatest((SELECT max(id) FROM probes), 1))");
  for (const char* t : {"captures", "label_imports", "model_runs", "ensemble_runs"}) {
    if (!to.has_table(t)) continue;
    to.exec(fmt::format("SELECT setval(pg_get_serial_sequence('{0}', 'id'), greatest((SELECT max(id) FROM {0}), 1))", t)
                .c_str());
  }
}

}  // namespace

MigrateOutcome migrate_store(const std::string& from, const std::string& to_db,
                             const std::function<void(const std::string&, int64_t)>& on_batch) {
  if (is_server_db(from))
    throw StoreError(fmt::format("{}: migrate reads a SQLite file (--from); the target may be PostgreSQL", from));
  if (!database_exists(from)) throw StoreError(fmt::format("{}: no such database", from));
  ProbeStore source(from, Access::read_only);  // refuses a file newer than this program
  ProbeStore target(to_db);                    // schema created and migrated
  Db& in = source.db();
  Db& to = target.db();
  for (schema::Tables g : kGroups) schema::ensure(to, g);
  const std::string prefix = "migrate." + std::filesystem::absolute(from).lexically_normal().string() + ".";
  MigrateOutcome out;

  const std::optional<std::string> probes_mark = mark(to, prefix + "probes");
  if (!probes_mark && target.count_probes() > 0)
    throw StoreError(
        fmt::format("{}: already holds probes not migrated from {}: their ids would collide with the "
                    "copied ones (migrate into an empty database)",
                    to.path(), from));
  {  // meta: the source's settings (window anchor and length, label settings), not its layout version
    Transaction tx(to);
    Stmt s(in, "SELECT key, value FROM meta WHERE key <> 'schema.version' AND key NOT LIKE 'migrate.%'");
    Stmt put(to, "INSERT INTO meta(key, value) VALUES(?,?) ON CONFLICT(key) DO NOTHING");
    while (s.step()) {
      put.reset();
      put.bind(1, s.col_text(0)).bind(2, s.col_text(1));
      put.step();
    }
    tx.commit();
  }
  auto copy_table = [&](const std::string& table) {
    MigratedTable t{table};
    if (!in.has_table(table.c_str())) return;
    if (mark(to, prefix + table)) {
      t.skipped = true;
      out.tables.push_back(t);
      return;
    }
    const std::vector<std::string> cols = columns(in, table);
    Transaction tx(to);
    Stmt s(in, fmt::format("SELECT {} FROM {}", joined(cols), table).c_str());
    t.rows = copy_rows(s, to, table, cols);
    set_mark(to, prefix + table, "done");
    tx.commit();
    if (on_batch) on_batch(table, t.rows);
    out.tables.push_back(t);
  };
  copy_table("captures");
  copy_table("capture_skips");
  {  // probes, in batches by id; the month partitions first
    MigratedTable t{"probes"};
    int64_t after = probes_mark ? std::stoll(*probes_mark) : 0;
    const std::vector<std::string> cols = columns(in, "probes");
    for (;;) {
      Stmt range(in,
                 "SELECT min(ts_us), max(ts_us), max(id), count(*) FROM (SELECT id, ts_us FROM probes WHERE id > ? "
                 "ORDER BY id LIMIT ?)");
      range.bind(1, after).bind(2, kProbeBatch);
      if (!range.step() || range.col_int(3) == 0) break;
      const int64_t last = range.col_int(2);
      if (to.postgres()) {
        for (int64_t ts = range.col_int(0);;) {  // every month between the batch's first and last time
          schema::ProbePartition p = schema::probe_partition(ts);
          schema::ensure_probe_partition(to, p);
          if (p.to == "MAXVALUE" || std::stoll(p.to) > range.col_int(1)) break;
          ts = std::stoll(p.to);
        }
      }
      Transaction tx(to);
      Stmt s(in, fmt::format("SELECT {} FROM probes WHERE id > ? AND id <= ? ORDER BY id", joined(cols)).c_str());
      s.bind(1, after).bind(2, last);
      t.rows += copy_rows(s, to, "probes", cols);
      set_mark(to, prefix + "probes", std::to_string(last));
      tx.commit();
      after = last;
      if (on_batch) on_batch("probes", t.rows);
    }
    t.skipped = t.rows == 0 && probes_mark.has_value();
    out.tables.push_back(t);
  }
  for (const char* table : kTables)
    if (std::string(table) != "captures" && std::string(table) != "capture_skips") copy_table(table);
  advance_ids(to);

  // Model checkpoints are files beside the database: copied to where the target's commands look for them.
  const std::filesystem::path src_models = ModelRegistry::models_dir(from),
                              dst_models = ModelRegistry::models_dir(to_db);
  std::error_code ec;
  if (std::filesystem::is_directory(src_models, ec) && src_models != dst_models) {
    std::filesystem::create_directories(dst_models);
    for (const auto& e : std::filesystem::directory_iterator(src_models)) {
      const auto dst = dst_models / e.path().filename();
      if (!e.is_regular_file() || std::filesystem::exists(dst)) continue;
      std::filesystem::copy_file(e.path(), dst);
      ++out.checkpoints;
    }
  }
  return out;
}

}  // namespace sg
