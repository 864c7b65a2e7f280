// Read access to a stored probe (the export-contract JSON text, DESIGN.md §2). Stored probes are parsed
// with RapidJSON's in-situ-free DOM because encoding must keep up with ingest; nlohmann::json is offered
// at the API edge only. Every getter tolerates a missing key or a wrong type: a hostile or older record
// yields "absent", never a crash.
#pragma once

#include <rapidjson/document.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sg::features {

using JsonValue = rapidjson::Value;

// One parsed probe, reusable across probes so the allocator's blocks are recycled.
class ProbeDoc {
 public:
  // false when the text is not a JSON object
  bool parse(std::string_view text);
  const JsonValue& root() const { return doc_; }
  // The object named after the service ("http", "tls", ...), or nullptr.
  const JsonValue* section(const char* name) const;

 private:
  rapidjson::Document doc_;
};

const JsonValue* member(const JsonValue* obj, const char* key);
std::optional<std::string_view> get_string(const JsonValue* obj, const char* key);
std::optional<uint64_t> get_uint(const JsonValue* obj, const char* key);  // bools read as 0/1
const JsonValue* get_array(const JsonValue* obj, const char* key);

}  // namespace sg::features
