// The field registry: every probe field of docs/FIELDS.md, per service, with its kind, tokenisation and
// width (docs/METHOD.md). Selection ranks these fields; the encoder lays them out.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "features/json_access.h"
#include "probe/probe.h"

namespace sg::features {

// option: a set of tokens, one cell per known token (255 present, 0 not), "absent" is a token of its own.
// string: the first `width` bytes as byte values. integer: `width` bits, most significant first, 1 → 255;
// values too large for the width saturate.
enum class FieldKind : uint8_t { option, string, integer };
const char* kind_name(FieldKind k);

constexpr const char* kAbsentToken = "absent";

// One field's value in one probe.
struct FieldValue {
  bool present = false;
  std::vector<std::string> tokens;  // option (without "absent": the encoder adds it when !present)
  std::string bytes;                // string (the whole value; the encoder takes `width` bytes)
  uint64_t number = 0;              // integer
  // The whole value as one category, for label encoding in the mutual-information ranking (a list in
  // wire order, the raw User-Agent, the full URI...). Empty with present=false means absent.
  std::string label;
};

// Reads the field from the service section (probe["http"], ...) and the whole probe (for "syn").
using Extractor = std::function<void(const JsonValue* section, const JsonValue& probe, FieldValue& out)>;

struct FieldSpec {
  const char* name;
  FieldKind kind;
  int width;  // string: bytes; integer: bits; option: 0 (the vocabulary decides)
  // The export-contract keys (docs/FIELDS.md) this field reads, e.g. "http.headers".
  std::vector<const char*> sources;
  const char* tokens;  // how the value becomes tokens, for --help and reports
  Extractor extract;
  bool dns_header = false;  // part of the DNS header (the paper's fixed DNS selection)
};

// Fields of a service, in alphabetical order of name; empty for Service::other.
const std::vector<FieldSpec>& service_fields(Service s);
const FieldSpec* find_field(Service s, const std::string& name);

// Reads one field of a parsed probe; absent when the probe lacks the service section.
FieldValue extract_field(const FieldSpec& f, const ProbeDoc& probe, Service s);

// Services with a registry (all but `other`).
const std::vector<Service>& feature_services();

}  // namespace sg::features
