#include "probe/ja3.h"

#include <charconv>

namespace sg {

namespace {

void append_uint(std::string& out, unsigned v) {
  char digits[8];
  out.append(digits, std::to_chars(digits, digits + sizeof digits, v).ptr);
}

// Appends `values` as decimal numbers joined by '-', leaving out GREASE when asked (JA3 drops GREASE from
// ciphers, extensions and groups; point formats are single bytes and cannot be GREASE).
template <typename T>
void append_list(std::string& out, const std::vector<T>& values, bool drop_grease) {
  bool first = true;
  for (T v : values) {
    if (drop_grease && is_grease(uint16_t(v))) continue;
    if (!first) out += '-';
    append_uint(out, v);
    first = false;
  }
}

}  // namespace

std::string ja3_string(const TlsProbe& hello) {
  std::string s;
  // 6 bytes per value at most ("65535-"): one allocation for the whole string
  s.reserve(16 + 6 * (hello.ciphers.size() + hello.extensions.size() + hello.supported_groups.size() +
                      hello.ec_point_formats.size()));
  append_uint(s, hello.version);
  s += ',';
  append_list(s, hello.ciphers, true);
  s += ',';
  append_list(s, hello.extensions, true);
  s += ',';
  append_list(s, hello.supported_groups, true);
  s += ',';
  append_list(s, hello.ec_point_formats, false);
  return s;
}

}  // namespace sg
