// Helpers shared by the protocol analyzer tests: byte fixtures from text or hex, and a deterministic
// source of random buffers for the must-not-crash loops. Every fixture lives in its own heap buffer of
// exactly its size, so a sanitizer build flags any read past the end.
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "util/bytes.h"

namespace sg::test {

using Buf = std::vector<uint8_t>;

inline Buf bytes_of(std::string_view s) { return Buf(s.begin(), s.end()); }

// Hex digits; whitespace between them is ignored so fixtures can be laid out by field.
inline Buf from_hex(std::string_view hex) {
  Buf out;
  int hi = -1;
  for (char c : hex) {
    int v = -1;
    if (c >= '0' && c <= '9') v = c - '0';
    if (c >= 'a' && c <= 'f') v = c - 'a' + 10;
    if (c >= 'A' && c <= 'F') v = c - 'A' + 10;
    if (v < 0) continue;
    if (hi < 0) {
      hi = v;
    } else {
      out.push_back(uint8_t(hi << 4 | v));
      hi = -1;
    }
  }
  return out;
}

inline ByteView view(const Buf& b) { return ByteView(b.data(), b.size()); }

inline Buf concat(Buf a, const Buf& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

class Garbage {
 public:
  explicit Garbage(uint32_t seed) : rng_(seed) {}
  Buf random(size_t max_len) {
    Buf b(std::uniform_int_distribution<size_t>(0, max_len)(rng_));
    for (auto& x : b) x = uint8_t(rng_());
    return b;
  }
  // `base` with a few bytes overwritten, or cut short, or both.
  Buf mutate(const Buf& base) {
    Buf b = base;
    int flips = std::uniform_int_distribution<int>(1, 4)(rng_);
    for (int i = 0; i < flips && !b.empty(); ++i) b[rng_() % b.size()] = uint8_t(rng_());
    if (!b.empty() && rng_() % 3 == 0) b.resize(rng_() % b.size());
    return b;
  }

 private:
  std::mt19937 rng_;
};

}  // namespace sg::test
