#include "util/terminal.h"

#include <cstdint>

#include "util/utf8.h"

namespace sg {

namespace {

// A valid sequence of n bytes at s[i] that still controls the terminal or the text direction.
bool is_control_sequence(std::string_view s, size_t i, size_t n) {
  auto u = [&](size_t k) { return static_cast<uint8_t>(s[i + k]); };
  if (n == 1) return u(0) < 0x20 || u(0) == 0x7f;
  if (n == 2) return u(0) == 0xc2 && u(1) < 0xa0;  // C1: U+0080..U+009F (0x9b is CSI on some terminals)
  if (n == 3 && u(0) == 0xe2 && u(1) == 0x80) return u(2) >= 0xaa && u(2) <= 0xae;  // U+202A..U+202E
  if (n == 3 && u(0) == 0xe2 && u(1) == 0x81) return u(2) >= 0xa6 && u(2) <= 0xa9;  // U+2066..U+2069
  return false;
}

void escape_byte(std::string& out, uint8_t b) {
  static const char kHex[] = "0123456789abcdef";
  out += "\\x";
  out += kHex[b >> 4];
  out += kHex[b & 15];
}

}  // namespace

std::string term_safe(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    size_t n = utf8_seq(s, i);
    if (n == 0 || is_control_sequence(s, i, n)) {
      for (size_t k = 0; k < (n ? n : 1); ++k) escape_byte(out, static_cast<uint8_t>(s[i + k]));
      i += n ? n : 1;
    } else {
      out.append(s, i, n);
      i += n;
    }
  }
  return out;
}

}  // namespace sg
