#include "features/vocabulary.h"

#include <algorithm>
#include <stdexcept>

namespace sg::features {

void add_probe_tokens(const ProbeDoc& probe, Service service, TokenCounts& counts) {
  ++counts.probes;
  for (size_t f = 0; f < counts.fields.size(); ++f) {
    const FieldSpec* spec = find_field(service, counts.fields[f]);
    if (!spec || spec->kind != FieldKind::option) continue;
    FieldValue v = extract_field(*spec, probe, service);
    if (!v.present) {
      ++counts.counts[f][kAbsentToken];
      continue;
    }
    for (const std::string& t : v.tokens) ++counts.counts[f][t];  // tokens of one value are distinct
  }
}

TokenCounts count_tokens(Db& db, Service service, const std::vector<std::string>& fields, Window window,
                         SkipLog* skips) {
  TokenCounts counts;
  counts.fields = fields;
  std::sort(counts.fields.begin(), counts.fields.end());
  for (const std::string& f : counts.fields)
    if (!find_field(service, f)) throw std::invalid_argument(service_name(service) + std::string(" has no field ") + f);
  counts.counts.resize(counts.fields.size());
  ProbeStream stream(db, service, window);
  std::vector<ProbeRow> rows;
  ProbeDoc doc;
  while (stream.next(4096, rows))
    for (const ProbeRow& r : rows) {
      if (!doc.parse(r.json)) {
        if (skips) skips->add(r.id, "stored JSON is not an object");
        continue;
      }
      add_probe_tokens(doc, service, counts);
    }
  return counts;
}

}  // namespace sg::features
