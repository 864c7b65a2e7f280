// What attribution matches probes on: a probe's payload as a fixed list of field values, hashed. Two
// kinds of key share this code:
//   - the payload key: every field of the service's registry except those that change per session
//     (TLS random, gmt_unix_time, session id bytes, DNS id) or are functions of other fields (ja3, ja4,
//     hassh, header_names, the SYN "sig"), with the sensor's own address in Host/SNI written as "{dst}"
//     so one scanner's payload is one key on every sensor;
//   - the selected key: the frozen fields of `select` (the exact-match baseline of the evaluation).
// Each field value is hashed once; the whole key and every "all fields but one" key (the near match that
// survives one drifted field; attribution builds it on the coarse values) are combinations of those hashes, so a probe
// costs one extraction and a few dozen multiplications. A third key, the coarse key, hashes each value with the
// commonest drift taken out: numbers in text (user-agent and tool versions, "Chrome/126") become '#', and lists whose
// order a new library release shuffles (cipher suites, extensions, groups, header order...) are compared as sets.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "features/json_access.h"
#include "features/registry.h"
#include "probe/probe.h"
#include "storage/db.h"

namespace sg::attribute {

// 64-bit hashes; collisions are left to chance (2^-64 per pair).
using KeyHash = uint64_t;

class KeyMaker {
 public:
  // The payload key of a service (fields flagged random by a stored `select` ranking are left out too).
  static KeyMaker payload(Db& db, Service s);
  // The frozen selected fields; empty (fields().empty()) when `select` has not run for the service.
  static KeyMaker selected(Db& db, Service s);

  Service service() const { return service_; }
  const std::vector<const features::FieldSpec*>& fields() const { return fields_; }

  // One hash per field (absent fields hash as absent); false when the probe has no section of the service.
  // coarse, when given, gets the hash of each field's coarse value.
  bool field_hashes(const features::ProbeDoc& probe, std::vector<KeyHash>& out,
                    std::vector<KeyHash>* coarse = nullptr) const;

  // The readable value of each field, for explanations ("user_agent=...").
  std::vector<std::string> field_labels(const features::ProbeDoc& probe) const;

 private:
  Service service_ = Service::other;
  std::vector<const features::FieldSpec*> fields_;
};

// The whole key, and the key without field `skip` (a different hash family per skipped position).
// coarse_key is the whole key of the coarse hashes (its own family).
KeyHash whole_key(Service s, const std::vector<KeyHash>& h);
KeyHash coarse_key(Service s, const std::vector<KeyHash>& coarse);
// The coarse form of a field's value (see above).
std::string coarse_value(std::string_view field, std::string_view value);
KeyHash key_without(Service s, const std::vector<KeyHash>& h, size_t skip);

}  // namespace sg::attribute
