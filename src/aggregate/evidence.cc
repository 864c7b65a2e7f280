#include "aggregate/evidence.h"

#include <rapidjson/encodedstream.h>
#include <rapidjson/memorystream.h>
#include <rapidjson/reader.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <nlohmann/json.hpp>
#include <vector>

#include "util/bytes.h"

namespace sg::aggregate {

namespace {

// (object, key, evidence kind): the fields that tell scanners apart in practice.
struct Source {
  std::string_view object, key;  // literals: data() is null-terminated
  const char* kind;
};
constexpr Source kSources[] = {
    {"http", "user_agent", "user_agents"},
    {"http", "uri", "uris"},
    {"tls", "ja3_hash", "ja3_hashes"},
    {"tls", "ja4", "ja4s"},
    {"tls", "sni", "snis"},
    {"dns", "qname", "qnames"},
    {"ssh", "banner", "ssh_banners"},
    {"ssh", "hassh", "hasshes"},
    {"rdp", "cookie", "rdp_cookies"},
    {"syn", "sig", "tcp_signatures"},
};

}  // namespace

void Evidence::add(const char* kind, const std::string& value) {
  auto& counts = values_[kind];
  auto it = counts.lower_bound(value);
  if (it == counts.end() || it->first != value) {
    // An ip that sends thousands of distinct URIs must not grow memory without bound.
    if (counts.size() >= 256) return;
    it = counts.emplace_hint(it, value, 0);
  }
  ++it->second;
}

std::string payload_preview(const std::string& hex_head, size_t max_bytes) {
  std::string bytes = from_hex_prefix(hex_head, max_bytes);
  bool text = !bytes.empty();
  for (unsigned char c : bytes) text &= (c >= 0x20 && c < 0x7f) || c == '\r' || c == '\n' || c == '\t';
  if (!text) return "hex:" + hex_head.substr(0, std::min(hex_head.size(), 2 * bytes.size()));
  std::string out;
  for (char c : bytes) out += c == '\r' ? "\\r" : c == '\n' ? "\\n" : c == '\t' ? "\\t" : std::string(1, c);
  return out;
}

void Evidence::add_probe(const nlohmann::json& probe) {
  auto port = probe.find("dport");
  auto transport = probe.find("transport");
  if (port != probe.end() && port->is_number_integer() && transport != probe.end() && transport->is_string())
    add("ports", transport->get<std::string>() + "/" + std::to_string(port->get<int64_t>()));
  auto other = probe.find("other");
  if (other != probe.end() && other->is_object()) {
    auto head = other->find("head");
    if (head != other->end() && head->is_string() && !head->get_ref<const std::string&>().empty())
      add("payloads", payload_preview(head->get<std::string>()));
  }
  for (const auto& src : kSources) {
    auto obj = probe.find(src.object.data());
    if (obj == probe.end() || !obj->is_object()) continue;
    auto v = obj->find(src.key.data());
    if (v == obj->end() || !v->is_string() || v->get_ref<const std::string&>().empty()) continue;
    add(src.kind, v->get<std::string>());
  }
}

namespace {

// The fields add_probe_text keeps, read from RapidJSON's SAX events while its reader checks the whole text
// (the same checks as parsing into a Document, without building one: a lookup reads up to 1000 probes).
// Like Document::FindMember, only the first member of a name counts, whatever its type.
class FieldReader : public rapidjson::BaseReaderHandler<rapidjson::UTF8<>, FieldReader> {
 public:
  // Top-level members: dport, transport, then the objects whose string members are kept.
  enum Top { kDport, kTransport, kOther, kFirstObject };
  struct Field {
    bool seen = false, present = false;
    std::string value;
  };
  int64_t dport = 0;
  bool dport_int = false;
  Field transport, head;  // other.head
  Field source[std::size(kSources)];
  bool root_object = false;

  bool Null() { return scalar(nullptr); }
  bool Bool(bool) { return scalar(nullptr); }
  bool Int(int v) { return integer(v); }
  bool Uint(unsigned v) { return integer(v); }
  bool Int64(int64_t v) { return integer(v); }
  bool Uint64(uint64_t v) { return integer(static_cast<int64_t>(v)); }
  bool Double(double) { return scalar(nullptr); }
  bool RawNumber(const char*, rapidjson::SizeType, bool) { return scalar(nullptr); }
  bool String(const char* s, rapidjson::SizeType n, bool) {
    std::string_view v(s, n);
    return scalar(&v);
  }
  bool StartObject() {
    if (depth_ == 0) root_object = true;
    if (depth_ == 1 && pending_top_ >= kOther) object_ = pending_top_;
    start_value();
    ++depth_;
    return true;
  }
  bool Key(const char* s, rapidjson::SizeType n, bool) {
    std::string_view k(s, n);
    if (depth_ == 1) {
      pending_top_ = top_of(k);
      if (pending_top_ >= 0 && top_seen_[pending_top_]) pending_top_ = -1;
    } else if (depth_ == 2 && object_ >= 0) {
      pending_member_ = member_of(k);
    }
    return true;
  }
  bool EndObject(rapidjson::SizeType) { return end(); }
  bool StartArray() {
    start_value();
    ++depth_;
    return true;
  }
  bool EndArray(rapidjson::SizeType) { return end(); }

