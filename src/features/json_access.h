// Read access to a stored probe (the export-contract JSON text, docs/FIELDS.md). Stored probes are parsed
// with RapidJSON's in-situ-free DOM because encoding must keep up with ingest; nlohmann::json is offered
// at the API edge only. Every getter tolerates a missing key or a wrong type: a hostile or older record
// yields "absent", never a crash.
#pragma once

#include <rapidjson/document.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace sg::features {

using JsonValue = rapidjson::Value;

// One parsed probe, reusable across probes. RapidJSON's pool allocator frees nothing until cleared, so a
// Document parsed into again and again would grow with every probe: each parse clears the pool first, and
// a fixed first block holds a typical probe without any allocation.
class ProbeDoc {
 public:
  ProbeDoc();
  ProbeDoc(ProbeDoc&&) noexcept = default;
  // Swapped, not member-wise moved: the block must outlive the pool and document that point into it.
  ProbeDoc& operator=(ProbeDoc&& o) noexcept {
    std::swap(block_, o.block_);
    std::swap(pool_, o.pool_);
    std::swap(doc_, o.doc_);
    return *this;
  }
  // false when the text is not a JSON object
  bool parse(std::string_view text);
  const JsonValue& root() const { return *doc_; }
  // The object named after the service ("http", "tls", ...), or nullptr.
  const JsonValue* section(const char* name) const;
  size_t pool_bytes() const { return pool_->Capacity(); }

 private:
  using Pool = rapidjson::MemoryPoolAllocator<>;
  static constexpr size_t kBlock = 16384;
  std::unique_ptr<char[]> block_;  // declared first: destroyed after the pool and the document using it
  std::unique_ptr<Pool> pool_;
  std::unique_ptr<rapidjson::Document> doc_;
};

const JsonValue* member(const JsonValue* obj, const char* key);
std::optional<std::string_view> get_string(const JsonValue* obj, const char* key);
std::optional<uint64_t> get_uint(const JsonValue* obj, const char* key);  // bools read as 0/1
const JsonValue* get_array(const JsonValue* obj, const char* key);

}  // namespace sg::features
