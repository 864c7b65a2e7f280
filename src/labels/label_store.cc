#include "labels/label_store.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <unordered_map>

#include "labels/text.h"

namespace sg::labels {

namespace {

const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS label_imports(
  id INTEGER PRIMARY KEY,
  key TEXT NOT NULL UNIQUE,
  path TEXT NOT NULL,
  format TEXT NOT NULL,
  source TEXT NOT NULL,
  entries INTEGER NOT NULL,
  refused INTEGER NOT NULL,
  unlabelled INTEGER NOT NULL,
  imported_at INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS label_imports_path ON label_imports(path);
CREATE TABLE IF NOT EXISTS label_entries(
  import_id INTEGER NOT NULL REFERENCES label_imports(id) ON DELETE CASCADE,
  prefix TEXT NOT NULL,
  org TEXT NOT NULL,
  source TEXT NOT NULL,
  valid_from INTEGER,
  valid_to INTEGER);
CREATE INDEX IF NOT EXISTS label_entries_import ON label_entries(import_id);
CREATE TABLE IF NOT EXISTS label_refusals(
  import_id INTEGER NOT NULL REFERENCES label_imports(id) ON DELETE CASCADE,
  line INTEGER NOT NULL,
  reason TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS label_refusals_import ON label_refusals(import_id);
CREATE TABLE IF NOT EXISTS probe_labels(probe_id INTEGER PRIMARY KEY REFERENCES probes(id) ON DELETE CASCADE, org TEXT NOT NULL, source TEXT NOT NULL);
)sql";

// "coarse prefix 4.144.0.0/12 (...)" -> "coarse prefix": what kind of refusal, for the summary.
std::string reason_kind(const std::string& reason) {
  auto cut = reason.find_first_of(":'(0123456789");
  return trim(reason.substr(0, cut));
}

std::string join_sources(const PrefixIndex& index, const std::vector<uint32_t>& ids) {
  std::vector<std::string> names;
  for (uint32_t id : ids) names.push_back(index.source(id));
  std::sort(names.begin(), names.end());
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : "+") + n;
  return out;
}

}  // namespace

LabelStore::LabelStore(Db& db) : db_(db) {
  db_.ensure_schema(kSchema);
  std::string v = meta("labels.schema", "");
  if (!v.empty() && std::stoi(v) > kSchemaVersion)
    throw StoreError(fmt::format("{}: label schema version {} is newer than this program ({})", db_.path(), v,
                                 kSchemaVersion));
  if (v.empty() && !db_.read_only()) set_meta("labels.schema", std::to_string(kSchemaVersion));
}

std::string LabelStore::meta(const std::string& key, const std::string& fallback) {
  Stmt s(db_, "SELECT value FROM meta WHERE key=?");
  s.bind(1, key);
  return s.step() ? s.col_text(0) : fallback;
}

void LabelStore::set_meta(const std::string& key, const std::string& value) {
  Stmt s(db_, "INSERT INTO meta(key, value) VALUES(?,?) ON CONFLICT(key) DO UPDATE SET value=excluded.value");
  s.bind(1, key).bind(2, value);
  s.step();
}

std::vector<std::string> eval_unknown(Db& db) {
  std::string text = kDefaultEvalUnknown;
  {
    Stmt t(db, "SELECT count(*) FROM sqlite_master WHERE type='table' AND name='meta'");
    t.step();
    if (t.col_int(0) > 0) {
      Stmt s(db, "SELECT value FROM meta WHERE key='labels.eval_unknown'");
      if (s.step()) text = s.col_text(0);
    }
  }
  std::vector<std::string> out;
  for (auto& part : split(text, ','))
    if (auto t = trim(part); !t.empty()) out.push_back(t);
  return out;
}

void LabelStore::set_eval_unknown(const std::vector<std::string>& orgs) {
  std::string text;
  for (const auto& o : orgs) text += (text.empty() ? "" : ",") + o;
  set_meta("labels.eval_unknown", text);
}

Policy LabelStore::policy() {
  auto p = parse_policy(meta("labels.policy", "lpm"));
  return p ? *p : Policy{};
}

void LabelStore::set_policy(const Policy& p) { set_meta("labels.policy", to_string(p)); }

std::optional<std::string> LabelStore::import_path(const std::string& key) {
  Stmt s(db_, "SELECT path FROM label_imports WHERE key=?");
  s.bind(1, key);
  if (!s.step()) return std::nullopt;
  return s.col_text(0);
}

std::pair<int64_t, bool> LabelStore::save_import(const std::string& key, const std::string& path,
                                                 const ParsedList& list) {
  Stmt del(db_, "DELETE FROM label_imports WHERE path=?");
  del.bind(1, path);
  del.step();
  bool replaced = db_.changes() > 0;
  std::string source = list.entries.empty() ? "" : list.entries.front().source;
  Stmt ins(db_,
           "INSERT INTO label_imports(key, path, format, source, entries, refused, unlabelled, imported_at) "
           "VALUES(?,?,?,?,?,?,?,?)");
  int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                    std::chrono::system_clock::now().time_since_epoch()).count();
  ins.bind(1, key).bind(2, path).bind(3, to_string(list.format)).bind(4, source);
  ins.bind(5, static_cast<int64_t>(list.entries.size())).bind(6, static_cast<int64_t>(list.refused.size()));
  ins.bind(7, static_cast<int64_t>(list.unlabelled)).bind(8, now);
  ins.step();
  int64_t id = db_.last_insert_id();
  Stmt e(db_, "INSERT INTO label_entries(import_id, prefix, org, source, valid_from, valid_to) VALUES(?,?,?,?,?,?)");
  for (const auto& r : list.entries) {
    e.bind(1, id).bind(2, to_string(r.prefix.net) + "/" + std::to_string(r.prefix.bits)).bind(3, r.org);
    e.bind(4, r.source);
    if (r.period.from_us == Period::kMin) e.bind_null(5); else e.bind(5, r.period.from_us);
    if (r.period.to_us == Period::kMax) e.bind_null(6); else e.bind(6, r.period.to_us);
    e.step();
    e.reset();
  }
  Stmt f(db_, "INSERT INTO label_refusals(import_id, line, reason) VALUES(?,?,?)");
  for (const auto& r : list.refused) {
    f.bind(1, id).bind(2, static_cast<int64_t>(r.line)).bind(3, r.reason);
    f.step();
    f.reset();
  }
  return {id, replaced};
}

