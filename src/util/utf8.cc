#include "util/utf8.h"

#include <fmt/format.h>

#include <cstdint>
#include <cstring>

namespace sg {

size_t utf8_seq(std::string_view s, size_t i) {
  auto u = [&](size_t k) { return static_cast<uint8_t>(s[k]); };
  uint8_t c = u(i);
  if (c < 0x80) return 1;
  size_t n = c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3 : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
  if (n == 0 || i + n > s.size()) return 0;
  for (size_t k = 1; k < n; ++k)
    if ((u(i + k) & 0xc0) != 0x80) return 0;
  if (n == 3 && ((c == 0xe0 && u(i + 1) < 0xa0) || (c == 0xed && u(i + 1) >= 0xa0))) return 0;
  if (n == 4 && ((c == 0xf0 && u(i + 1) < 0x90) || (c == 0xf4 && u(i + 1) >= 0x90))) return 0;
  return n;
}

bool valid_utf8(std::string_view s) {
  // Wire text is nearly always ASCII: skip it eight bytes at a time before checking sequences.
  size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    uint64_t w;
    std::memcpy(&w, s.data() + i, 8);
    if (w & 0x8080808080808080ull) break;
  }
  while (i < s.size()) {
    if (static_cast<uint8_t>(s[i]) < 0x80) {
      ++i;
      continue;
    }
    size_t n = utf8_seq(s, i);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

std::string utf8_safe(std::string_view s) {
  if (valid_utf8(s)) return std::string(s);
  std::string out;
  for (size_t i = 0; i < s.size();) {
    size_t n = utf8_seq(s, i);
    if (n == 0) {
      out += fmt::format("\\x{:02x}", static_cast<uint8_t>(s[i]));
      ++i;
    } else {
      out.append(s, i, n);
      i += n;
    }
  }
  return out;
}

}  // namespace sg
