#include "features/encoder.h"

#include <fmt/format.h>

#include <cstring>
#include <nlohmann/json.hpp>
#include <stdexcept>

namespace sg::features {

namespace {
constexpr uint32_t kNoCell = UINT32_MAX;
constexpr uint8_t kOn = 255;

// A field a log-sourced probe's source cannot carry (its export keys are left out: docs/FIELDS.md, "Probes
// from logs") is written as "absent", never as the zero or empty value a capture's (or a sensor's) probe would have:
// string cells 0xFF (a byte valid UTF-8 never holds, and the export writes only valid UTF-8), bit cells 128 (bits are
// otherwise 0 or 255). Option fields have their own "absent" token. A capture's probe carries every key, so
// its images are unchanged.
constexpr uint8_t kAbsentByte = 0xff;
constexpr uint8_t kAbsentBit = 128;

bool not_carried(const FieldSpec& spec, const ProbeDoc& probe) {
  auto source = get_string(&probe.root(), "source");
  if (!source || *source == "pcap" || *source == "sensor") return false;  // both carry every key
  for (const char* key : spec.sources) {
    std::string_view k(key);
    const size_t dot = k.find('.');
    if (dot == std::string_view::npos) return false;
    const std::string section(k.substr(0, dot)), name(k.substr(dot + 1));
    const JsonValue* sec = member(&probe.root(), section.c_str());
    if (sec && member(sec, name.c_str())) return false;  // carried (maybe empty)
  }
  return true;
}
}  // namespace

Encoder::Encoder(Schema schema) : schema_(std::move(schema)) {
  if (schema_.cells.size() > cells_per_probe())
    throw std::invalid_argument("schema has more cells than its side allows");
  for (const SchemaField& f : schema_.fields) {
    Plan p;
    p.spec = find_field(schema_.service, f.name);
    if (!p.spec || p.spec->kind != f.kind)
      throw std::invalid_argument(
          fmt::format("schema field {}.{} is not in the registry", service_name(schema_.service), f.name));
    p.slots.assign(size_t(f.width), kNoCell);
    plans_.push_back(std::move(p));
  }
  for (uint32_t pos = 0; pos < schema_.cells.size(); ++pos) {
    const Cell& c = schema_.cells[pos];
    Plan& p = plans_.at(c.field);
    if (c.kind == CellKind::token)
      p.tokens.emplace(c.token, pos);
    else if (c.index < p.slots.size())
      p.slots[c.index] = pos;
    else
      throw std::invalid_argument(fmt::format("schema cell {} is outside its field's width", pos));
  }
}

void Encoder::encode(const ProbeDoc& probe, uint8_t* out) const {
  std::memset(out, 0, cells_per_probe());
  for (size_t f = 0; f < plans_.size(); ++f) {
    const Plan& p = plans_[f];
    FieldValue v = extract_field(*p.spec, probe, schema_.service);
    switch (p.spec->kind) {
      case FieldKind::option:
        if (!v.present) {
          if (auto it = p.tokens.find(kAbsentToken); it != p.tokens.end()) out[it->second] = kOn;
          break;
        }
        for (const std::string& t : v.tokens)
          if (auto it = p.tokens.find(t); it != p.tokens.end()) out[it->second] = kOn;
        break;
      case FieldKind::string:
        if (!v.present && not_carried(*p.spec, probe)) {
          for (uint32_t cell : p.slots)
            if (cell != kNoCell) out[cell] = kAbsentByte;
          break;
        }
        for (size_t i = 0; i < p.slots.size() && i < v.bytes.size(); ++i)
          if (p.slots[i] != kNoCell) out[p.slots[i]] = static_cast<uint8_t>(v.bytes[i]);
        break;
      case FieldKind::integer: {
        if (!v.present && not_carried(*p.spec, probe)) {
          for (uint32_t cell : p.slots)
            if (cell != kNoCell) out[cell] = kAbsentBit;
          break;
        }
        const size_t w = p.slots.size();
        uint64_t max = w >= 64 ? UINT64_MAX : (uint64_t(1) << w) - 1;
        uint64_t n = v.number > max ? max : v.number;
        for (size_t i = 0; i < w; ++i)
          if (p.slots[i] != kNoCell && ((n >> (w - 1 - i)) & 1)) out[p.slots[i]] = kOn;
        break;
      }
    }
  }
}

std::vector<uint8_t> Encoder::encode(const ProbeDoc& probe) const {
  std::vector<uint8_t> out(cells_per_probe());
  encode(probe, out.data());
  return out;
}

bool Encoder::encode_text(std::string_view json, ProbeDoc& scratch, uint8_t* out) const {
  if (!scratch.parse(json)) return false;
  encode(scratch, out);
  return true;
}

std::vector<uint8_t> Encoder::encode(const nlohmann::json& probe) const {
  ProbeDoc doc;
  if (!doc.parse(probe.dump())) throw std::invalid_argument("a probe must be a JSON object");
  return encode(doc);
}

std::vector<DecodedField> Encoder::decode(const uint8_t* cells) const {
  std::vector<DecodedField> out;
  for (const SchemaField& f : schema_.fields)
    out.push_back({f.name, f.kind, {}, std::string(size_t(f.kind == FieldKind::string ? f.width : 0), '\0'), 0});
  for (uint32_t pos = 0; pos < schema_.cells.size(); ++pos) {
    const Cell& c = schema_.cells[pos];
    DecodedField& d = out[c.field];
    if (c.kind == CellKind::token && cells[pos])
      d.tokens.push_back(c.token);
    else if (c.kind == CellKind::byte)
      d.bytes[c.index] = static_cast<char>(cells[pos]);
    else if (c.kind == CellKind::bit && cells[pos])
      d.number |= uint64_t(1) << (schema_.fields[c.field].width - 1 - c.index);
  }
  for (DecodedField& d : out)
    while (!d.bytes.empty() && d.bytes.back() == '\0') d.bytes.pop_back();
  return out;
}

}  // namespace sg::features
