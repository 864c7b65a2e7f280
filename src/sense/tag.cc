#include "sense/tag.h"

#include <fmt/format.h>

#include <charconv>

#include "util/hash.h"

namespace sg::sense {

uint32_t sensor_id(std::string_view name) {
  uint64_t v = 0;
  auto [end, ec] = std::from_chars(name.data(), name.data() + name.size(), v);
  if (!name.empty() && ec == std::errc() && end == name.data() + name.size() && v <= UINT32_MAX)
    return static_cast<uint32_t>(v);
  const std::string hex = sha256_hex(name);
  return static_cast<uint32_t>(std::stoul(hex.substr(0, 8), nullptr, 16));
}

std::string Tagger::set_cookie(int64_t time_us, uint64_t record, const IpAddr& scanner) const {
  labels::TagRecord rec;
  rec.sensor = sensor_;
  rec.time_us = time_us;
  rec.record = record;
  rec.scanner = scanner;
  return fmt::format("{}={}; Path=/; HttpOnly", cookie_, labels::make_tag(key_, rec));
}

}  // namespace sg::sense
