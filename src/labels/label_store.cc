#include "labels/label_store.h"

#include <fmt/format.h>

#include <algorithm>

#include "labels/text.h"
#include "storage/label_store.h"

namespace sg::labels {

namespace {

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
  ensure_label_tables(db_);
  std::string v = meta("labels.schema", "");
  if (!v.empty() && std::stoi(v) > kSchemaVersion)
    throw StoreError(
        fmt::format("{}: label schema version {} is newer than this program ({})", db_.path(), v, kSchemaVersion));
  if (v.empty() && !db_.read_only()) set_meta("labels.schema", std::to_string(kSchemaVersion));
}

std::string LabelStore::meta(const std::string& key, const std::string& fallback) {
  return label_meta(db_, key).value_or(fallback);
}

void LabelStore::set_meta(const std::string& key, const std::string& value) { set_label_meta(db_, key, value); }

std::vector<std::string> eval_unknown(Db& db) { return eval_unknown_setting(db); }

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

std::optional<std::string> LabelStore::import_path(const std::string& key) { return label_import_path(db_, key); }

std::pair<int64_t, bool> LabelStore::save_import(const std::string& key, const std::string& path,
                                                 const ParsedList& list) {
  LabelImportRow row;
  row.key = key;
  row.path = path;
  row.format = to_string(list.format);
  row.source = list.entries.empty() ? "" : list.entries.front().source;
  row.entries = static_cast<int64_t>(list.entries.size());
  row.refused = static_cast<int64_t>(list.refused.size());
  row.unlabelled = static_cast<int64_t>(list.unlabelled);
  LabelImportWriter w(db_, row);
  LabelEntryRow e;
  for (const auto& r : list.entries) {
    e.prefix = to_string(r.prefix.net) + "/" + std::to_string(r.prefix.bits);
    e.org = r.org;
    e.source = r.source;
    // The open ends are stored as NULL, not as the sentinels.
    e.valid_from = r.period.from_us == Period::kMin ? std::nullopt : std::optional<int64_t>(r.period.from_us);
    e.valid_to = r.period.to_us == Period::kMax ? std::nullopt : std::optional<int64_t>(r.period.to_us);
    w.add_entry(e);
  }
  for (const auto& r : list.refused) w.add_refusal(static_cast<int64_t>(r.line), r.reason);
  return {w.id(), w.replaced()};
}

PrefixIndex LabelStore::load_index() {
  PrefixIndex index;
  for_each_label_entry(db_, [&](const LabelEntryRow& row) {
    Entry e;
    if (!parse_cidr(row.prefix, e.prefix)) return;  // written by save_import, always parses
    e.org = index.intern_org(row.org);
    e.source = index.intern_source(row.source);
    if (row.valid_from) e.period.from_us = *row.valid_from;
    if (row.valid_to) e.period.to_us = *row.valid_to;
    index.add(e);
  });
  index.build();
  return index;
}

RelabelStats LabelStore::relabel(const PrefixIndex& index, const Policy& policy, int64_t after_id) {
  RelabelStats st;
  auto old = probe_labels_after(db_, after_id);
  ProbeLabelWriter out(db_);
  std::vector<const Entry*> cover;
  for_each_probe_source(db_, after_id, [&](int64_t id, const std::string& src, int64_t ts_us) {
    ++st.probes;
    IpAddr ip;
    Decision d;
    if (parse_ip(src, ip)) {
      index.covering(ip, ts_us, cover);
      d = decide(cover, policy);
    }
    st.conflicts += d.verdict == Verdict::conflict;
    st.too_weak += d.verdict == Verdict::too_weak;
    auto it = old.find(id);
    if (d.verdict != Verdict::labelled) {
      if (it != old.end()) {
        out.remove(id);
        ++st.removed;
      }
      return;
    }
    ++st.labelled;
    std::pair<std::string, std::string> now{index.org(d.org), join_sources(index, d.sources)};
    if (it != old.end() && it->second == now) return;
    out.put(id, now.first, now.second);
    ++(it == old.end() ? st.added : st.changed);
  });
  return st;
}

std::vector<ImportRecord> LabelStore::imports() {
  std::vector<ImportRecord> out;
  for (auto& r : label_imports(db_))
    out.push_back(
        {r.id, std::move(r.path), std::move(r.format), std::move(r.source), r.entries, r.refused, r.unlabelled});
  return out;
}

std::map<std::string, int64_t> LabelStore::count_by(const char* column) { return label_entry_counts(db_, column); }

std::map<std::string, int64_t> LabelStore::refusal_reasons() {
  std::map<std::string, int64_t> out;
  for_each_label_refusal_reason(db_, [&](const std::string& reason) { ++out[reason_kind(reason)]; });
  return out;
}

std::vector<std::pair<std::string, Refusal>> LabelStore::refusals(size_t limit) {
  std::vector<std::pair<std::string, Refusal>> out;
  for (auto& row : label_refusals(db_, limit)) {
    Refusal r{row.path, static_cast<size_t>(row.line), row.reason};
    out.emplace_back(r.file, r);
  }
  return out;
}

std::map<std::string, int64_t> LabelStore::probe_label_counts() { return sg::probe_label_counts(db_); }

}  // namespace sg::labels
