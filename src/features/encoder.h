// Encoder: one probe → one grey image laid out by a schema (docs/METHOD.md). Plain bytes, no model code:
// the model stage turns them into tensors (and replicates the channel) itself.
#pragma once

#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "features/schema.h"

namespace sg::features {

struct DecodedField {
  std::string name;
  FieldKind kind = FieldKind::option;
  std::vector<std::string> tokens;  // option: tokens whose cell is lit, in layout order
  std::string bytes;                // string: the encoded prefix, trailing zero bytes removed
  uint64_t number = 0;              // integer
};

class Encoder {
 public:
  explicit Encoder(Schema schema);  // throws std::invalid_argument for a field the registry lacks
  const Schema& schema() const { return schema_; }
  int side() const { return schema_.side; }
  size_t cells_per_probe() const { return size_t(schema_.side) * size_t(schema_.side); }

  // Writes cells_per_probe() bytes: 255 or 0 for tokens and bits, byte values for strings, 0 padding; a
  // field a log's probe could not carry is "absent" (0xFF string cells, 128 bit cells; encoder.cc).
  void encode(const ProbeDoc& probe, uint8_t* out) const;
  std::vector<uint8_t> encode(const ProbeDoc& probe) const;
  // The stored JSON text; false (out untouched) when it is not a JSON object. `scratch` is reused.
  bool encode_text(std::string_view json, ProbeDoc& scratch, uint8_t* out) const;
  // Convenience for callers holding nlohmann::json (slower: the object is serialised and re-parsed).
  std::vector<uint8_t> encode(const nlohmann::json& probe) const;

  // Reads an image back into field values (the inverse of encode, up to what the layout keeps).
  std::vector<DecodedField> decode(const uint8_t* cells) const;

 private:
  struct Plan {
    const FieldSpec* spec = nullptr;
    std::unordered_map<std::string, uint32_t> tokens;  // token → cell
    std::vector<uint32_t> slots;                       // byte i / bit i → cell (UINT32_MAX: not laid out)
  };
  Schema schema_;
  std::vector<Plan> plans_;
};

}  // namespace sg::features