PrefixIndex LabelStore::load_index() {
  PrefixIndex index;
  Stmt s(db_, "SELECT prefix, org, source, valid_from, valid_to FROM label_entries");
  while (s.step()) {
    Entry e;
    if (!parse_cidr(s.col_text(0), e.prefix)) continue;  // written by save_import, always parses
    e.org = index.intern_org(s.col_text(1));
    e.source = index.intern_source(s.col_text(2));
    if (!s.col_null(3)) e.period.from_us = s.col_int(3);
    if (!s.col_null(4)) e.period.to_us = s.col_int(4);
    index.add(e);
  }
  index.build();
  return index;
}

RelabelStats LabelStore::relabel(const PrefixIndex& index, const Policy& policy, int64_t after_id) {
  RelabelStats st;
  std::unordered_map<int64_t, std::pair<std::string, std::string>> old;
  {
    Stmt s(db_, "SELECT probe_id, org, source FROM probe_labels WHERE probe_id>?");
    s.bind(1, after_id);
    while (s.step()) old.emplace(s.col_int(0), std::make_pair(s.col_text(1), s.col_text(2)));
  }
  Stmt up(db_,
          "INSERT INTO probe_labels(probe_id, org, source) VALUES(?,?,?) "
          "ON CONFLICT(probe_id) DO UPDATE SET org=excluded.org, source=excluded.source");
  Stmt del(db_, "DELETE FROM probe_labels WHERE probe_id=?");
  Stmt s(db_, "SELECT id, src, ts_us FROM probes WHERE id>? ORDER BY id");
  s.bind(1, after_id);
  std::vector<const Entry*> cover;
  while (s.step()) {
    ++st.probes;
    int64_t id = s.col_int(0);
    IpAddr ip;
    Decision d;
    if (parse_ip(s.col_text(1), ip)) {
      index.covering(ip, s.col_int(2), cover);
      d = decide(cover, policy);
    }
    st.conflicts += d.verdict == Verdict::conflict;
    st.too_weak += d.verdict == Verdict::too_weak;
    auto it = old.find(id);
    if (d.verdict != Verdict::labelled) {
      if (it != old.end()) {
        del.bind(1, id);
        del.step();
        del.reset();
        ++st.removed;
      }
      continue;
    }
    ++st.labelled;
    std::pair<std::string, std::string> now{index.org(d.org), join_sources(index, d.sources)};
    if (it != old.end() && it->second == now) continue;
    up.bind(1, id).bind(2, now.first).bind(3, now.second);
    up.step();
    up.reset();
    ++(it == old.end() ? st.added : st.changed);
  }
  return st;
}

std::vector<ImportRecord> LabelStore::imports() {
  std::vector<ImportRecord> out;
  Stmt s(db_, "SELECT id, path, format, source, entries, refused, unlabelled FROM label_imports ORDER BY path");
  while (s.step())
    out.push_back({s.col_int(0), s.col_text(1), s.col_text(2), s.col_text(3), s.col_int(4), s.col_int(5),
                   s.col_int(6)});
  return out;
}

std::map<std::string, int64_t> LabelStore::count_by(const char* column) {
  std::map<std::string, int64_t> out;
  std::string sql = fmt::format("SELECT {0}, count(*) FROM label_entries GROUP BY {0}",
                                std::string(column) == "source" ? "source" : "org");
  Stmt s(db_, sql.c_str());
  while (s.step()) out[s.col_text(0)] = s.col_int(1);
  return out;
}

std::map<std::string, int64_t> LabelStore::refusal_reasons() {
  std::map<std::string, int64_t> out;
  Stmt s(db_, "SELECT reason FROM label_refusals");
  while (s.step()) ++out[reason_kind(s.col_text(0))];
  return out;
}

std::vector<std::pair<std::string, Refusal>> LabelStore::refusals(size_t limit) {
  std::vector<std::pair<std::string, Refusal>> out;
  Stmt s(db_,
         "SELECT i.path, r.line, r.reason FROM label_refusals r JOIN label_imports i ON i.id=r.import_id "
         "ORDER BY i.path, r.line LIMIT ?");
  s.bind(1, static_cast<int64_t>(limit));
  while (s.step()) {
    Refusal r{s.col_text(0), static_cast<size_t>(s.col_int(1)), s.col_text(2)};
    out.emplace_back(r.file, r);
  }
  return out;
}

std::map<std::string, int64_t> LabelStore::probe_label_counts() {
  std::map<std::string, int64_t> out;
  Stmt s(db_, "SELECT org, count(*) FROM probe_labels GROUP BY org");
  while (s.step()) out[s.col_text(0)] = s.col_int(1);
  return out;
}

}  // namespace sg::labels
