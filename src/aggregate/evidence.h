// What an analyst checks an attribution against: the distinctive values an ip sent (user agents, URIs,
// ja3/ja4, SNI, DNS names, SSH banners, HASSH, RDP cookies), the ports it probed, its TCP SYN signatures and
// the opening bytes of payloads no analyzer parses (Stretchoid's "MGLNDD_..." says more than any port),
// with counts. Built from the stored probe JSON.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace sg::aggregate {

class Evidence {
 public:
  void add_probe(const nlohmann::json& probe);
  // The same from a probe's stored JSON text, read with RapidJSON (several times faster than building an
  // nlohmann tree; a lookup reads up to 1000 probes). False, and nothing added, for text that is not a
  // JSON object (invalid UTF-8 included, as nlohmann refuses it).
  bool add_probe_text(std::string_view text);
  // Per kind (ascending): its values, most frequent first (ties by value), at most `top` of them.
  using Values = std::vector<std::pair<std::string, int>>;
  std::vector<std::pair<std::string, Values>> top_values(size_t top) const;
  // JSON object kind → [[value, count], ...]: top_values as text.
  std::string to_json(size_t top = 5) const;
  bool empty() const { return values_.empty(); }

 private:
  void add(const char* kind, const std::string& value);
  std::map<std::string, std::map<std::string, int>> values_;
};

// The first bytes of an unparsed payload for people: text when it is printable (\r \n \t escaped), else
// hex; at most `max_bytes` of the hex head.
std::string payload_preview(const std::string& hex_head, size_t max_bytes = 32);

}  // namespace sg::aggregate
