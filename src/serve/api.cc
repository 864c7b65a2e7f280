#include "serve/api.h"

#include <fmt/format.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstring>
#include <nlohmann/json.hpp>
#include <set>
#include <vector>

#include "aggregate/evidence.h"
#include "capture/cidr.h"
#include "serve/answer_cache.h"
#include "storage/ip_queries.h"
#include "storage/probe_store.h"
#include "storage/scanner_store.h"
#include "storage/schema.h"
#include "util/json_writer.h"
#include "util/text.h"
#include "util/time.h"

namespace sg::serve {

namespace {

using nlohmann::json;

// A request the client got wrong: its status (4xx), a short code and a sentence.
struct BadRequest {
  int status;
  std::string code, message;
};

// How many of an ip's latest probes its evidence is built from (as `lookup`), and how many values per kind.
constexpr int64_t kEvidenceProbes =
    1000;  // the latest probes read per lookup: bounds its cost (a busy scanner has thousands)
constexpr size_t kTopValues = 20;
// How many of an organisation's latest rows its fingerprints are merged from.
constexpr int64_t kOrgEvidenceRows = 5000;
constexpr size_t kMaxOrgName = 256;
// A thread keeps its answer buffer for the next request up to this size.
constexpr size_t kKeptBuffer = 1 << 20;

// Evidence kinds (aggregate/evidence.h) under the names the API gives them.
const std::map<std::string, std::string>& fingerprint_names() {
  static const std::map<std::string, std::string> names = {{"ports", "ports"},
                                                           {"user_agents", "user_agents"},
                                                           {"uris", "uris"},
                                                           {"ja3_hashes", "ja3"},
                                                           {"ja4s", "ja4"},
                                                           {"snis", "sni"},
                                                           {"qnames", "qnames"},
                                                           {"ssh_banners", "ssh_banners"},
                                                           {"hasshes", "hassh"},
                                                           {"rdp_cookies", "rdp_cookies"},
                                                           {"tcp_signatures", "syn_signatures"},
                                                           {"payloads", "payloads"}};
  return names;
}

// {kind: [[value, count], ...]} (the stored evidence) as {api name: [{value, count}, ...]}.
json fingerprints(const json& evidence) {
  json out = json::object();
  for (const auto& [kind, name] : fingerprint_names()) out[name] = json::array();
  if (!evidence.is_object()) return out;
  for (const auto& [kind, values] : evidence.items()) {
    auto it = fingerprint_names().find(kind);
    std::string name = it == fingerprint_names().end() ? kind : it->second;
    json list = json::array();
    if (values.is_array())
      for (const auto& v : values)
        if (v.is_array() && v.size() == 2) list.push_back({{"value", v[0]}, {"count", v[1]}});
    out[name] = std::move(list);
  }
  return out;
}

json parse_or_empty(const std::string& text) {
  auto j = json::parse(text, nullptr, false);
  return j.is_discarded() ? json::object() : j;
}

json ts_or_null(int64_t us, bool present = true) { return present ? json(format_ts(us)) : json(nullptr); }

const std::string* param(const Request& r, const std::string& name) {
  auto it = r.params.find(name);
  return it == r.params.end() ? nullptr : &it->second;
}

int64_t int_param(const Request& r, const std::string& name, int64_t fallback, int64_t lo, int64_t hi) {
  const std::string* text = param(r, name);
  if (!text) return fallback;
  int64_t v = 0;
  auto [ptr, ec] = std::from_chars(text->data(), text->data() + text->size(), v);
  if (ec != std::errc() || ptr != text->data() + text->size() || text->empty() || v < lo || v > hi)
    throw BadRequest{400, "bad_parameter", fmt::format("{} must be an integer from {} to {}", name, lo, hi)};
  return v;
}

Page page_of(const Request& r) {
  Page p;
  p.limit = int_param(r, "limit", kDefaultLimit, 1, kMaxLimit);
  p.offset = int_param(r, "offset", 0, 0, kMaxOffset);
  return p;
}

void put_page(json& out, const Page& p, int64_t total) {
  out["total"] = total;
  out["limit"] = p.limit;
  out["offset"] = p.offset;
  out["next_offset"] = p.offset + p.limit < total ? json(p.offset + p.limit) : json(nullptr);
}

// The canonical text of an ip (as stored), or a 400.
std::string canonical_ip(const std::string& text) {
  IpAddr a;
  if (text.size() > 64 || !parse_ip(text, a))
    throw BadRequest{400, "bad_ip", fmt::format("'{}' is not an IPv4 or IPv6 address", text.substr(0, 64))};
  return to_string(a);
}

Cidr checked_cidr(const std::string& text) {
  Cidr c;
  if (text.size() > 64 || !parse_cidr(text, c))
    throw BadRequest{400, "bad_cidr",
                     fmt::format("'{}' is not an address prefix (a.b.c.d/n or x:y::/n)", text.substr(0, 64))};
  const int min_bits = c.net.v4 ? kMinPrefixV4 : kMinPrefixV6;
  if (c.bits < min_bits)
    throw BadRequest{400, "cidr_too_large",
                     fmt::format("/{} is too wide: at most /{} for {}", c.bits, min_bits, c.net.v4 ? "IPv4" : "IPv6")};
  return c;
}

// The text range [lo, hi) every address of the prefix falls in, written canonically (to_string): the whole
// leading octets of IPv4, the leading non-zero whole groups of IPv6 (a zero group may be written as "::").
// Empty strings: no narrowing.
std::pair<std::string, std::string> text_range(const Cidr& c) {
  std::string lo;
  if (c.net.v4) {
    for (int i = 0; i < std::min(c.bits / 8, 3); ++i) lo += fmt::format("{}.", c.net.b[i]);
  } else {
    for (int g = 0; g < std::min(c.bits / 16, 7); ++g) {
      int v = c.net.b[2 * g] << 8 | c.net.b[2 * g + 1];
      if (v == 0) break;
      lo += fmt::format("{:x}:", v);
    }
  }
  if (lo.empty()) return {"", ""};
  std::string hi = lo;
  hi.back() = char(hi.back() + 1);  // '.' → '/', ':' → ';'
  return {lo, hi};
}

// What a list answer says about one ip: the latest decision and the probes' span.
json ip_summary(Db& db, const std::string& ip) {
  json j{{"ip", ip}};
  auto d = latest_decision(db, ip);
  auto p = ip_probe_summary(db, ip);
  j["known"] = d.has_value() || p.total > 0;
  j["org"] = d ? json(d->org) : json(nullptr);
  j["confidence"] = d ? json(d->confidence) : json(nullptr);
  j["evidence_kind"] = d ? json(d->evidence_kind) : json(nullptr);
  j["weeks"] = d ? d->windows : 0;
  j["latest_week"] = d ? ts_or_null(d->window_start_us) : json(nullptr);
  j["probes"] = p.total;
  j["first_seen"] = ts_or_null(p.first_us, p.total > 0);
  j["last_seen"] = ts_or_null(p.last_us, p.total > 0);
  return j;
}

// The answer of GET /v1/ip/{ip}, the most frequent request, written straight to text by RapidJSON's writer
// into a buffer each thread keeps (building an nlohmann tree and dumping it was 15% of a lookup's CPU). The
// text is byte for byte what json_text gives for the same value (the tests compare them): the members of
// every object in nlohmann's order (sorted by key), strings with nlohmann's escapes and '<', '>' and '&' as
// \u escapes, numbers as nlohmann writes them.
class AnswerWriter : public JsonWriter {
 public:
  explicit AnswerWriter(rapidjson::StringBuffer& out) : JsonWriter(out) {}
  // A key or a string value. Printable ASCII with nothing to escape is copied; anything else (control
  // characters, non-ASCII, invalid UTF-8) is written by json_text itself.
  void text(std::string_view s) {
    if (plain(s)) return plain_string(s);
    const std::string quoted = json_text(json(std::string(s)));
    quoted_string(quoted.data(), quoted.size());
  }
  // nlohmann's shortest round-trip form of a double ("0.5", "1e-05", null for NaN) is not RapidJSON's.
  void number(double d) { raw(json_text(json(d)), rapidjson::kNumberType); }
  void number(int64_t n) { Int64(n); }
  // A value already written as JSON text by json_text.
  void raw(const std::string& value, rapidjson::Type type) { RawValue(value.data(), value.size(), type); }
  void null() { Null(); }

