// The encoding layout (docs/METHOD.md): which cell of the image holds which token, byte or bit. A schema is
// versioned: version n+1 of an incremental schema only appends cells, so an image encoded under version n
// is a prefix of the same probe's image under n+1 (positions never move).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "features/registry.h"

namespace sg::features {

enum class SchemaMode : uint8_t { full, incremental };
const char* mode_name(SchemaMode m);
SchemaMode mode_from_name(std::string_view s);  // throws std::invalid_argument

enum class CellKind : uint8_t { token, byte, bit };

struct Cell {
  uint16_t field = 0;  // index into Schema::fields
  CellKind kind = CellKind::token;
  uint16_t index = 0;  // byte: byte offset; bit: bit number, 0 = most significant
  std::string token;   // token cells only
  bool operator==(const Cell&) const = default;
};

struct SchemaField {
  std::string name;
  FieldKind kind = FieldKind::option;
  int width = 0;
  bool operator==(const SchemaField&) const = default;
};

struct Schema {
  Service service = Service::http;
  int version = 1;
  SchemaMode mode = SchemaMode::full;
  int side = 0;                     // images are side × side, zero padded after the last cell
  std::vector<SchemaField> fields;  // alphabetical
  std::vector<Cell> cells;          // position = index
  int capacity() const { return side * side; }
  bool operator==(const Schema&) const = default;
};

struct LayoutRules {
  uint64_t min_count = 10;  // tokens seen in fewer probes are left out
  size_t cap = 1024;        // cells at most (the most frequent tokens are kept)
};

// Probes carrying each token of each option field over a window ("absent" included).
struct TokenCounts {
  std::vector<std::string> fields;                      // alphabetical, as in the schema
  std::vector<std::map<std::string, uint64_t>> counts;  // parallel to fields; empty for string/integer
  uint64_t probes = 0;
};

struct LayoutReport {
  size_t tokens_kept = 0;
  size_t below_min_count = 0;  // distinct tokens under min_count
  size_t over_cap = 0;         // tokens at or above min_count that did not fit (cap or full canvas)
};

// The incremental canvas: 32×32, 16×16 for DNS.
int canvas_side(Service s);

// Version 1: fields alphabetical, each field's cells together, tokens by descending frequency (ties by
// token). Full mode: side ⌈√cells⌉; incremental: the fixed canvas. Throws std::invalid_argument when the
// fixed-width fields alone do not fit.
Schema build_schema(Service s, const TokenCounts& counts, SchemaMode mode, const LayoutRules& rules,
                    LayoutReport* report = nullptr);

// Version n+1 of an incremental schema: tokens at or above min_count that it lacks are appended at the
// tail, most frequent first, while the canvas has room; the rest are dropped and counted in the report.
Schema grow(const Schema& old, const TokenCounts& counts, const LayoutRules& rules, LayoutReport& report);

std::string schema_to_json(const Schema& s);
Schema schema_from_json(std::string_view text);  // throws std::invalid_argument

}  // namespace sg::features
