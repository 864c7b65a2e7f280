#include "capture/cidr.h"

#include <algorithm>
#include <charconv>

namespace sg {

bool Cidr::contains(const IpAddr& a) const {
  if (a.v4 != net.v4) return false;
  int full = bits / 8, rest = bits % 8;
  for (int i = 0; i < full; ++i)
    if (a.b[i] != net.b[i]) return false;
  if (rest == 0) return true;
  uint8_t mask = static_cast<uint8_t>(0xff << (8 - rest));
  return (a.b[full] & mask) == (net.b[full] & mask);
}

bool parse_cidr(const std::string& text, Cidr& out) {
  auto slash = text.find('/');
  if (!parse_ip(text.substr(0, slash), out.net)) return false;
  int max_bits = out.net.v4 ? 32 : 128;
  out.bits = max_bits;
  if (slash == std::string::npos) return true;
  const char* first = text.data() + slash + 1;
  const char* last = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(first, last, out.bits);
  if (ec != std::errc() || ptr != last || first == last || out.bits < 0 || out.bits > max_bits) return false;
  // normalise host bits away so that equal prefixes compare equal
  for (int i = 0; i < 16; ++i) {
    int keep = std::clamp(out.bits - i * 8, 0, 8);
    out.net.b[i] &= static_cast<uint8_t>(keep == 0 ? 0 : 0xff << (8 - keep));
  }
  return true;
}

}  // namespace sg
