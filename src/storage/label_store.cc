#include "storage/label_store.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>

#include "storage/schema.h"
#include "storage/sqlite.h"
#include "util/text.h"

namespace sg {

namespace {

// Deletes the import of `path` (ON DELETE CASCADE takes its entries and refusals); true when there was one.
bool delete_import(Db& db, const std::string& path) {
  Stmt del(db, "DELETE FROM label_imports WHERE path=?");
  del.bind(1, path);
  del.step();
  return db.changes() > 0;
}

int64_t insert_import(Db& db, const LabelImportRow& row) {
  Stmt ins(db,
           "INSERT INTO label_imports(key, path, format, source, entries, refused, unlabelled, imported_at) "
           "VALUES(?,?,?,?,?,?,?,?)");
  int64_t now =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  ins.bind(1, row.key).bind(2, row.path).bind(3, row.format).bind(4, row.source);
  ins.bind(5, row.entries).bind(6, row.refused).bind(7, row.unlabelled).bind(8, now);
  ins.step();
  return db.last_insert_id();
}

}  // namespace

void ensure_probe_label_tables(Db& db) { schema::ensure(db, schema::Tables::probe_labels); }

void ensure_label_tables(Db& db) {
  schema::ensure(db, schema::Tables::label_lists);
  schema::ensure(db, schema::Tables::probe_labels);
}

std::optional<std::string> label_meta(Db& db, const std::string& key) {
  Stmt s(db, "SELECT value FROM meta WHERE key=?");
  s.bind(1, key);
  if (!s.step()) return std::nullopt;
  return s.col_text(0);
}

void set_label_meta(Db& db, const std::string& key, const std::string& value) {
  Stmt s(db, "INSERT INTO meta(key, value) VALUES(?,?) ON CONFLICT(key) DO UPDATE SET value=excluded.value");
  s.bind(1, key).bind(2, value);
  s.step();
}

std::optional<std::string> label_meta_if_present(Db& db, const std::string& key) {
  if (!db.has_table("meta")) return std::nullopt;
  return label_meta(db, key);
}

std::optional<std::string> label_import_path(Db& db, const std::string& key) {
  Stmt s(db, "SELECT path FROM label_imports WHERE key=?");
  s.bind(1, key);
  if (!s.step()) return std::nullopt;
  return s.col_text(0);
}

LabelImportWriter::LabelImportWriter(Db& db, const LabelImportRow& row)
    : replaced_(delete_import(db, row.path)),
      id_(insert_import(db, row)),
      entry_(std::make_unique<Stmt>(
          db, "INSERT INTO label_entries(import_id, prefix, org, source, valid_from, valid_to) VALUES(?,?,?,?,?,?)")),
      refusal_(std::make_unique<Stmt>(db, "INSERT INTO label_refusals(import_id, line, reason) VALUES(?,?,?)")) {}

LabelImportWriter::~LabelImportWriter() = default;

void LabelImportWriter::add_entry(const LabelEntryRow& e) {
  entry_->bind(1, id_).bind(2, e.prefix).bind(3, e.org).bind(4, e.source);
  if (e.valid_from)
    entry_->bind(5, *e.valid_from);
  else
    entry_->bind_null(5);
  if (e.valid_to)
    entry_->bind(6, *e.valid_to);
  else
    entry_->bind_null(6);
  entry_->step();
  entry_->reset();
}

void LabelImportWriter::add_refusal(int64_t line, const std::string& reason) {
  refusal_->bind(1, id_).bind(2, line).bind(3, reason);
  refusal_->step();
  refusal_->reset();
}

void for_each_label_entry(Db& db, const std::function<void(const LabelEntryRow&)>& fn) {
  Stmt s(db, "SELECT prefix, org, source, valid_from, valid_to FROM label_entries");
  LabelEntryRow row;
  while (s.step()) {
    row.prefix = s.col_text(0);
    row.org = s.col_text(1);
    row.source = s.col_text(2);
    row.valid_from = s.col_null(3) ? std::nullopt : std::optional<int64_t>(s.col_int(3));
    row.valid_to = s.col_null(4) ? std::nullopt : std::optional<int64_t>(s.col_int(4));
    fn(row);
  }
}

std::vector<LabelImportRow> label_imports(Db& db) {
  std::vector<LabelImportRow> out;
  Stmt s(db, "SELECT id, key, path, format, source, entries, refused, unlabelled FROM label_imports ORDER BY path");
  while (s.step())
    out.push_back({s.col_int(0), s.col_text(1), s.col_text(2), s.col_text(3), s.col_text(4), s.col_int(5), s.col_int(6),
                   s.col_int(7)});
  return out;
}

std::map<std::string, int64_t> label_entry_counts(Db& db, const std::string& column) {
  std::map<std::string, int64_t> out;
  // The column name is SQL text, never the caller's string: only these two can be asked for.
  std::string sql =
      fmt::format("SELECT {0}, count(*) FROM label_entries GROUP BY {0}", column == "source" ? "source" : "org");
  Stmt s(db, sql.c_str());
  while (s.step()) out[s.col_text(0)] = s.col_int(1);
  return out;
}

void for_each_label_refusal_reason(Db& db, const std::function<void(const std::string& reason)>& fn) {
  Stmt s(db, "SELECT reason FROM label_refusals");
  while (s.step()) fn(s.col_text(0));
}

std::vector<LabelRefusalRow> label_refusals(Db& db, size_t limit) {
  std::vector<LabelRefusalRow> out;
  Stmt s(db,
         "SELECT i.path, r.line, r.reason FROM label_refusals r JOIN label_imports i ON i.id=r.import_id "
         "ORDER BY i.path, r.line LIMIT ?");
  s.bind(1, static_cast<int64_t>(limit));
  while (s.step()) out.push_back({s.col_text(0), s.col_int(1), s.col_text(2)});
  return out;
}

std::map<std::string, int64_t> probe_label_counts(Db& db) {
  std::map<std::string, int64_t> out;
  Stmt s(db, "SELECT org, count(*) FROM probe_labels GROUP BY org");
  while (s.step()) out[s.col_text(0)] = s.col_int(1);
  return out;
}

std::unordered_map<int64_t, std::pair<std::string, std::string>> probe_labels_after(Db& db, int64_t after_id) {
  std::unordered_map<int64_t, std::pair<std::string, std::string>> out;
  Stmt s(db, "SELECT probe_id, org, source FROM probe_labels WHERE probe_id>?");
  s.bind(1, after_id);
  while (s.step()) out.emplace(s.col_int(0), std::make_pair(s.col_text(1), s.col_text(2)));
  return out;
}

void for_each_probe_source(Db& db, int64_t after_id,
                           const std::function<void(int64_t id, const std::string& src, int64_t ts_us)>& fn) {
  Stmt s(db, "SELECT id, src, ts_us FROM probes WHERE id>? ORDER BY id");
  s.bind(1, after_id);
  while (s.step()) fn(s.col_int(0), s.col_text(1), s.col_int(2));
}

std::vector<std::string> unlabelled_sources(Db& db, size_t limit) {
  std::vector<std::string> out;
  Stmt s(db,
         "SELECT DISTINCT src FROM probes WHERE id NOT IN (SELECT probe_id FROM probe_labels) ORDER BY src LIMIT ?");
  s.bind(1, static_cast<int64_t>(limit));
  while (s.step()) out.push_back(s.col_text(0));
  return out;
}

int64_t highest_probe_id(Db& db) {
  Stmt s(db, "SELECT coalesce(max(id), 0) FROM probes");
  s.step();
  return s.col_int(0);
}

ProbeLabelWriter::ProbeLabelWriter(Db& db)
    : up_(std::make_unique<Stmt>(db,
                                 "INSERT INTO probe_labels(probe_id, org, source) VALUES(?,?,?) "
                                 "ON CONFLICT(probe_id) DO UPDATE SET org=excluded.org, source=excluded.source")),
      del_(std::make_unique<Stmt>(db, "DELETE FROM probe_labels WHERE probe_id=?")) {}

ProbeLabelWriter::~ProbeLabelWriter() = default;

void ProbeLabelWriter::put(int64_t probe_id, const std::string& org, const std::string& source) {
  up_->bind(1, probe_id).bind(2, org).bind(3, source);
  up_->step();
  up_->reset();
}

void ProbeLabelWriter::remove(int64_t probe_id) {
  del_->bind(1, probe_id);
  del_->step();
  del_->reset();
}

std::vector<std::string> eval_unknown_setting(Db& db) {
  std::string text = label_meta_if_present(db, kEvalUnknownKey).value_or(kDefaultEvalUnknown);
  std::vector<std::string> out;
  for (std::string_view part : split(text, ',')) {
    std::string name = lower_trimmed(part);
    if (!name.empty()) out.push_back(std::move(name));
  }
  return out;
}

}  // namespace sg
