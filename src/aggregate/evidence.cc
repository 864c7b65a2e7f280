#include "aggregate/evidence.h"

#include <rapidjson/document.h>
#include <algorithm>
#include <nlohmann/json.hpp>
#include <vector>

#include "util/bytes.h"

namespace sg::aggregate {

namespace {

// (object, key, evidence kind): the fields that tell scanners apart in practice.
struct Source {
  const char* object;
  const char* key;
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
  // An ip that sends thousands of distinct URIs must not grow memory without bound.
  if (counts.size() >= 256 && !counts.count(value)) return;
  ++counts[value];
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
    auto obj = probe.find(src.object);
    if (obj == probe.end() || !obj->is_object()) continue;
    auto v = obj->find(src.key);
    if (v == obj->end() || !v->is_string() || v->get_ref<const std::string&>().empty()) continue;
    add(src.kind, v->get<std::string>());
  }
}

bool Evidence::add_probe_text(std::string_view text) {
  rapidjson::Document d;
  d.Parse<rapidjson::kParseValidateEncodingFlag>(text.data(), text.size());
  if (d.HasParseError() || !d.IsObject()) return false;
  auto string_of = [](const rapidjson::Value& obj, const char* key) -> const rapidjson::Value* {
    auto it = obj.FindMember(key);
    return it != obj.MemberEnd() && it->value.IsString() ? &it->value : nullptr;
  };
  auto port = d.FindMember("dport");
  const rapidjson::Value* transport = string_of(d, "transport");
  if (port != d.MemberEnd() && (port->value.IsInt64() || port->value.IsUint64()) && transport)
    add("ports", std::string(transport->GetString(), transport->GetStringLength()) + "/" +
                     std::to_string(port->value.IsInt64() ? port->value.GetInt64()
                                                          : static_cast<int64_t>(port->value.GetUint64())));
  auto other = d.FindMember("other");
  if (other != d.MemberEnd() && other->value.IsObject())
    if (const auto* head = string_of(other->value, "head"); head && head->GetStringLength() > 0)
      add("payloads", payload_preview(std::string(head->GetString(), head->GetStringLength())));
  for (const auto& src : kSources) {
    auto obj = d.FindMember(src.object);
    if (obj == d.MemberEnd() || !obj->value.IsObject()) continue;
    const rapidjson::Value* v = string_of(obj->value, src.key);
    if (!v || v->GetStringLength() == 0) continue;
    add(src.kind, std::string(v->GetString(), v->GetStringLength()));
  }
  return true;
}

std::string Evidence::to_json(size_t top) const {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [kind, counts] : values_) {
    std::vector<std::pair<std::string, int>> v(counts.begin(), counts.end());
    std::stable_sort(v.begin(), v.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
    if (v.size() > top) v.resize(top);
    nlohmann::json arr = nlohmann::json::array();
    for (const auto& [value, n] : v) arr.push_back({value, n});
    out[kind] = std::move(arr);
  }
  return out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace sg::aggregate
