#include "util/bytes.h"

namespace sg {

std::string to_hex(ByteView b) {
  static const char digits[] = "0123456789abcdef";
  std::string out(b.size() * 2, '0');
  for (size_t i = 0; i < b.size(); ++i) {
    out[2 * i] = digits[b[i] >> 4];
    out[2 * i + 1] = digits[b[i] & 15];
  }
  return out;
}

}  // namespace sg
