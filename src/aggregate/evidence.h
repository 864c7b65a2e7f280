// What an analyst checks an attribution against: the distinctive values an ip sent (user agents, URIs,
// ja3/ja4, SNI, DNS names, SSH banners, HASSH), with counts. Built from the stored probe JSON.
#pragma once

#include <map>
#include <string>

#include <nlohmann/json_fwd.hpp>

namespace sg::agg {

class Evidence {
 public:
  void add_probe(const nlohmann::json& probe);
  // JSON object kind → [[value, count], ...], most frequent first, at most `top` values per kind.
  std::string to_json(size_t top = 5) const;
  bool empty() const { return values_.empty(); }

 private:
  void add(const char* kind, const std::string& value);
  std::map<std::string, std::map<std::string, int>> values_;
};

}  // namespace sg::agg
