// The search-engine tag a sensor plants (labels/tagging.h): each HTTP answer carries a Set-Cookie whose
// value seals the sensor, the time, the stored probe's id and the scanner's address. A search engine that
// publishes the banner it indexed publishes the tag with it; `labels find-tags` opens it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "capture/packet.h"
#include "labels/tagging.h"

namespace sg::sense {

// The 32-bit sensor id sealed into tags: a name that is a decimal number below 2^32 is that number (so
// `labels tag --sensor 7` and `sense --sensor 7` agree); any other name, the first four bytes of its SHA-256.
uint32_t sensor_id(std::string_view name);

class Tagger {
 public:
  Tagger(const labels::TagKey& key, uint32_t sensor, std::string cookie)
      : key_(key), sensor_(sensor), cookie_(std::move(cookie)) {}
  // "NAME=TAG; Path=/; HttpOnly" (the Set-Cookie value; no header name, no line end).
  std::string set_cookie(int64_t time_us, uint64_t record, const IpAddr& scanner) const;

 private:
  labels::TagKey key_;
  uint32_t sensor_;
  std::string cookie_;
};

}  // namespace sg::sense