 private:
  // The top-level id of a member name: kDport, kTransport, kOther, kFirstObject + i for the first source i
  // of that object name; -1 for names nothing reads.
  static int top_of(std::string_view k) {
    if (k == "dport") return kDport;
    if (k == "transport") return kTransport;
    if (k == "other") return kOther;
    for (size_t i = 0; i < std::size(kSources); ++i)
      if (k == kSources[i].object) return kFirstObject + int(i);
    return -1;
  }
  // Within object_ (a top-level id): the field a member name fills, or nullptr.
  Field* member_of(std::string_view k) {
    Field* f = nullptr;
    if (object_ == kOther) {
      if (k == "head") f = &head;
    } else {
      const std::string_view object = kSources[object_ - kFirstObject].object;
      for (size_t i = 0; i < std::size(kSources); ++i)
        if (kSources[i].object == object && kSources[i].key == k) f = &source[i];
    }
    return f && !f->seen ? f : nullptr;
  }
  // A value (scalar or container) starts at the current depth: the member it belongs to has had its first.
  void start_value() {
    if (depth_ == 1 && pending_top_ >= 0) top_seen_[pending_top_] = true;
    if (depth_ == 1) pending_top_ = -1;
    if (depth_ == 2 && pending_member_) pending_member_->seen = true;
    if (depth_ == 2) pending_member_ = nullptr;
  }
  bool scalar(const std::string_view* text) {
    if (depth_ == 1 && pending_top_ == kTransport && text) {
      transport.present = true;
      transport.value.assign(*text);
    }
    if (depth_ == 2 && pending_member_ && text) {
      pending_member_->present = true;
      pending_member_->value.assign(*text);
    }
    start_value();
    return true;
  }
  bool integer(int64_t v) {
    if (depth_ == 1 && pending_top_ == kDport) {
      dport = v;
      dport_int = true;
    }
    return scalar(nullptr);
  }
  bool end() {
    --depth_;
    if (depth_ == 1) object_ = -1;
    return true;
  }

  int depth_ = 0;
  int pending_top_ = -1;  // at depth 1: the id of the member whose value comes next, if it is its first
  int object_ = -1;       // at depth 2: the id of the top-level object being read, if it is its first
  Field* pending_member_ = nullptr;
  bool top_seen_[kFirstObject + std::size(kSources)] = {};
};

}  // namespace

namespace {

// Whether every byte is ASCII (then the text is valid UTF-8), eight bytes at a time.
bool all_ascii(std::string_view s) {
  uint64_t any = 0;
  size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    uint64_t w;
    std::memcpy(&w, s.data() + i, 8);
    any |= w;
  }
  for (; i < s.size(); ++i) any |= static_cast<unsigned char>(s[i]);
  return (any & 0x8080808080808080ULL) == 0;
}

template <unsigned Flags>
bool parse_fields(std::string_view text, FieldReader& f) {
  rapidjson::Reader reader;
  rapidjson::MemoryStream ms(text.data(), text.size());
  rapidjson::EncodedInputStream<rapidjson::UTF8<>, rapidjson::MemoryStream> is(ms);
  return !reader.Parse<Flags>(is, f).IsError();
}

}  // namespace

bool Evidence::add_probe_text(std::string_view text) {
  FieldReader f;
  // The reader's UTF-8 check goes character by character (a sixth of a `serve` lookup's CPU); stored probes
  // are nearly always ASCII, which needs no check. Any other text is checked as before.
  const bool ok = all_ascii(text) ? parse_fields<rapidjson::kParseDefaultFlags>(text, f)
                                  : parse_fields<rapidjson::kParseValidateEncodingFlag>(text, f);
  if (!ok || !f.root_object) return false;
  if (f.dport_int && f.transport.present) add("ports", f.transport.value + "/" + std::to_string(f.dport));
  if (f.head.present && !f.head.value.empty()) add("payloads", payload_preview(f.head.value));
  for (size_t i = 0; i < std::size(kSources); ++i)
    if (f.source[i].present && !f.source[i].value.empty()) add(kSources[i].kind, f.source[i].value);
  return true;
}

std::vector<std::pair<std::string, Evidence::Values>> Evidence::top_values(size_t top) const {
  std::vector<std::pair<std::string, Values>> out;
  out.reserve(values_.size());
  for (const auto& [kind, counts] : values_) {
    Values v(counts.begin(), counts.end());
    // Most frequent first, ties in value order (the map's): only the first `top` are sorted.
    const size_t keep = std::min(top, v.size());
    std::partial_sort(v.begin(), v.begin() + keep, v.end(), [](const auto& a, const auto& b) {
      return a.second != b.second ? a.second > b.second : a.first < b.first;
    });
    v.resize(keep);
    out.emplace_back(kind, std::move(v));
  }
  return out;
}

std::string Evidence::to_json(size_t top) const {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [kind, v] : top_values(top)) {
    nlohmann::json arr = nlohmann::json::array();
    for (const auto& [value, n] : v) arr.push_back({value, n});
    out[kind] = std::move(arr);
  }
  return out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace sg::aggregate
