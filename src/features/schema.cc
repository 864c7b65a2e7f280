#include "features/schema.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <stdexcept>

namespace sg::features {

const char* mode_name(SchemaMode m) { return m == SchemaMode::full ? "full" : "incremental"; }

SchemaMode mode_from_name(std::string_view s) {
  if (s == "full") return SchemaMode::full;
  if (s == "incremental") return SchemaMode::incremental;
  throw std::invalid_argument(fmt::format("unknown schema mode '{}'", s));
}

int canvas_side(Service s) { return s == Service::dns ? 16 : 32; }

namespace {

struct Candidate {
  uint16_t field;
  std::string token;
  uint64_t count;
};

// Most frequent first; ties by field then token, so the layout does not depend on hash order.
void sort_candidates(std::vector<Candidate>& c) {
  std::sort(c.begin(), c.end(), [](const Candidate& a, const Candidate& b) {
    if (a.count != b.count) return a.count > b.count;
    if (a.field != b.field) return a.field < b.field;
    return a.token < b.token;
  });
}

std::vector<Candidate> candidates(const TokenCounts& counts, const LayoutRules& rules, LayoutReport& report,
                                  const std::vector<std::vector<std::string>>* known) {
  std::vector<Candidate> out;
  for (size_t f = 0; f < counts.counts.size(); ++f)
    for (const auto& [token, n] : counts.counts[f]) {
      if (known && std::find((*known)[f].begin(), (*known)[f].end(), token) != (*known)[f].end()) continue;
      if (n < rules.min_count) {
        ++report.below_min_count;
        continue;
      }
      out.push_back({uint16_t(f), token, n});
    }
  sort_candidates(out);
  return out;
}

std::vector<SchemaField> schema_fields(Service s, const std::vector<std::string>& names) {
  std::vector<SchemaField> out;
  for (const std::string& n : names) {
    const FieldSpec* f = find_field(s, n);
    if (!f) throw std::invalid_argument(fmt::format("{} has no field '{}'", service_name(s), n));
    out.push_back({n, f->kind, f->width});
  }
  if (!std::is_sorted(out.begin(), out.end(), [](auto& a, auto& b) { return a.name < b.name; }))
    throw std::invalid_argument("schema fields must be in alphabetical order");
  return out;
}

}  // namespace

Schema build_schema(Service s, const TokenCounts& counts, SchemaMode mode, const LayoutRules& rules,
                    LayoutReport* report) {
  LayoutReport local;
  LayoutReport& r = report ? *report : local;
  Schema out;
  out.service = s;
  out.mode = mode;
  out.fields = schema_fields(s, counts.fields);
  size_t fixed = 0;
  for (const SchemaField& f : out.fields)
    if (f.kind != FieldKind::option) fixed += size_t(f.width);
  size_t room =
      mode == SchemaMode::incremental ? std::min(rules.cap, size_t(canvas_side(s) * canvas_side(s))) : rules.cap;
  if (fixed > room)
    throw std::invalid_argument(fmt::format("{}: the fixed-width fields need {} cells, more than the {} allowed",
                                            service_name(s), fixed, room));
  std::vector<Candidate> cand = candidates(counts, rules, r, nullptr);
  if (cand.size() > room - fixed) {
    r.over_cap += cand.size() - (room - fixed);
    cand.resize(room - fixed);
  }
  r.tokens_kept += cand.size();
  // cand is by descending frequency, so the per-field pass below keeps that order within each field
  for (size_t f = 0; f < out.fields.size(); ++f) {
    const SchemaField& sf = out.fields[f];
    if (sf.kind == FieldKind::option) {
      for (const Candidate& c : cand)
        if (c.field == f) out.cells.push_back({uint16_t(f), CellKind::token, 0, c.token});
    } else {
      for (int i = 0; i < sf.width; ++i)
        out.cells.push_back(
            {uint16_t(f), sf.kind == FieldKind::string ? CellKind::byte : CellKind::bit, uint16_t(i), {}});
    }
  }
  out.side = mode == SchemaMode::incremental ? canvas_side(s)
                                             : std::max(1, int(std::ceil(std::sqrt(double(out.cells.size())))));
  while (mode == SchemaMode::full && size_t(out.side) * size_t(out.side) < out.cells.size()) ++out.side;
  return out;
}

Schema grow(const Schema& old, const TokenCounts& counts, const LayoutRules& rules, LayoutReport& report) {
  if (old.mode != SchemaMode::incremental) throw std::invalid_argument("only an incremental schema grows");
  std::vector<std::string> names;
  for (const SchemaField& f : old.fields) names.push_back(f.name);
  if (names != counts.fields) throw std::invalid_argument("token counts are for other fields than the schema's");
  std::vector<std::vector<std::string>> known(old.fields.size());
  for (const Cell& c : old.cells)
    if (c.kind == CellKind::token) known[c.field].push_back(c.token);
  Schema next = old;
  next.version = old.version + 1;
  size_t room = std::min(rules.cap, size_t(old.capacity()));
  for (const Candidate& c : candidates(counts, rules, report, &known)) {
    if (next.cells.size() >= room) {
      ++report.over_cap;
      continue;
    }
    next.cells.push_back({c.field, CellKind::token, 0, c.token});
    ++report.tokens_kept;
  }
  return next;
}

std::string schema_to_json(const Schema& s) {
  nlohmann::json j;
  j["service"] = service_name(s.service);
  j["version"] = s.version;
  j["mode"] = mode_name(s.mode);
  j["side"] = s.side;
  j["fields"] = nlohmann::json::array();
  for (const SchemaField& f : s.fields)
    j["fields"].push_back({{"name", f.name}, {"kind", kind_name(f.kind)}, {"width", f.width}});
  j["cells"] = nlohmann::json::array();
  for (const Cell& c : s.cells) {
    if (c.kind == CellKind::token)
      j["cells"].push_back({c.field, "t", c.token});
    else
      j["cells"].push_back({c.field, c.kind == CellKind::byte ? "b" : "i", c.index});
  }
  return j.dump();
}

Schema schema_from_json(std::string_view text) {
  try {
    nlohmann::json j = nlohmann::json::parse(text);
    Schema s;
    auto svc = service_from_name(j.at("service").get<std::string>());
    if (!svc) throw std::invalid_argument("unknown service");
    s.service = *svc;
    s.version = j.at("version").get<int>();
    s.mode = mode_from_name(j.at("mode").get<std::string>());
    s.side = j.at("side").get<int>();
    for (const auto& f : j.at("fields")) {
      std::string kind = f.at("kind").get<std::string>();
      FieldKind k = kind == "option" ? FieldKind::option : kind == "string" ? FieldKind::string : FieldKind::integer;
      if (kind != kind_name(k)) throw std::invalid_argument("unknown field kind " + kind);
      s.fields.push_back({f.at("name").get<std::string>(), k, f.at("width").get<int>()});
    }
    for (const auto& c : j.at("cells")) {
      Cell cell;
      cell.field = c.at(0).get<uint16_t>();
      std::string k = c.at(1).get<std::string>();
      if (cell.field >= s.fields.size()) throw std::invalid_argument("cell names an unknown field");
      if (k == "t") {
        cell.token = c.at(2).get<std::string>();
      } else if (k == "b" || k == "i") {
        cell.kind = k == "b" ? CellKind::byte : CellKind::bit;
        cell.index = c.at(2).get<uint16_t>();
      } else {
        throw std::invalid_argument("unknown cell kind " + k);
      }
      s.cells.push_back(std::move(cell));
    }
    if (s.side <= 0 || s.cells.size() > size_t(s.capacity())) throw std::invalid_argument("cells do not fit the side");
    return s;
  } catch (const nlohmann::json::exception& e) {
    throw std::invalid_argument(fmt::format("malformed schema: {}", e.what()));
  }
}

}  // namespace sg::features
