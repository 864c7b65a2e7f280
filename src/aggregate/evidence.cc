#include "aggregate/evidence.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <vector>

namespace sg::agg {

namespace {

// (object, key, evidence kind): the fields that tell scanners apart in practice.
struct Source {
  const char* object;
  const char* key;
  const char* kind;
};
constexpr Source kSources[] = {
    {"http", "user_agent", "user_agents"}, {"http", "uri", "uris"},        {"tls", "ja3_hash", "ja3_hashes"},
    {"tls", "ja4", "ja4s"},                {"tls", "sni", "snis"},         {"dns", "qname", "qnames"},
    {"ssh", "banner", "ssh_banners"},      {"ssh", "hassh", "hasshes"},
};

}  // namespace

void Evidence::add(const char* kind, const std::string& value) {
  auto& counts = values_[kind];
  // An ip that sends thousands of distinct URIs must not grow memory without bound.
  if (counts.size() >= 256 && !counts.count(value)) return;
  ++counts[value];
}

void Evidence::add_probe(const nlohmann::json& probe) {
  for (const auto& src : kSources) {
    auto obj = probe.find(src.object);
    if (obj == probe.end() || !obj->is_object()) continue;
    auto v = obj->find(src.key);
    if (v == obj->end() || !v->is_string() || v->get_ref<const std::string&>().empty()) continue;
    add(src.kind, v->get<std::string>());
  }
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

}  // namespace sg::agg