 private:
  // What nlohmann and json_text copy unchanged: printable ASCII but for '"', '\\', '<', '>' and '&'.
  static bool plain(std::string_view s) {
    for (char ch : s) {
      const auto c = static_cast<unsigned char>(ch);
      if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&') return false;
    }
    return true;
  }
};

void write_ts_or_null(AnswerWriter& w, int64_t us, bool present) {
  if (present)
    w.text(format_ts(us));
  else
    w.null();
}

// An ip's evidence as fingerprints() gives stored evidence: every API name (empty when the ip sent none
// of that kind), sorted by name, each [{count, value}, ...].
void write_fingerprints(AnswerWriter& w, const aggregate::Evidence& ev) {
  const auto top = ev.top_values(kTopValues);
  std::vector<std::pair<std::string_view, const aggregate::Evidence::Values*>> kinds;
  kinds.reserve(fingerprint_names().size() + top.size());
  for (const auto& [kind, name] : fingerprint_names()) kinds.emplace_back(name, nullptr);
  for (const auto& [kind, values] : top) {
    auto it = fingerprint_names().find(kind);
    std::string_view name = it == fingerprint_names().end() ? std::string_view(kind) : it->second;
    auto same = std::find_if(kinds.begin(), kinds.end(), [&](const auto& k) { return k.first == name; });
    if (same != kinds.end())
      same->second = &values;
    else
      kinds.emplace_back(name, &values);
  }
  std::sort(kinds.begin(), kinds.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  w.StartObject();
  for (const auto& [name, values] : kinds) {
    w.text(name);
    w.StartArray();
    if (values)
      for (const auto& [value, count] : *values) {
        w.StartObject();
        w.text("count");
        w.number(int64_t(count));
        w.text("value");
        w.text(value);
        w.EndObject();
      }
    w.EndArray();
  }
  w.EndObject();
}

// The members of each object below are written in sorted order, as nlohmann orders them.
std::string ip_detail(Db& db, ScannerStore& scanners, const std::string& ip) {
  ScannerQuery q;
  q.ip = ip;
  auto rows = scanners.rows(q);
  auto [p, ip_label_list] = ip_probes_and_labels(db, ip);
  if (rows.empty() && p.total == 0)
    throw BadRequest{404, "not_found", fmt::format("no probes and no attribution for {}", ip)};
  int64_t first = p.first_us, last = p.last_us;
  bool have_span = p.total > 0;
  std::set<std::string_view> services;
  for (const auto& [svc, n] : p.per_service) services.insert(svc);
  for (const auto& r : rows) {
    if (!have_span) first = r.first_seen_us, last = r.last_seen_us, have_span = true;
    first = std::min(first, r.first_seen_us);
    last = std::max(last, r.last_seen_us);
    for (std::string_view s : split(r.services, ','))
      if (!s.empty()) services.insert(s);
  }
  // The non-empty parts of a joined list (the services, the label lists).
  auto write_list = [](AnswerWriter& w, std::string_view joined, char sep) {
    w.StartArray();
    for (std::string_view s : split(joined, sep))
      if (!s.empty()) w.text(s);
    w.EndArray();
  };

  thread_local rapidjson::StringBuffer buffer;  // kept between requests: its memory is reused
  buffer.Clear();
  AnswerWriter w(buffer);
  // A scanner row: the attribution (the latest row) or, `full`, one week of the history, which adds the
  // row's evidence, span, probe count and services.
  auto write_row = [&](const auto& r, bool full) {
    w.StartObject();
    w.text("confidence");
    w.number(r.confidence);
    w.text("evidence_kind");
    w.text(r.evidence_kind);
    if (full) {
      w.text("fingerprints");
      w.raw(json_text(fingerprints(parse_or_empty(r.evidence))), rapidjson::kObjectType);
      w.text("first_seen");
      w.text(format_ts(r.first_seen_us));
      w.text("last_seen");
      w.text(format_ts(r.last_seen_us));
    }
    w.text("model_version");
    w.text(r.model_version);
    w.text("org");
    w.text(r.org);
    w.text("probability");
    w.number(r.probability);
    if (full) {
      w.text("probes");
      w.number(r.probes);
    }
    w.text("reason");
    w.text(r.reason);
    if (full) {
      w.text("services");
      write_list(w, r.services, ',');
    }
    w.text("votes");
    w.raw(json_text(parse_or_empty(r.votes)), rapidjson::kObjectType);
    w.text("window_end");
    w.text(format_ts(r.window_end));
    w.text("window_start");
    w.text(format_ts(r.window_start));
    w.EndObject();
  };

  w.StartObject();
  w.text("attribution");
  if (rows.empty())
    w.null();
  else
    write_row(rows.back(), false);
  w.text("fingerprints");
  if (p.total > 0) {
    aggregate::Evidence ev;
    for_each_latest_probe(db, ip, kEvidenceProbes, [&](std::string_view text) { ev.add_probe_text(text); });
    write_fingerprints(w, ev);
    w.text("fingerprints_from");
    w.text(fmt::format("its latest {} probes at most", kEvidenceProbes));
  } else {  // its probes were pruned; the latest row kept their evidence
    w.raw(json_text(fingerprints(parse_or_empty(rows.back().evidence))), rapidjson::kObjectType);
    w.text("fingerprints_from");
    w.text("the latest week's scanner row");
  }
  w.text("first_seen");
  write_ts_or_null(w, first, have_span);
  w.text("history");
  w.StartArray();
  for (const auto& r : rows) write_row(r, true);
  w.EndArray();
  w.text("ip");
  w.text(ip);
  w.text("labels");
  w.StartArray();
  for (const auto& l : ip_label_list) {
    w.StartObject();
    w.text("org");
    w.text(l.org);
    w.text("probes");
    w.number(l.probes);
    w.text("sources");
    write_list(w, l.sources, '+');
    w.EndObject();
  }
  w.EndArray();
  w.text("last_seen");
  write_ts_or_null(w, last, have_span);
  w.text("org");
  if (rows.empty())
    w.null();
  else
    w.text(rows.back().org);
  w.text("probes");
  w.number(p.total);
  w.text("probes_by_service");
  w.StartObject();
  for (const auto& [svc, n] : p.per_service) {
    w.text(svc);
    w.number(n);
  }
  w.EndObject();
  w.text("services");
  w.StartArray();
  for (std::string_view s : services) w.text(s);
  w.EndArray();
  w.text("weeks");
  w.Uint64(rows.size());
  w.EndObject();
  std::string text(buffer.GetString(), buffer.GetSize());
  if (buffer.GetSize() > kKeptBuffer) {  // a rare large answer (years of weeks) does not stay in every thread
    buffer.Clear();
    buffer.ShrinkToFit();
  }
  return text;
}

json cidr_list(Db& db, const Cidr& c, const Page& page) {
  auto [lo, hi] = text_range(c);
  std::vector<std::string> page_ips;
  int64_t total = 0;
  for_each_ip_in_text_range(db, lo, hi, [&](const std::string& ip) {
    IpAddr a;
    if (!parse_ip(ip, a) || !c.contains(a)) return true;
    if (total >= page.offset && total < page.offset + page.limit) page_ips.push_back(ip);
    ++total;
    return true;
  });
  json items = json::array();
  for (const auto& ip : page_ips) items.push_back(ip_summary(db, ip));
  json out{{"cidr", fmt::format("{}/{}", to_string(c.net), c.bits)}, {"items", items}};
  put_page(out, page, total);
  return out;
}

json batch(Db& db, const std::string& body) {
  if (body.size() > kMaxBody)
    throw BadRequest{413, "body_too_large", fmt::format("the body is over {} bytes", kMaxBody)};
  auto j = json::parse(body, nullptr, false);
  json list;
  if (j.is_object() && j.contains("ips"))
    list = j["ips"];
  else if (j.is_array())
    list = j;
  if (!list.is_array())
    throw BadRequest{400, "bad_body", "the body must be JSON: {\"ips\": [\"192.0.2.1\", \"198.51.100.0/24\", ...]}"};
  if (list.size() > kMaxBatch)
    throw BadRequest{413, "too_many_ips", fmt::format("at most {} ips or prefixes per request", kMaxBatch)};
  json results = json::array(), errors = json::array();
  size_t items = 0;
  for (const auto& e : list) {
    if (items >= kMaxBatchResults) {
      errors.push_back({{"input", e.is_string() ? e.get<std::string>().substr(0, 64) : e.dump()},
                        {"code", "truncated"},
                        {"message", fmt::format("the answer already holds {} ips", kMaxBatchResults)}});
      continue;
    }
    if (!e.is_string()) {
      errors.push_back({{"input", e}, {"code", "bad_ip"}, {"message", "not a string"}});
      continue;
    }
    const std::string& text = e.get_ref<const std::string&>();
    try {
      if (text.find('/') != std::string::npos) {
        Page p{kMaxLimit, 0};
        auto c = cidr_list(db, checked_cidr(text), p);
        bool cut = false;
        for (auto& item : c["items"]) {
          if (items >= kMaxBatchResults) {
            cut = true;
            break;
          }
          results.push_back(std::move(item));
          ++items;
        }
        if (cut)
          errors.push_back({{"input", text},
                            {"code", "truncated"},
                            {"message", fmt::format("the answer already holds {} ips", kMaxBatchResults)}});
        else if (c["next_offset"].is_number())
          errors.push_back({{"input", text},
                            {"code", "truncated"},
                            {"message", fmt::format("more than {} ips: page through GET /v1/ip?cidr=", kMaxLimit)}});
      } else {
        results.push_back(ip_summary(db, canonical_ip(text)));
        ++items;
      }
    } catch (const BadRequest& b) {
      errors.push_back({{"input", text.substr(0, 64)}, {"code", b.code}, {"message", b.message}});
    }
  }
  return {{"results", results}, {"errors", errors}};
}

// {kind: [[value, count]]} of many rows summed, the top values of each kind.
json merged_fingerprints(Db& db, const std::string& org) {
  std::map<std::string, std::map<std::string, int64_t>> sums;
  for_each_org_evidence(db, org, kOrgEvidenceRows, [&](const std::string& text) {
    auto ev = json::parse(text, nullptr, false);
    if (!ev.is_object()) return;
    for (const auto& [kind, values] : ev.items()) {
      if (!values.is_array()) continue;
      auto& m = sums[kind];
      for (const auto& v : values)
        if (v.is_array() && v.size() == 2 && v[0].is_string() && v[1].is_number_integer() &&
            (m.size() < 4096 || m.count(v[0].get<std::string>())))
          m[v[0].get<std::string>()] += v[1].get<int64_t>();
    }
  });
  json ev = json::object();
  for (const auto& [kind, m] : sums) {
    std::vector<std::pair<std::string, int64_t>> v(m.begin(), m.end());
    std::stable_sort(v.begin(), v.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
    if (v.size() > kTopValues) v.resize(kTopValues);
    json arr = json::array();
    for (const auto& [value, n] : v) arr.push_back({value, n});
    ev[kind] = arr;
  }
  return fingerprints(ev);
}

json org_detail(Db& db, const std::string& org, const Page& page) {
  if (org.empty() || org.size() > kMaxOrgName)
    throw BadRequest{400, "bad_org", fmt::format("an organisation name has 1 to {} bytes", kMaxOrgName)};
  int64_t total = 0;
  auto ips = org_ips(db, org, page, &total);
  if (total == 0) throw BadRequest{404, "not_found", fmt::format("no scanner row names '{}'", org.substr(0, 64))};
  json items = json::array();
  for (const auto& r : ips)
    items.push_back({{"ip", r.ip},
                     {"weeks", r.windows},
                     {"first_week", format_ts(r.first_window_us)},
                     {"last_week", format_ts(r.last_window_us)},
                     {"first_seen", format_ts(r.first_seen_us)},
                     {"last_seen", format_ts(r.last_seen_us)},
                     {"probes", r.probes},
                     {"confidence", r.confidence},
                     {"evidence_kind", r.evidence_kind}});
  json weekly = json::array();
  for (const auto& w : org_weekly(db, org))
    weekly.push_back({{"window_start", format_ts(w.window_start_us)}, {"ips", w.ips}, {"probes", w.probes}});
  json out{{"org", org},
           {"ips", items},
           {"weekly", weekly},
           {"fingerprints", merged_fingerprints(db, org)},
           {"fingerprints_from", fmt::format("its latest {} scanner rows at most", kOrgEvidenceRows)}};
  put_page(out, page, total);
  return out;
}

struct SearchField {
  const char* param;
  const char* service;
  const char* path;
};
constexpr SearchField kSearchFields[] = {
    {"ja3", "tls", "$.tls.ja3_hash"},    {"ja4", "tls", "$.tls.ja4"},     {"sni", "tls", "$.tls.sni"},
    {"ua", "http", "$.http.user_agent"}, {"qname", "dns", "$.dns.qname"}, {"hassh", "ssh", "$.ssh.hassh"},
};

json search(Db& db, const Request& r) {
  const SearchField* field = nullptr;
  const std::string* value = nullptr;
  for (const auto& f : kSearchFields)
    if (const std::string* v = param(r, f.param)) {
      if (field) throw BadRequest{400, "bad_parameter", "search one field at a time"};
      field = &f;
      value = v;
    }
  if (!field) throw BadRequest{400, "bad_parameter", "name a field: ja3, ja4, sni, ua, qname or hassh"};
  if (value->empty() || value->size() > kMaxParam)
    throw BadRequest{400, "bad_parameter", fmt::format("{} must have 1 to {} bytes", field->param, kMaxParam)};
  const std::string* c = param(r, "contains");
  bool contains = c && (*c == "1" || *c == "true");
  Page page = page_of(r);
  int64_t total = 0;
  auto found = ips_with_fingerprint(db, field->service, field->path, *value, contains, page, &total);
  json items = json::array();
  for (const auto& f : found) {
    auto d = latest_decision(db, f.ip);
    items.push_back({{"ip", f.ip},
                     {"probes", f.probes},
                     {"first_seen", format_ts(f.first_us)},
                     {"last_seen", format_ts(f.last_us)},
                     {"org", d ? json(d->org) : json(nullptr)},
                     {"confidence", d ? json(d->confidence) : json(nullptr)},
                     {"evidence_kind", d ? json(d->evidence_kind) : json(nullptr)}});
  }
  json out{{"field", field->param}, {"value", *value}, {"contains", contains}, {"items", items}};
  put_page(out, page, total);
  return out;
}

json stats(Db& db) {
  auto st = db_stats(db);
  json windows = json::array();
  for (int64_t w : st.windows) windows.push_back(format_ts(w));
  json orgs = json::array();
  for (const auto& o : st.orgs)
    orgs.push_back({{"org", o.org}, {"ips_latest_week", o.ips}, {"rows", o.rows}, {"ips", o.all_ips}});
  return {{"probes", st.probes},
          {"probes_by_service", st.probes_by_service},
          {"source_ips", st.source_ips},
          {"captures", st.captures},
          {"first_probe", ts_or_null(st.first_probe_us, st.probes > 0)},
          {"last_probe", ts_or_null(st.last_probe_us, st.probes > 0)},
          {"scanner_rows", st.scanner_rows},
          {"scanner_ips", st.scanner_ips},
          {"weeks", windows},
          {"latest_week", windows.empty() ? json(nullptr) : windows.back()},
          {"orgs", orgs}};
}

Response ok(const json& j) { return {200, json_text(j)}; }

void require_method(const Request& r, const char* method) {
  if (r.method != method)
    throw BadRequest{405, "method_not_allowed", fmt::format("{} does not take {}", r.path, r.method)};
}

}  // namespace

std::string json_text(const json& value) {
  std::string text = value.dump(-1, ' ', false, json::error_handler_t::replace);
  if (text.find_first_of("<>&") == std::string::npos) return text;
  std::string out;
  out.reserve(text.size());
  // '<', '>' and '&' occur in JSON text only inside strings, so their \u forms mean the same.
  for (char c : text) {
    if (c == '<')
      out += "\\u003c";
    else if (c == '>')
      out += "\\u003e";
    else if (c == '&')
      out += "\\u0026";
    else
      out += c;
  }
  return out;
}

Response error_response(int status, const std::string& code, const std::string& message) {
  return {status, json_text({{"error", {{"status", status}, {"code", code}, {"message", message}}}})};
}

Api::Api(std::string db_path, int query_timeout_ms, std::shared_ptr<AnswerCache> cache)
    : path_(std::move(db_path)),
      timeout_ms_(query_timeout_ms),
      cache_(cache ? std::move(cache) : std::make_shared<AnswerCache>()) {
  open();
}

namespace {
int64_t steady_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}
}  // namespace

Api::~Api() = default;

void Api::open() {
  scanners_.reset();
  store_.reset();
  store_ = std::make_unique<ProbeStore>(path_, Access::read_only);
  scanners_ = std::make_unique<ScannerStore>(store_->db());
  complete_ = store_->db().has_table("probes") && store_->db().has_table("scanners");
  connection_ = cache_->new_connection();
  store_->db().set_interrupt_check([this] {
    if (steady_ms() <= deadline_ms_) return false;
    timed_out_ = true;
    return true;
  });
}

int Api::schema_version() { return schema::stored_version(store_->db()); }

Response Api::handle(const Request& req) {
  try {
    // Opened before a writer created the tables, the connection reads empty stand-ins of them: open again
    // until the file has them.
    if (!complete_) open();
    deadline_ms_ = steady_ms() + timeout_ms_;
    timed_out_ = false;
    ReadSnapshot snapshot(store_->db());  // every query of an answer sees one snapshot while `run` writes
    // Read first, so that it names the snapshot the answer reads.
    generation_ = cache_->generation(connection_, store_->db().data_version());
    return route(req);
  } catch (const BadRequest& b) {
    return error_response(b.status, b.code, b.message);
  } catch (const StoreError& e) {
    if (timed_out_)
      return error_response(503, "query_timeout",
                            fmt::format("the query ran over {} ms and was stopped; narrow it", timeout_ms_));
    return error_response(503, "database_unavailable", e.what());
  } catch (const std::exception& e) {
    return error_response(500, "internal_error", e.what());
  }
}

Response Api::route(const Request& req) {
  Db& db = store_->db();
  const std::string& path = req.path;
  if (path == "/v1/stats") {
    require_method(req, "GET");
    return ok(stats(db));
  }
  if (path == "/v1/search") {
    require_method(req, "GET");
    return ok(search(db, req));
  }
  if (path == "/v1/ip" || path == "/v1/ip/") {
    if (req.method == "POST") return ok(batch(db, req.body));
    require_method(req, "GET");
    const std::string* c = param(req, "cidr");
    if (!c) throw BadRequest{400, "bad_parameter", "GET /v1/ip needs ?cidr=PREFIX (or POST a list of ips)"};
    return ok(cidr_list(db, checked_cidr(*c), page_of(req)));
  }
  static const std::string kIp = "/v1/ip/", kOrg = "/v1/org/";
  if (path.starts_with(kIp)) {
    require_method(req, "GET");
    std::string rest = path.substr(kIp.size());
    if (rest.find('/') != std::string::npos) return ok(cidr_list(db, checked_cidr(rest), page_of(req)));
    const std::string ip = canonical_ip(rest);
    if (auto hit = cache_->find(ip, generation_)) return {200, *hit};
    Response res{200, ip_detail(db, *scanners_, ip)};
    cache_->put(ip, generation_, std::make_shared<const std::string>(res.body));
    return res;
  }
  if (path.starts_with(kOrg) && path.size() > kOrg.size()) {
    require_method(req, "GET");
    return ok(org_detail(db, path.substr(kOrg.size()), page_of(req)));
  }
  throw BadRequest{404, "no_such_route",
                   "no such route: see /v1/ip/{ip}, /v1/ip?cidr=, POST /v1/ip, /v1/org/{org}, /v1/search, /v1/stats"};
}

}  // namespace sg::serve
