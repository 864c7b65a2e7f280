#include "attribute/match_key.h"

#include <algorithm>
#include <set>
#include <string_view>

#include "features/feature_store.h"
#include "util/text.h"

namespace sg::attribute {

namespace {

// Fields that differ in every session of the same client, or are computed from other fields of the key.
const std::set<std::string_view> kNotMatched = {
    "random", "gmt_unix_time", "session_id",                         // tls per-session bytes (session_id_length stays)
    "id",                                                            // dns transaction id
    "ja3",    "ja4",           "hassh",      "header_names", "sig",  // functions of fields already in the key
};

// FNV-1a: stable across builds and platforms (std::hash is not), so a key means the same everywhere.
uint64_t fnv(std::string_view s, uint64_t h = 1469598103934665603ULL) {
  for (unsigned char c : s) h = (h ^ c) * 1099511628211ULL;
  return h;
}

uint64_t mix(uint64_t x) {  // splitmix64 finaliser
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// The sensor's own address in a Host header or SNI says which sensor was hit, not who scanned.
std::string without_sensor(std::string v, std::string_view dst) {
  if (dst.empty()) return v;
  for (size_t at = v.find(dst); at != std::string::npos; at = v.find(dst, at + 5)) v.replace(at, dst.size(), "{dst}");
  return v;
}

std::string value_label(const features::FieldSpec& f, const features::ProbeDoc& probe, Service s,
                        std::string_view dst) {
  features::FieldValue v = features::extract_field(f, probe, s);
  if (!v.present) return std::string(features::kAbsentToken);
  std::string name = f.name;
  if (name == "host" || name == "sni") return without_sensor(v.label, dst);
  return v.label;
}

// Fields whose value is a comma-separated list in wire order: a reordering keeps the coarse value.
const std::set<std::string_view> kListFields = {"accept",
                                                "accept_encoding",
                                                "header_order",
                                                "alpn",
                                                "ciphers",
                                                "compression_methods",
                                                "ec_point_formats",
                                                "extensions",
                                                "signature_algorithms",
                                                "supported_groups",
                                                "supported_versions",
                                                "compression_c2s",
                                                "encryption_c2s",
                                                "host_key_algorithms",
                                                "kex_algorithms",
                                                "mac_c2s",
                                                "edns_options",
                                                "options"};
// Text fields where digits are versions, counters or addresses rather than identity.
const std::set<std::string_view> kTextFields = {"user_agent", "header_values", "uri",    "host",         "sni",
                                                "banner",     "qname",         "cookie", "routing_token"};

std::string_view dst_of(const features::ProbeDoc& probe) {
  if (auto d = features::get_string(&probe.root(), "dst")) return *d;
  return {};
}

}  // namespace

std::string coarse_value(std::string_view field, std::string_view value) {
  if (kListFields.count(field)) {
    std::vector<std::string_view> items = split(value, ',');
    std::sort(items.begin(), items.end());
    std::string out;
    for (size_t i = 0; i < items.size(); ++i) (out += i ? "," : "") += items[i];
    return out;
  }
  if (!kTextFields.count(field)) return std::string(value);
  std::string out;
  for (char c : value) {
    bool digit = c >= '0' && c <= '9';
    if (!digit)
      out += c;
    else if (out.empty() || out.back() != '#')
      out += '#';
  }
  return out;
}

KeyMaker KeyMaker::payload(Db& db, Service s) {
  KeyMaker k;
  k.service_ = s;
  std::set<std::string> random;
  if (auto sel = features::load_selection(db, s))
    for (const auto& f : sel->ranking)
      if (f.random) random.insert(f.field);
  for (const auto& f : features::service_fields(s))
    if (!kNotMatched.count(f.name) && !random.count(f.name)) k.fields_.push_back(&f);
  return k;
}

KeyMaker KeyMaker::selected(Db& db, Service s) {
  KeyMaker k;
  k.service_ = s;
  if (auto sel = features::load_selection(db, s))
    for (const auto& name : sel->selected)
      if (const auto* f = features::find_field(s, name)) k.fields_.push_back(f);
  return k;
}

bool KeyMaker::field_hashes(const features::ProbeDoc& probe, std::vector<KeyHash>& out,
                            std::vector<KeyHash>* coarse) const {
  out.clear();
  if (coarse) coarse->clear();
  if (!probe.section(service_name(service_))) return false;
  std::string_view dst = dst_of(probe);
  for (const auto* f : fields_) {
    std::string v = value_label(*f, probe, service_, dst);
    out.push_back(fnv(v, fnv(f->name)));
    if (coarse) coarse->push_back(fnv(coarse_value(f->name, v), fnv(f->name)));
  }
  return true;
}

std::vector<std::string> KeyMaker::field_labels(const features::ProbeDoc& probe) const {
  std::vector<std::string> out;
  std::string_view dst = dst_of(probe);
  for (const auto* f : fields_) out.push_back(value_label(*f, probe, service_, dst));
  return out;
}

KeyHash whole_key(Service s, const std::vector<KeyHash>& h) {
  uint64_t k = mix(uint64_t(s) + 1);
  for (size_t i = 0; i < h.size(); ++i) k = mix(k ^ (h[i] + i * 0x632be59bd9b4e019ULL));
  return k;
}

KeyHash coarse_key(Service s, const std::vector<KeyHash>& coarse) {
  uint64_t k = mix((uint64_t(s) + 1) * 0xd6e8feb86659fd93ULL);
  for (size_t i = 0; i < coarse.size(); ++i) k = mix(k ^ (coarse[i] + i * 0x632be59bd9b4e019ULL));
  return k;
}

KeyHash key_without(Service s, const std::vector<KeyHash>& h, size_t skip) {
  uint64_t k = mix((uint64_t(s) + 1) * 0x9e3779b97f4a7c15ULL ^ (skip + 1) * 0xff51afd7ed558ccdULL);
  for (size_t i = 0; i < h.size(); ++i)
    if (i != skip) k = mix(k ^ (h[i] + i * 0x632be59bd9b4e019ULL));
  return k;
}

}  // namespace sg::attribute
